"""Coaching hours: sessions count against the site's budget (its wave's, or its own), overbooking needs a
reason and is shown, the journal records held coaching once, totals per CRPV."""

import datetime as dt
from decimal import Decimal

import pytest

from collectives.enums import SessionKind
from collectives.services import coaching
from collectives.sessions import services
from sites.enums import EventKind
from sites.models import Site, SiteEvent
from tests.sessions.factories import at, make_session
from tests.sites.factories import ResourceCentreFactory, SiteFactory, department, region


def _coaching(site, *, days, hours, **extra):
    return make_session([site], kind=SessionKind.SITE_COACHING, starts_at=at(days=days), hours=hours, **extra)


def _plan(site, *, days, hours, reason=""):
    starts = at(days=days)
    return services.Plan(
        kind=SessionKind.SITE_COACHING,
        title="Accompagnement",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        region=site.department.region,
        sites=[site],
        place="Centre social",
        overbooking_reason=reason,
    )


def test_used_and_planned_hours_count_against_the_wave_budget(world):
    _coaching(world.site_a, days=-20, hours=2)
    _coaching(world.site_a, days=-5, hours=1.5)
    _coaching(world.site_a, days=10, hours=3)
    _coaching(world.site_b, days=-3, hours=4)  # another site's hours
    make_session(
        [world.site_a], kind=SessionKind.REGIONAL_MODULE, starts_at=at(days=-2), hours=6
    )  # not coaching
    cancelled = _coaching(world.site_a, days=-1, hours=2)
    cancelled.cancelled_at = cancelled.starts_at
    cancelled.save()
    balance = coaching.balance_of(world.site_a)
    assert balance.budget == Decimal("10")
    assert (balance.used, balance.planned, balance.left) == (Decimal("3.5"), Decimal("3.0"), Decimal("3.5"))
    assert not balance.over_budget
    assert balance.percent_used == 65


