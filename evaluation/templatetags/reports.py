"""Template helpers of the reports: dates and numbers stored in a snapshot, written the French way."""

import datetime as dt

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import formats, timezone

register = template.Library()


@register.filter
def isodate(value, fmt: str = "j F Y") -> str:
    """An ISO date or date-time from a snapshot, formatted ("21 novembre 2026"); empty when missing."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_filter(value, fmt)


@register.filter
def frnumber(value, decimals: int | None = None) -> str:
    """1234.5 → "1 234,5"; None → "—"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if not isinstance(value, int | float):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def fact(row: dict, key: str):
    """The value of one fact of an annex row."""
    return row.get("facts", {}).get(key)


@register.filter
def index(sequence, position: int):
    try:
        return sequence[position]
    except (IndexError, KeyError, TypeError):
        return ""
