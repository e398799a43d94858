"""The handover pack's "upcoming sessions" section (collectives/handover.py) is filled by the sessions."""

from collectives.enums import SessionKind
from collectives.handover import sessions_section
from collectives.sessions import services
from tests.sessions.factories import at, make_session


def test_the_section_lists_the_sites_upcoming_sessions_and_its_coaching_hours(world, module):
    make_session([world.site_a], kind=SessionKind.SITE_COACHING, starts_at=at(days=-3), hours=2)
    past = make_session([world.site_a], title="Module passé", starts_at=at(days=-30))
    cancelled = make_session([world.site_a], title="Module annulé", starts_at=at(days=20))
    services.cancel_session(cancelled, user=world.national)
    content = sessions_section(world.site_a)
    assert content["sessions"] == [module]
    assert past not in content["sessions"]
    assert content["balance"].used == 2


def test_a_site_without_sessions_shows_nothing_yet(world):
    assert sessions_section(world.site_b) is None
