"""The site page's panels are cached per site, person and data version: any write shows on the next page."""

import pytest
from django.test import override_settings

from collectives.enums import MemberRole
from collectives.models import Membership, Session
from qic import fragments
from tests.collectives.factories import MembershipFactory
from tests.sessions.factories import at, make_session

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"}}


@pytest.fixture
def read_site(world):
    from django.test import Client

    clients = {}  # signed in once each: signing in saves the person (a write, which moves the version)

    def read(user=None):
        user = user or world.seat_holder_a
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        return clients[user.pk].get(world.site_a.get_absolute_url()).content.decode()

    return read


def _sessions_card(html: str) -> str:
    return html.split('id="sessions"', 1)[1].split("</section>", 1)[0]


def _due(html: str) -> str:
    return html.split("Siège", 1)[1] if "Siège" in html else ""


def test_a_new_session_and_a_changed_one_show_on_the_next_page(read_site, world):
    assert "Aucune session à venir" in _sessions_card(read_site())  # cached now
    session = make_session([world.site_a], title="Module de printemps", starts_at=at(days=5))
    assert "Module de printemps" in _sessions_card(read_site())

    session.title = "Module de printemps (salle B)"  # a session has no site key: it is watched all the same
    session.save()
    assert "Module de printemps (salle B)" in _sessions_card(read_site())

    session.delete()
    assert "Aucune session à venir" in _sessions_card(read_site())


def test_a_seat_filled_or_left_shows_on_the_next_page(read_site, world):
    assert "Siège à pourvoir : délégué·e du préfet" in read_site()
    prefect = MembershipFactory(site=world.site_a, role=MemberRole.PREFECT_DELEGATE)
    assert "Siège à pourvoir : délégué·e du préfet" not in read_site()
    Membership.objects.filter(pk=prefect.pk).get().delete()
    assert "Siège à pourvoir : délégué·e du préfet" in read_site()


def test_each_person_gets_the_panels_of_their_own_rights(read_site, world):
    """Each person's copy is their own (the panels may show what they may do) and as fresh as anyone's."""
    make_session([world.site_a], title="Module de rentrée", starts_at=at(days=5))
    facilitator_card = _sessions_card(read_site(world.facilitator_a))
    partner_card = _sessions_card(read_site(world.partner_a))
    assert "Module de rentrée" in facilitator_card and "Module de rentrée" in partner_card
    assert _sessions_card(read_site(world.partner_a)) == partner_card


def test_writes_that_bypass_signals_show_on_the_next_page_too(read_site, world):
    """The version moves on every SQL statement that writes: `QuerySet.update()`, `bulk_create()` and raw SQL
    send no model signal, and show all the same."""
    from django.db import connection

    session = make_session([world.site_a], title="Module d’été", starts_at=at(days=5))
    assert "Module d’été" in _sessions_card(read_site())
    Session.objects.filter(pk=session.pk).update(title="Module d’automne")
    assert "Module d’automne" in _sessions_card(read_site())
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE collectives_session SET title = %s WHERE id = %s", ["Module d’hiver", session.pk]
        )
    assert "Module d’hiver" in _sessions_card(read_site())


def test_time_dependent_panels_are_fresh_in_the_next_time_slot(read_site, world, monkeypatch):
    session = make_session([world.site_a], title="Module d’été", starts_at=at(days=5))
    first = _sessions_card(read_site())
    assert "Module d’été" in first
    now = fragments.time.time()
    monkeypatch.setattr(fragments, "version", lambda: 1)  # no write in between: only the time moves
    cached = _sessions_card(read_site())
    monkeypatch.setattr(fragments.time, "time", lambda: now + fragments.SLOT_SECONDS)
    Session.objects.filter(pk=session.pk).update(title="Module d’automne")  # (the version is pinned above)
    assert "Module d’été" in cached
    assert "Module d’automne" in _sessions_card(read_site())  # a new slot, a fresh copy


def test_bookkeeping_writes_do_not_move_the_version(db):
    from django.contrib.sessions.backends.db import SessionStore

    before = fragments.version()
    store = SessionStore()
    store["seen"] = 1
    store.save()
    assert fragments.version() == before
    assert fragments.written_table('UPDATE "sites_site" SET "name" = %s') == "sites_site"
    assert fragments.written_table('INSERT OR IGNORE INTO "vision_change_contributes_to" (a) VALUES (1)') == (
        "vision_change_contributes_to"
    )
    assert fragments.written_table('DELETE FROM "collectives_membership" WHERE 1') == "collectives_membership"
    assert fragments.written_table('SELECT "sites_site"."id" FROM "sites_site"') is None


@override_settings(CACHES=LOCMEM)
def test_the_version_moves_again_when_the_transaction_commits(db, django_capture_on_commit_callbacks):
    from django.db import transaction

    before = fragments.version()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        fragments.bump()
        during = fragments.version()
    assert before < during < fragments.version()


def test_an_invitation_to_a_seat_shows_on_the_next_page(read_site, world):
    """Invitations are not the dashboard's: the fragments watch every model of the site apps themselves."""
    from tests.collectives.factories import InvitationFactory

    assert "invitation envoyée" not in read_site()
    InvitationFactory(site=world.site_a, role=MemberRole.MUNICIPALITY, email="maire@exemple.fr")
    assert "invitation envoyée à" in read_site()
