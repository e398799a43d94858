"""The dashboard's cached roll-ups: served from the cache while nothing changes, recomputed after any write
they depend on (status change, new trinôme member, journal activity, wave), also from another process."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collectives.enums import MemberRole
from sites import journal, services, tasks
from sites.dashboard import alerts, cache
from sites.enums import EventKind, SiteStatus
from sites.models import DataVersion
from tests.collectives.factories import MembershipFactory
from tests.sites.factories import SiteFactory, WaveFactory

pytestmark = pytest.mark.django_db
URL = reverse("sites:dashboard")


@pytest.fixture
def national(client, world):
    world.login(client, world.national)
    return client


def _board(client, **params):
    return client.get(URL, params).context["board"]


def _alert(board, key):
    return next(alert for alert in board.alerts if alert.key == key)


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, params).status_code == 200
    return len(captured)


def test_unchanged_data_is_served_from_the_cache(national, world):
    cold = _queries(national, region="84")
    warm = _queries(national, region="84")
    assert warm < cold
    # Another sort or page of the same filters reuses the same roll-ups; another filter does not.
    assert _queries(national, region="84", tri="-vague") == warm
    assert _queries(national, region="32") == cold


def _engaged_kpi(client) -> str:
    page = client.get(URL).content.decode()  # the panels' HTML is cached with the roll-ups
    end = page.index('</span><span class="qic-kpi__label">en formation ou actifs')
    return page[page.rindex(">", 0, end) + 1 : end]


def test_a_status_change_shows_at_once(national, world):
    before = _board(national).overall["by_status"]
    assert before[SiteStatus.ACTIVE] == 2 and before[SiteStatus.PAUSED] == 0
    assert _engaged_kpi(national) == "2"
    services.change_status(world.site_a, SiteStatus.PAUSED, reason="élections municipales")
    after = _board(national).overall["by_status"]
    assert after[SiteStatus.ACTIVE] == 1 and after[SiteStatus.PAUSED] == 1
    assert _engaged_kpi(national) == "1"


def test_a_new_member_shows_at_once(national, world):
    board = _board(national)
    assert board.overall["trinome_complete"] == 0
    assert _alert(board, alerts.VACANT_SEAT).count == 2
    MembershipFactory(site=world.site_a, role=MemberRole.PREFECT_DELEGATE)
    MembershipFactory(site=world.site_a, role=MemberRole.MUNICIPALITY)
    board = _board(national)
    assert board.overall["trinome_complete"] == 1
    assert _alert(board, alerts.VACANT_SEAT).count == 1
    assert [site.name for site in _alert(board, alerts.VACANT_SEAT).examples] == [world.site_b.name]


def test_journal_activity_ends_a_stall_at_once(national, world, settings):
    settings.QIC_STALL_DAYS = 30
    long_ago = timezone.now() - dt.timedelta(days=60)
    for site in (world.site_a, world.site_b):
        journal.record(site, EventKind.MEMBER_JOINED, "ancien", at=long_ago)
    assert _alert(_board(national), alerts.STALLED).count == 2
    journal.record(world.site_a, EventKind.MEMBER_JOINED, "réunion du trinôme")
    assert _alert(_board(national), alerts.STALLED).count == 1
    # The background task writes through QuerySet.update(): it moves the version forward itself.
    tasks.record_activity(world.site_b.pk)
    assert _alert(_board(national), alerts.STALLED).count == 0


def test_a_new_current_wave_shows_in_the_funnel(national, world):
    assert _board(national).funnel is None
    WaveFactory(number=5, name="Vague 5", is_current=True)
    assert _board(national).funnel["wave"].name == "Vague 5"


@pytest.mark.django_db(transaction=True)
def test_the_version_in_the_database_moves_after_commit():
    """Real commits: another process (its own local-memory cache) sees a change from the database alone."""

    def stored() -> int:
        return DataVersion.objects.filter(key=cache.VERSION_KEY).values_list("number", flat=True).first() or 0

    SiteFactory(name="Premier")  # autocommit: moved at once
    first = stored()
    assert first > 0
    with transaction.atomic():
        SiteFactory(name="Nouveau")
        SiteFactory(name="Autre nouveau")
        assert stored() == first  # not before the commit (nobody may cache uncommitted data under it)
    assert stored() == first + 1  # once per transaction, however many writes
    with pytest.raises(RuntimeError), transaction.atomic():
        SiteFactory(name="Annulé")
        raise RuntimeError
    assert stored() == first + 1
    key = cache.version()
    caches["dashboard"].clear()  # what another process would have: nothing of ours
    SiteFactory(name="Ailleurs")
    caches["dashboard"].clear()
    assert cache.version().split(".")[0] != key.split(".")[0]


def test_a_resource_centre_never_gets_the_national_roll_ups(client, world):
    SiteFactory(name="Hors région")
    world.login(client, world.national)
    national_total = _board(client).overall["total"]
    world.login(client, world.facilitator_a)
    assert _board(client).overall["total"] < national_total
    assert cache.rollups_key(world.facilitator_a, {}) != cache.rollups_key(world.national, {})


def test_the_stall_cutoff_moves_by_steps_so_cache_and_table_agree(settings):
    settings.QIC_STALL_DAYS = 10
    now = dt.datetime(2026, 3, 4, 10, 17, 41, tzinfo=dt.UTC)
    assert alerts.stall_cutoff(now) == dt.datetime(2026, 2, 22, 10, 15, tzinfo=dt.UTC)
    assert alerts.stall_cutoff(now + dt.timedelta(minutes=2)) == alerts.stall_cutoff(now)
    assert alerts.stall_cutoff(now + dt.timedelta(minutes=3)) > alerts.stall_cutoff(now)


def _row(client, site) -> str:
    """The site's row of the table (rows are cached per site and data version)."""
    html = client.get(URL).content.decode()
    name = html.index(f">{site.name}</a>", html.index("<tbody>"))
    return html[html.rindex("<tr>", 0, name) : html.index("</tr>", name)]


