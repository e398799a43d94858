"""The table's page-level enrichment gives what the sort annotations give (two ways to the same figures)."""

import datetime as dt

import pytest
from django.utils import timezone

from collectives.enums import SessionKind
from collectives.models import Participant
from evaluation.dashboard import columns
from sites import progress
from sites.models import Site
from tests.sessions.factories import at, make_session
from tests.sites.factories import SiteFactory
from tests.vision.factories import ChangeFactory
from vision.models import Revision

pytestmark = pytest.mark.django_db


def _revision(site, number, adopted_days_ago=None, with_strategy=False):
    adopted = timezone.now() - dt.timedelta(days=adopted_days_ago) if adopted_days_ago is not None else None
    return Revision.objects.create(
        site=site,
        number=number,
        snapshot={},
        summary="version",
        created_at=timezone.now(),
        adopted_at=adopted,
        adopted_with_strategy=with_strategy,
    )


def test_the_stored_facts_follow_sessions_and_adoptions_and_agree_with_a_recomputation(world):
    busy, quiet = world.site_a, world.site_b
    bare = SiteFactory(name="Sans rien")
    # Sessions: an attended past one, a later attended one, a cancelled one, coaching past and to come.
    first = make_session([busy], title="Module 1", starts_at=at(days=-30))
    second = make_session([busy, quiet], title="Module 2", starts_at=at(days=-10))
    cancelled = make_session([busy], title="Annulée", starts_at=at(days=-5), cancelled_at=timezone.now())
    for participant in Participant.objects.filter(session__in=[first, second, cancelled], site=busy):
        participant.present = True
        participant.save()
    make_session(
        [busy], kind=SessionKind.SITE_COACHING, title="Coaching fait", starts_at=at(days=-3), hours=2
    )
    make_session(
        [busy], kind=SessionKind.SITE_COACHING, title="Coaching prévu", starts_at=at(days=4), hours=3
    )
    # Vision: adopted twice (the latest with its strategy), a draft; changes in the strategy.
    _revision(busy, 1, adopted_days_ago=40)
    latest = _revision(busy, 2, adopted_days_ago=20, with_strategy=True)
    _revision(busy, 3)
    _revision(quiet, 1, adopted_days_ago=15)
    ChangeFactory(site=busy)
    ChangeFactory(site=busy)

    sites = columns.enrich(
        list(
            Site.objects.select_related("progress").filter(pk__in=[busy.pk, quiet.pk, bare.pk]).order_by("pk")
        )
    )
    by_name = {site.name: site for site in sites}
    facts = by_name[busy.name].progress
    assert (facts.last_session_title, facts.last_session_id) == ("Module 2", second.pk)
    assert facts.last_session_at == second.starts_at
    assert (facts.vision_adopted_at, facts.strategy_adopted_at) == (latest.adopted_at, latest.adopted_at)
    assert facts.strategy_change_count == 2
    assert facts.coaching_booked_minutes == 300
    assert by_name[busy.name].coaching_used_minutes == 120  # held or to come: read with the page
    assert by_name[busy.name].coaching_planned_minutes == 180
    assert by_name[quiet.name].progress.last_session_id is None  # invited to Module 2, nobody ticked present
    assert by_name[quiet.name].progress.strategy_adopted_at is None
    assert by_name[bare.name].progress.last_session_at is None
    assert by_name[bare.name].progress.vision_adopted_at is None

    # Cancelling the last session attended moves the fact back, in the same transaction.
    second.cancelled_at = timezone.now()
    second.save()
    busy_facts = Site.objects.select_related("progress").get(pk=busy.pk).progress
    assert (busy_facts.last_session_title, busy_facts.last_session_at) == ("Module 1", first.starts_at)
    assert progress.stale() == {}


def test_a_page_whose_sites_have_no_coaching_booked_looks_no_hours_up(world, django_assert_num_queries):
    """Hours to come exist only where coaching is booked: such a page makes no lookup, and reads 0 used and 0
    planned; a page with one booked site looks them up once."""
    quiet, busy = world.site_a, world.site_b
    make_session([busy], kind=SessionKind.SITE_COACHING, title="Prévu", starts_at=at(days=4), hours=3)
    make_session([busy], kind=SessionKind.SITE_COACHING, title="Fait", starts_at=at(days=-4), hours=1)
    make_session([quiet], title="Module 1", starts_at=at(days=2))  # not coaching: books nothing

    def page(*sites):
        ids = [site.pk for site in sites]
        return list(Site.objects.select_related("progress").filter(pk__in=ids).order_by("pk"))

    quiet_page = page(quiet)
    with django_assert_num_queries(0):
        columns.enrich(quiet_page)
    assert (quiet_page[0].coaching_used_minutes, quiet_page[0].coaching_planned_minutes) == (0, 0)
    both = page(quiet, busy)
    with django_assert_num_queries(1):
        columns.enrich(both)
    by_pk = {site.pk: site for site in both}
    assert (by_pk[busy.pk].coaching_used_minutes, by_pk[busy.pk].coaching_planned_minutes) == (60, 180)
    assert (by_pk[quiet.pk].coaching_used_minutes, by_pk[quiet.pk].coaching_planned_minutes) == (0, 0)
