"""The table's page-level enrichment gives what the sort annotations give (two ways to the same figures)."""

import datetime as dt

import pytest
from django.utils import timezone

from collectives.enums import SessionKind
from collectives.models import Participant
from sites.dashboard import columns
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


def test_enrichment_matches_the_sort_annotations(world):
    busy, quiet = world.site_a, world.site_b
    bare = SiteFactory(name="Sans rien")
    # Sessions: an attended past one, a later attended one, a cancelled one, coaching past and to come.
    first = make_session([busy], title="Module 1", starts_at=at(days=-30))
    second = make_session([busy, quiet], title="Module 2", starts_at=at(days=-10))
    cancelled = make_session([busy], title="Annulée", starts_at=at(days=-5), cancelled_at=timezone.now())
    Participant.objects.filter(session__in=[first, second, cancelled], site=busy).update(present=True)
    make_session(
        [busy], kind=SessionKind.SITE_COACHING, title="Coaching fait", starts_at=at(days=-3), hours=2
    )
    make_session(
        [busy], kind=SessionKind.SITE_COACHING, title="Coaching prévu", starts_at=at(days=4), hours=3
    )
    # Vision: adopted twice (the latest with its strategy), a draft; changes in the strategy.
    _revision(busy, 1, adopted_days_ago=40)
    _revision(busy, 2, adopted_days_ago=20, with_strategy=True)
    _revision(busy, 3)
    _revision(quiet, 1, adopted_days_ago=15)
    ChangeFactory(site=busy)
    ChangeFactory(site=busy)

    names = [
        "vision_adopted_at",
        "strategy_adopted_at",
        "strategy_change_count",
        "strategy_drafted",
        "last_session_at",  # the sort key; the session's title and link are the page's (checked below)
        "coaching_used_minutes",
        "coaching_planned_minutes",
        "coaching_booked_minutes",
    ]
    sites = columns.enrich(list(Site.objects.filter(pk__in=[busy.pk, quiet.pk, bare.pk]).order_by("pk")))
    annotated = columns.annotate_sessions(columns.annotate_vision(Site.objects.all()))
    expected = {row["pk"]: row for row in annotated.filter(pk__in=[s.pk for s in sites]).values("pk", *names)}
    for site in sites:
        assert {name: getattr(site, name) for name in names} == {
            name: expected[site.pk][name] for name in names
        }, site.name
    by_name = {site.name: site for site in sites}
    assert (by_name[busy.name].last_session_title, by_name[busy.name].last_session_id) == (
        "Module 2",
        second.pk,
    )
    assert by_name[quiet.name].last_session_id is None  # invited to Module 2, nobody ticked present
    assert by_name[busy.name].coaching_used_minutes == 120
    assert by_name[busy.name].coaching_planned_minutes == 180
    assert by_name[busy.name].strategy_change_count == 2
    assert by_name[bare.name].last_session_at is None and by_name[bare.name].vision_adopted_at is None
