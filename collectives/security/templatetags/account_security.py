"""Template helpers for sign-in and account security pages."""

from django import template
from django.conf import settings

from .. import proconnect, services

register = template.Library()


@register.simple_tag
def proconnect_enabled() -> bool:
    return proconnect.is_enabled()


@register.simple_tag
def mfa_required_for(user) -> bool:
    return services.mfa_required_for(user)


@register.filter
def browser_name(user_agent: str) -> str:
    """A readable name for a session's browser and system ("Firefox sous Windows"), not the raw header."""
    ua = user_agent or ""
    browser = next(
        (name for key, name in _BROWSERS if key in ua),
        "Navigateur inconnu",
    )
    system = next((name for key, name in _SYSTEMS if key in ua), "")
    return f"{browser} sous {system}" if system else browser


@register.filter
def in_groups_of_four(secret: str) -> str:
    """A TOTP key typed by hand is easier to read in groups: ABCD EFGH IJKL…"""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# Order matters: Edge and Opera also announce Chrome, Chrome also announces Safari.
_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("HeadlessChrome/", "Chromium (automatisé)"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
]


@register.simple_tag
def session_limits() -> dict:
    """How long a session lives, for the pages that explain it."""
    return {
        "idle_minutes": settings.QIC_SESSION_IDLE_SECONDS // 60,
        "max_hours": round(settings.SESSION_COOKIE_AGE / 3600, 1),
    }
