"""The personal calendar feed: a secret link (only its hash stored), the person's own sessions only, valid
iCalendar text, a revoked or wrong token answers 404."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from collectives.models import CalendarFeed, hash_token
from collectives.sessions import calendar, services
from qic import text
from tests.sessions.factories import at, make_session


def _feed_url(token):
    return reverse("sessions:calendar_feed", kwargs={"token": token})


def _unfold(text: str) -> list[str]:
    """RFC 5545 lines: CRLF endings, continuation lines start with a space."""
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in physical)
    logical = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def _events(text: str) -> list[dict]:
    """Parse the feed the way a calendar would: balanced blocks, one dict of properties per event."""
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events, current = [], None
    for line in lines[1:-1]:
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    assert current is None
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert required in event, required
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTART"])
    return events


def test_only_a_hash_of_the_secret_is_stored(world):
    feed, token = calendar.create_feed(world.seat_holder_a)
    pk, _, secret = token.partition(".")
    assert int(pk) == feed.pk
    assert feed.token_hash == hash_token(secret)
    assert secret not in feed.token_hash


def test_the_feed_lists_only_the_persons_sessions(client, world, module):
    make_session([world.site_b], title="Session de Roubaix")
    old = make_session([world.site_a], title="Il y a un an", starts_at=at(days=-365))
    _, token = calendar.create_feed(world.seat_holder_a)
    response = client.get(_feed_url(token))  # no sign-in: the token is the credential
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = _events(response.content.decode())
    assert [e["SUMMARY"] for e in events] == [module.title.replace(",", "\\,")]
    assert events[0]["UID"].startswith(f"session-{module.pk}@")
    assert events[0]["STATUS"] == "CONFIRMED"
    assert events[0]["LOCATION"] == "Salle des fêtes"
    assert old.title not in response.content.decode()


def test_cancelled_sessions_stay_in_the_feed_marked_cancelled(client, world, module):
    version = module.version
    services.cancel_session(module, user=world.national)
    _, token = calendar.create_feed(world.seat_holder_a)
    (event,) = _events(client.get(_feed_url(token)).content.decode())
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == str(version + 1)  # calendars replace the event they already have


def test_long_and_special_text_is_escaped_and_folded(client, world):
    session = make_session(
        [world.site_a],
        title="Module ; entente, « prototype » — " + "très long intitulé " * 6,
        agenda="- Accueil\n- Exercice : continuum, positions",
    )
    _, token = calendar.create_feed(world.seat_holder_a)
    (event,) = _events(client.get(_feed_url(token)).content.decode())
    assert event["SUMMARY"].startswith("Module \\; entente\\, « prototype »")
    assert "- Accueil\\n- Exercice : continuum\\, positions" in event["DESCRIPTION"]
    assert session.get_absolute_url() in event["URL"]


def test_a_revoked_wrong_or_malformed_token_is_a_404(client, world):
    feed, token = calendar.create_feed(world.seat_holder_a)
    pk, _, secret = token.partition(".")
    assert client.get(_feed_url(f"{pk}.{secret[:-1]}x")).status_code == 404
    assert client.get(_feed_url(f"{int(pk) + 1}.{secret}")).status_code == 404
    assert client.get(_feed_url("nimportequoi")).status_code == 404
    calendar.revoke(world.seat_holder_a)
    assert client.get(_feed_url(token)).status_code == 404


def test_a_new_link_replaces_the_old_one(client, world):
    _, first = calendar.create_feed(world.seat_holder_a)
    _, second = calendar.create_feed(world.seat_holder_a)
    assert client.get(_feed_url(first)).status_code == 404
    assert client.get(_feed_url(second)).status_code == 200
    assert CalendarFeed.objects.filter(user=world.seat_holder_a, revoked_at__isnull=True).count() == 1


def test_a_deactivated_account_loses_its_feed(client, world):
    _, token = calendar.create_feed(world.seat_holder_a)
    world.seat_holder_a.is_active = False
    world.seat_holder_a.save()
    assert client.get(_feed_url(token)).status_code == 404


def test_reading_the_feed_is_remembered_at_most_hourly(client, world):
    feed, token = calendar.create_feed(world.seat_holder_a)
    client.get(_feed_url(token))
    feed.refresh_from_db()
    first = feed.last_used_at
    client.get(_feed_url(token))
    feed.refresh_from_db()
    assert first is not None and feed.last_used_at == first
    calendar.touch(feed, now=first + dt.timedelta(hours=2))
    feed.refresh_from_db()
    assert feed.last_used_at == first + dt.timedelta(hours=2)


def test_the_calendar_page_shows_the_link_once_then_revokes_it(client, world):
    world.login(client, world.seat_holder_a)
    page = client.post(reverse("sessions:calendar"), {"action": "create"})
    assert page.status_code == 200
    match = re.search(r'value="(http[^"]+\.ics)"', page.content.decode())
    assert match
    client.logout()
    assert client.get(match[1].split("8000", 1)[-1]).status_code == 200
    world.login(client, world.seat_holder_a)
    again = client.get(reverse("sessions:calendar")).content.decode()
    assert ".ics" not in again and "Un lien d’agenda est actif" in again
    response = client.post(reverse("sessions:calendar"), {"action": "revoke"}, follow=True)
    assert "révoqué" in response.content.decode()
    client.logout()
    assert client.get(match[1].split("8000", 1)[-1]).status_code == 404


def test_the_description_says_when_in_french(client, world):
    """The event's text, as a calendar shows it: the day and times written the French way (qic.text), the
    labels with a no-break space before their colon."""
    session = make_session([world.site_a], starts_at=at(days=3, hour=9, minute=30), hours=3)
    _, token = calendar.create_feed(world.seat_holder_a)
    (event,) = _events(client.get(_feed_url(token)).content.decode())
    start = timezone.localtime(session.starts_at)
    when = f"{text.date(start, 'weekday')}\\, 9\u00a0h\u00a030 – 12\u00a0h\u00a030"
    assert when in event["DESCRIPTION"]
    assert "Sites\u00a0: Quartier A" in event["DESCRIPTION"]