def test_the_site_pages_card_reads_the_balance_and_the_next_session_at_once(client, world):
    """The sessions card of the site page: the balance and the next session (any kind, not cancelled, not
    over) from one read of the site's sessions, as `balance_of` and the site's upcoming sessions say."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from collectives.sessions.services import site_sessions, upcoming

    _coaching(world.site_a, days=-20, hours=2)
    _coaching(world.site_a, days=12, hours=3)
    _coaching(world.site_b, days=1, hours=4)  # another site's
    module = make_session(
        [world.site_a], kind=SessionKind.REGIONAL_MODULE, title="Module régional", starts_at=at(days=5)
    )
    cancelled = _coaching(world.site_a, days=2, hours=2, title="Annulée")
    cancelled.cancelled_at = cancelled.starts_at
    cancelled.save()
    with CaptureQueriesContext(connection) as captured:
        balance, next_session = coaching.balance_and_next(world.site_a)
    assert len(captured) == 1
    expected = coaching.balance_of(world.site_a)
    assert (balance.used, balance.planned) == (expected.used, expected.planned)
    assert balance.budget == expected.budget
    assert (balance.used, balance.planned) == (Decimal("2.0"), Decimal("3.0"))
    assert next_session == upcoming(site_sessions(world.site_a).active()).first() == module
    assert next_session.title == "Module régional"
    world.login(client, world.seat_holder_a)
    page = client.get(world.site_a.get_absolute_url()).content.decode()
    assert "<strong>2\u00a0h</strong> utilisées" in page and "<strong>3\u00a0h</strong> prévues" in page
    assert "<strong>Prochaine session\u00a0:</strong>" in page and "Module régional</a>" in page
    # Another site's card: its own coaching session to come, none of site A's.
    balance, next_session = coaching.balance_and_next(world.site_b)
    assert (balance.used, balance.planned) == (0, Decimal("4.0"))
    assert next_session.kind == SessionKind.SITE_COACHING


def test_a_site_budget_overrides_the_wave(world):
    Site.objects.filter(pk=world.site_a.pk).update(coaching_hours_budget=Decimal("4"))
    _coaching(world.site_a, days=-1, hours=5)
    balance = coaching.balance_of(Site.objects.get(pk=world.site_a.pk))
    assert balance.budget == Decimal("4")
    assert balance.over_budget and balance.overrun == Decimal("1.0")
    assert balance.gauge_step == 20


def test_overbooking_is_refused_without_a_reason(world):
    _coaching(world.site_a, days=-10, hours=9)
    with pytest.raises(services.SessionError) as error:
        services.plan_session(world.facilitator_a, _plan(world.site_a, days=3, hours=2))
    assert error.value.field == "overbooking_reason"
    assert "11 h" in error.value.message and "10 h" in error.value.message


def test_overbooking_with_a_reason_is_allowed_and_shown(world):
    _coaching(world.site_a, days=-10, hours=9)
    session = services.plan_session(
        world.facilitator_a, _plan(world.site_a, days=3, hours=2, reason="Passation du délégué du préfet")
    )
    assert session.overbooking_reason == "Passation du délégué du préfet"
    assert coaching.balance_of(world.site_a).over_budget


def test_editing_a_session_does_not_count_it_twice(world):
    session = services.plan_session(world.facilitator_a, _plan(world.site_a, days=3, hours=6))
    # 6 h already booked: moving it to 8 h stays within 10 h (it replaces itself, it does not add up)
    services.update_session(
        session,
        _plan(world.site_a, days=4, hours=8),
        user=world.facilitator_a,
        expected_version=session.version,
    )
    session.refresh_from_db()
    assert session.duration_minutes == 480


def test_a_coaching_session_logged_after_the_fact_writes_the_journal_once(world):
    session = services.plan_session(world.facilitator_a, _plan(world.site_a, days=-2, hours=2))
    events = SiteEvent.objects.filter(site=world.site_a, kind=EventKind.COACHING)
    assert events.count() == 1
    assert "2 h" in events.get().summary and "sur 10 h" in events.get().summary
    assert coaching.record_if_held(session) is False
    assert coaching.record_held() == 0
    assert events.count() == 1


def test_a_coaching_session_to_come_is_journaled_by_the_hourly_task_once_held(world):
    from collectives.tasks import record_held_coaching

    session = services.plan_session(world.facilitator_a, _plan(world.site_a, days=2, hours=2))
    assert not SiteEvent.objects.filter(kind=EventKind.COACHING).exists()
    assert coaching.record_held(now=session.starts_at + dt.timedelta(hours=3)) == 1
    assert record_held_coaching.delay().get() == 0  # run again (eager): nothing new
    assert SiteEvent.objects.filter(site=world.site_a, kind=EventKind.COACHING).count() == 1


def test_hours_read_in_french():
    assert coaching.hours(Decimal("10.0")) == "10"
    assert coaching.hours(Decimal("2.5")) == "2,5"
    assert coaching.to_hours(90) == Decimal("1.5")


def test_overview_groups_sites_by_the_crpv_of_their_region(world):
    centre_b = ResourceCentreFactory(name="IREV", regions=[region("32")])
    other_a = SiteFactory(name="Autre A", department=department("42"))
    _coaching(world.site_a, days=-1, hours=2)
    _coaching(other_a, days=-1, hours=11)
    groups = coaching.overview(Site.objects.all())
    by_centre = {g.centre: g for g in groups}
    centre_a = world.facilitator_a.resource_centre
    assert {b.site for b in by_centre[centre_a].balances} == {world.site_a, other_a}
    assert by_centre[centre_a].used == Decimal("13.0")
    assert by_centre[centre_a].over_budget_count == 1
    assert [b.site for b in by_centre[centre_b].balances] == [world.site_b]


def test_overview_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    for index in range(5):
        _coaching(SiteFactory(department=department("42")), days=-1, hours=1 + index)
    with django_assert_num_queries(3):
        groups = coaching.overview(Site.objects.all())
        assert sum(len(g.balances) for g in groups) == 7
