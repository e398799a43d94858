"""The French text filters of every template (`qic.text`, the one formatter), loaded everywhere as builtins:
dates, times, numbers, hours, plurals, typographic spaces, and plain text typed by users as paragraphs."""

from django import template
from django.utils import timezone

from qic import text

register = template.Library()


@register.filter(needs_autoescape=True)
def paragraphs(value, autoescape=True):
    """Blank lines separate paragraphs; lines starting with "- " or "• " make a bulleted list. The text is
    escaped even where autoescaping is off: what users typed never becomes markup."""
    return text.paragraphs(value)


@register.filter
def frdate(value, style: str = "long") -> str:
    """ "1er décembre 2026"; or a style of `text.date`: "weekday", "short", "day_month", "month_year"…"""
    return text.date(value, style)


@register.filter
def isotime(value) -> str:
    """A stored moment in French time for a <time datetime>: "2026-12-01T19:52+0100" (Django's
    `date:'Y-m-d\\TH:iO'`, at a tenth of its cost: a journal of thirty lines calls it thirty times)."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M%z")


@register.filter
def frdatetime(value, style: str = "long") -> str:
    """ "1er décembre 2026 à 19 h 52"."""
    return text.date_time(value, style)


@register.filter
def frtime(value) -> str:
    """ "9 h 30", "14 h"."""
    return text.time(value)


@register.filter
def frnumber(value, decimals: int = 2) -> str:
    """1234.5 → "1 234,5"; None → "—"; yes/no facts → "oui"/"non"; text is left as it is."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    try:
        return text.number(value if isinstance(value, int | float) else float(value), decimals=decimals)
    except (TypeError, ValueError):
        return value


@register.filter
def hours(value) -> str:
    """Decimal hours, to the tenth, without the unit: 1234.5 → "1 234,5" (templates write " h" after it)."""
    if value in (None, ""):
        return ""
    return text.hours(float(value), unit=False)


@register.filter
def average(value, scale: int = 4) -> str:
    """A mean level: 2.5 → "2,5/4"; None → "—"."""
    return text.average(value, scale)


@register.filter
def fr_plural(value, forms: str = "s") -> str:
    """French plural ending: 0 and 1 are singular. `site{{ n|fr_plural }}`, `{{ n|fr_plural:"al,aux" }}`.
    (Django's `pluralize` follows the English rule and writes "0 sites".)"""
    singular, _, plural_form = forms.rpartition(",") if "," in forms else ("", "", forms)
    try:
        count = abs(float(value))
    except (TypeError, ValueError):
        count = len(value) if hasattr(value, "__len__") else 0
    return plural_form if count >= 2 else singular


@register.filter(is_safe=True)
def typo(value):
    """French typographic spaces (no-break spaces before : ; ? ! and inside « ») in a computed text."""
    return text.typo(value)