def test_cached_rows_follow_the_trinome_sessions_and_vision(national, world):
    from collectives.models import Participant
    from collectives.services.sessions import set_presence
    from qic.locking import save_if_unchanged
    from tests.sessions.factories import at, make_session
    from vision.models import Revision

    site = world.site_a
    assert "Vacant" in _row(national, site) and "aucune" in _row(national, site)
    MembershipFactory(site=site, role=MemberRole.PREFECT_DELEGATE)
    MembershipFactory(site=site, role=MemberRole.MUNICIPALITY)
    assert "Complet" in _row(national, site)

    session = make_session([site], title="Module 1", starts_at=at(days=-2))
    assert "Module 1" not in _row(national, site)  # invited is not attended
    set_presence(Participant.objects.filter(session=session, site=site).first(), True, actor=world.national)
    assert "Module 1" in _row(national, site)
    # Planners' edits go through an optimistic-locking UPDATE, which sends no model signal.
    save_if_unchanged(session, session.version, {"title": "Module 1 bis"})
    assert "Module 1 bis" in _row(national, site)

    assert "Non adoptée" in _row(national, site)
    Revision.objects.create(
        site=site, number=1, snapshot={}, summary="v1", created_at=timezone.now(), adopted_at=timezone.now()
    )
    assert "Adoptée le" in _row(national, site)

    from evaluation.models import SelfAssessment

    SelfAssessment.objects.create(site=site, continuum_level=4)
    assert "Assistance (4/7)" in _row(national, site)


def test_every_family_names_the_models_its_cells_read():
    """A family whose data is plugged in must say where it comes from, or its cached rows would go stale."""
    from sites.dashboard import columns

    for family in columns.FAMILIES:
        if family.enrich is not columns._nothing or any(c.available for c in family.columns):
            assert family.models, family.key
    assert columns.MODELS <= cache.TRACKED
