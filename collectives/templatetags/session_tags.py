"""Template helpers of the sessions: dates and durations in French, kind badges, the site page's card."""

from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from ..enums import SessionKind
from ..services import coaching

register = template.Library()

KIND_BADGES = {
    SessionKind.NATIONAL_TRAINING: "fr-badge--blue-ecume",
    SessionKind.REGIONAL_MODULE: "fr-badge--purple-glycine",
    SessionKind.SITE_COACHING: "fr-badge--green-emeraude",
    SessionKind.WEBINAR: "fr-badge--yellow-tournesol",
    SessionKind.NATIONAL_MEETING: "fr-badge--pink-tuile",
}


def _time(value) -> str:
    """9 h 30, 14 h (French typography)."""
    return f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"


def _day(value) -> str:
    text = date_format(value, "l j F Y")
    return text.replace(" 1 ", " 1er ", 1) if value.day == 1 else text


@register.filter
def when(session) -> str:
    """« mardi 14 janvier 2026, 9 h 30 – 12 h 30 », or from one day to another for longer sessions."""
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    if start.date() == end.date():
        return f"{_day(start)}, {_time(start)} – {_time(end)}"
    return f"du {_day(start)}, {_time(start)}, au {_day(end)}, {_time(end)}"


@register.filter
def short_when(session) -> str:
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return f"{_time(start)} – {_time(end)}" if start.date() == end.date() else f"jusqu’au {_day(end)}"


@register.filter
def hours(value) -> str:
    """Decimal hours as French text: 2.5 → « 2,5 »."""
    if value in (None, ""):
        return ""
    return coaching.hours(Decimal(value))


@register.filter
def duration(session) -> str:
    """« 2 h », « 1 h 30 »."""
    minutes = session.duration_minutes
    hours_part, rest = divmod(minutes, 60)
    if not hours_part:
        return f"{rest} min"
    return f"{hours_part} h {rest:02d}" if rest else f"{hours_part} h"


@register.filter
def kind_badge(kind) -> str:
    return KIND_BADGES.get(kind, "")


@register.filter
def clock(value) -> str:
    """A time of day in French typography: 9 h 30, 14 h."""
    return _time(timezone.localtime(value)) if value else ""


@register.filter
def fr_plural(value, suffix: str = "s") -> str:
    """French plural: zero and one are singular (« 0 présent », « 1 site », « 2 sites »)."""
    try:
        return suffix if abs(float(value)) >= 2 else ""
    except (TypeError, ValueError):
        return suffix if hasattr(value, "__len__") and len(value) >= 2 else ""
