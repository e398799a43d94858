"""Template helpers of the sessions: when a session takes place (`qic.text`), kind badges."""

from django import template
from django.utils import timezone

from qic import text

from ..enums import SessionKind

register = template.Library()

KIND_BADGES = {
    SessionKind.NATIONAL_TRAINING: "fr-badge--blue-ecume",
    SessionKind.REGIONAL_MODULE: "fr-badge--purple-glycine",
    SessionKind.SITE_COACHING: "fr-badge--green-emeraude",
    SessionKind.WEBINAR: "fr-badge--yellow-tournesol",
    SessionKind.NATIONAL_MEETING: "fr-badge--pink-tuile",
}


@register.filter
def when(session) -> str:
    """« mardi 14 janvier 2026, 9 h 30 – 12 h 30 », or from one day to another for longer sessions."""
    return text.session_span(session.starts_at, session.ends_at)


@register.filter
def short_when(session) -> str:
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    if start.date() == end.date():
        return f"{text.time(start)} – {text.time(end)}"
    return f"jusqu’au {text.date(end, 'weekday')}"


@register.filter
def duration(session) -> str:
    """« 2 h », « 1 h 30 »."""
    return text.duration(session.duration_minutes)


@register.filter
def kind_badge(kind) -> str:
    return KIND_BADGES.get(kind, "")
