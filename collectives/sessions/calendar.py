"""A person's sessions as an iCalendar (RFC 5545) feed, behind a secret and revocable link.

The link carries `<feed id>.<secret>`; only a SHA-256 of the secret is stored and it is compared in constant
time. Regenerating revokes the previous link; a revoked link answers 404.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qic import access, text
from qic.params import parse_id
from qic.sanitize import clean_text

from ..models import User, hash_token
from .models import CalendarFeed, Session
from .services import my_sessions, person_name

PAST_DAYS = 90
PRODID = "-//ANCT//Quartiers a impact collectif//FR"


def active_feed(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


@transaction.atomic
def create_feed(user) -> tuple[CalendarFeed, str]:
    """A new secret link for `user` (the previous one stops working). Returns the feed and its token.

    The person's row is locked first: two requests at once (two tabs, a double click) renew one after the
    other instead of both finding no active link and colliding on `one_active_calendar_feed`."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    revoke(user)
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=hash_token(secret))
    return feed, f"{feed.pk}.{secret}"


def revoke(user) -> int:
    now = timezone.now()
    revoked = 0
    for feed in CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
        revoked += 1
    return revoked


def feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("sessions:calendar_feed", kwargs={"token": token})


def find_feed(token: str) -> CalendarFeed | None:
    """The active feed this token opens, or None (unknown, malformed, wrong secret or revoked)."""
    pk, _, secret = token.partition(".")
    pk = parse_id(pk)
    if pk is None or not secret or len(secret) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(pk=pk).first()
    expected = feed.token_hash if feed is not None else hash_token("")
    matches = hmac.compare_digest(hash_token(secret), expected)
    if feed is None or not matches or feed.revoked_at is not None or not feed.user.is_active:
        return None
    return feed


def feed_sessions(user, now=None):
    now = now or timezone.now()
    # Only what the person's pages show them (a facilitator who moved centre no longer sees their sessions).
    sessions = access.visible_sessions(user, my_sessions(user))
    sessions = sessions.filter(ends_at__gte=now - dt.timedelta(days=PAST_DAYS))
    return sessions.select_related("region").prefetch_related("sites", "facilitators").order_by("starts_at")


# --- iCalendar text -----------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545, 3.3.11); control characters (a lone CR would end the line) removed."""
    return clean_text(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space (never splitting a UTF-8 character)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not out else 74
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _description(session: Session) -> str:
    """What the calendar shows under the event, written the French way (`qic.text`)."""
    label = f"{{}}{text.NBSP}: {{}}".format
    parts = [session.get_kind_display(), text.session_span(session.starts_at, session.ends_at)]
    sites = ", ".join(site.name for site in session.sites.all())
    if sites:
        parts.append(label("Sites", sites))
    people = ", ".join(person_name(u) for u in session.facilitators.all())
    if people:
        parts.append(label("Animation", people))
    if session.online_url:
        parts.append(label("Connexion", session.online_url))
    if session.agenda:
        parts.append(f"Ordre du jour{text.NBSP}:\n{session.agenda}")
    parts.append(settings.SITE_URL + session.get_absolute_url())
    return "\n\n".join(parts)


def event_lines(session: Session, now: dt.datetime, host: str) -> list[str]:
    title = session.title + (" (annulée)" if session.is_cancelled else "")
    lines = [
        "BEGIN:VEVENT",
        f"UID:session-{session.pk}@{host}",
        f"DTSTAMP:{utc(now)}",
        f"DTSTART:{utc(session.starts_at)}",
        f"DTEND:{utc(session.ends_at)}",
        f"SUMMARY:{escape(title)}",
        f"DESCRIPTION:{escape(_description(session))}",
        f"URL:{settings.SITE_URL}{session.get_absolute_url()}",
        f"SEQUENCE:{session.version}",
        f"LAST-MODIFIED:{utc(session.updated_at)}",
        f"STATUS:{'CANCELLED' if session.is_cancelled else 'CONFIRMED'}",
    ]
    location = session.place or session.online_url
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    lines.append("END:VEVENT")
    return lines


def render_ics(user, sessions, now=None) -> str:
    now = now or timezone.now()
    host = urlsplit(settings.SITE_URL).hostname or "qic.anct.gouv.fr"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape('Sessions QIC — ' + person_name(user))}",
        "X-WR-TIMEZONE:Europe/Paris",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ]
    for session in sessions:
        lines += event_lines(session, now, host)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


@transaction.atomic
def touch(feed: CalendarFeed, now=None) -> None:
    """Remember when the link was last read (at most once an hour: calendar apps poll often)."""
    now = now or timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
