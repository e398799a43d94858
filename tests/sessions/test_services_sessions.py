"""Planning rules (who plans what, for which sites), invitations, guests, attendance and its journal entry."""

import datetime as dt

import pytest

from collectives.enums import MemberRole, SessionKind
from collectives.sessions import services
from sites.enums import EventKind
from sites.models import SiteEvent
from tests.collectives.factories import FacilitatorFactory, MembershipFactory
from tests.sessions.factories import at, make_session
from tests.sites.factories import ResourceCentreFactory, SiteFactory, department, region


def _plan(sites, *, kind=SessionKind.REGIONAL_MODULE, hours=3, days=7, reg="auto", **extra):
    starts = at(days=days)
    values = {
        "kind": kind,
        "title": "Module régional",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=hours),
        "region": sites[0].department.region if reg == "auto" else reg,
        "sites": sites,
        "place": "Maison de quartier",
    }
    values.update(extra)
    return services.Plan(**values)


def test_a_facilitator_plans_a_module_for_sites_of_their_region_and_members_are_invited(world, site_a2):
    session = services.plan_session(
        world.facilitator_a, _plan([world.site_a, site_a2], facilitators=[world.facilitator_a])
    )
    invited = {p.user for p in session.participants.all()}
    assert invited == {world.seat_holder_a, world.partner_a, site_a2.memberships.get().user}
    assert session.duration_minutes == 180
    assert session.region == region("84")
    assert {p.member_role for p in session.participants.filter(site=world.site_a)} == {
        MemberRole.CIVIL_SOCIETY,
        MemberRole.PARTNER,
    }


def test_a_facilitator_may_not_invite_a_site_of_another_region(world):
    with pytest.raises(services.SessionError) as error:
        services.plan_session(world.facilitator_a, _plan([world.site_a, world.site_b], reg=region("84")))
    assert error.value.field == "sites"
    assert "Quartier B" in error.value.message


def test_a_facilitator_may_not_plan_in_a_region_their_centre_does_not_cover(world):
    with pytest.raises(services.SessionError) as error:
        services.plan_session(world.facilitator_a, _plan([world.site_b]))
    assert error.value.field == "region"
    assert "ne couvre pas" in error.value.message


def test_national_kinds_are_planned_by_national_staff_only(world):
    plan = _plan([world.site_a], kind=SessionKind.NATIONAL_TRAINING, reg=None)
    with pytest.raises(services.SessionError) as error:
        services.plan_session(world.facilitator_a, plan)
    assert error.value.field == "kind"
    session = services.plan_session(
        world.national, _plan([world.site_a, world.site_b], kind=SessionKind.NATIONAL_TRAINING, reg=None)
    )
    assert session.is_national and session.sites.count() == 2


def test_a_regional_session_keeps_to_its_region(world):
    plan = _plan([world.site_a, world.site_b], reg=region("84"))
    with pytest.raises(services.SessionError) as error:
        services.plan_session(world.national, plan)
    assert "ne sont pas en Auvergne-Rhône-Alpes" in error.value.message


def test_coaching_concerns_one_site(world, site_a2):
    with pytest.raises(services.SessionError) as error:
        services.plan_session(
            world.facilitator_a, _plan([world.site_a, site_a2], kind=SessionKind.SITE_COACHING)
        )
    assert error.value.field == "sites"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"place": "", "online_url": ""}, "place"),
        ({"sites": []}, "sites"),
    ],
)
def test_a_plan_needs_a_place_or_link_and_sites(world, changes, field):
    plan = _plan([world.site_a])
    for name, value in changes.items():
        setattr(plan, name, value)
    with pytest.raises(services.SessionError) as error:
        services.plan_session(world.facilitator_a, plan)
    assert error.value.field == field


def test_an_online_session_needs_no_place(world):
    session = services.plan_session(
        world.facilitator_a,
        _plan([world.site_a], kind=SessionKind.WEBINAR, place="", online_url="https://visio.exemple.fr/a"),
    )
    assert session.online_url == "https://visio.exemple.fr/a"


def test_the_end_comes_after_the_start(world):
    starts = at(days=3)
    plan = _plan([world.site_a], starts_at=starts, ends_at=starts - dt.timedelta(minutes=1))
    with pytest.raises(services.SessionError) as error:
        services.plan_session(world.facilitator_a, plan)
    assert error.value.field == "ends_at"


def test_facilitators_come_from_the_centres_covering_the_region(world):
    other = FacilitatorFactory(resource_centre=ResourceCentreFactory(regions=[region("32")]))
    with pytest.raises(services.SessionError) as error:
        services.plan_session(world.facilitator_a, _plan([world.site_a], facilitators=[other]))
    assert error.value.field == "facilitators"
    session = services.plan_session(world.facilitator_a, _plan([world.site_a], facilitators=[world.national]))
    assert list(session.facilitators.all()) == [world.national]


def test_changing_the_sites_invites_the_new_members_and_drops_those_not_yet_present(world, site_a2, module):
    partner = module.participants.get(user=world.partner_a)
    services.set_presence(partner, True, actor=world.facilitator_a)
    plan = _plan([site_a2], title=module.title)
    services.update_session(module, plan, user=world.facilitator_a, expected_version=module.version)
    users = set(module.participants.values_list("user", flat=True))
    # site A's seat holder is dropped; its partner, already ticked present, stays in the history
    assert world.seat_holder_a.pk not in users
    assert world.partner_a.pk in users
    assert site_a2.memberships.get().user.pk in users


def test_a_stale_edit_is_refused(world, module):
    from qic.locking import EditConflict

    services.update_session(
        module, _plan([world.site_a], title="Première"), user=world.national, expected_version=module.version
    )
    with pytest.raises(EditConflict):
        services.update_session(
            module, _plan([world.site_a], title="Seconde"), user=world.facilitator_a, expected_version=1
        )
    module.refresh_from_db()
    assert module.title == "Première"


def test_guests_are_named_once(world, module):
    guest = services.add_guest(
        module, name="Inès Martin", organisation="CAF", email="Ines@Exemple.fr", actor=world.facilitator_a
    )
    assert guest.is_guest and guest.email == "ines@exemple.fr"
    with pytest.raises(services.SessionError) as error:
        services.add_guest(
            module, name="Inès M.", organisation="", email="ines@exemple.fr", actor=world.facilitator_a
        )
    assert error.value.field == "email"
    with pytest.raises(services.SessionError):
        services.add_guest(
            module, name="Quelqu’un", organisation="", email=world.seat_holder_a.email, actor=None
        )


def test_a_guest_without_address_is_named_once_whatever_the_accents_and_case(world, module):
    services.add_guest(module, name="Inès Martin", organisation="CAF de la Loire", email="", actor=None)
    with pytest.raises(services.SessionError) as error:
        services.add_guest(
            module, name="  ines MARTIN ", organisation="caf de la loire", email="", actor=None
        )
    assert error.value.field == "name" and "déjà invité·e" in error.value.message
    # A namesake from another organisation is another person.
    services.add_guest(module, name="Inès Martin", organisation="Mairie", email="", actor=None)
    assert module.participants.filter(user__isnull=True).count() == 2


def test_a_guest_comes_for_a_site_of_the_session_only(world, module):
    with pytest.raises(services.SessionError) as error:
        services.add_guest(module, name="X", organisation="", email="", site=world.site_b, actor=None)
    assert error.value.field == "site"


def test_attending_writes_one_journal_entry_per_site(world, module):
    seat, partner = (
        module.participants.get(user=world.seat_holder_a),
        module.participants.get(user=world.partner_a),
    )
    services.set_presence(seat, True, actor=world.facilitator_a)
    services.set_presence(partner, True, actor=world.facilitator_a)
    services.set_presence(seat, False, actor=world.facilitator_a)
    services.set_presence(seat, True, actor=world.facilitator_a)
    events = SiteEvent.objects.filter(site=world.site_a, kind=EventKind.SESSION_ATTENDED)
    assert events.count() == 1
    assert module.title in events.get().summary
    assert events.get().subject == f"collectives.session:{module.pk}"
    # the other site of the module has nobody present yet: nothing in its journal
    assert not SiteEvent.objects.filter(kind=EventKind.SESSION_ATTENDED).exclude(site=world.site_a).exists()


def test_a_present_person_is_not_removed(world, module):
    seat = module.participants.get(user=world.seat_holder_a)
    services.set_presence(seat, True, actor=None)
    seat.refresh_from_db()
    with pytest.raises(services.SessionError):
        services.remove_participant(seat)


def test_cancelling_keeps_the_session_and_bumps_its_version(world, module):
    version = module.version
    services.cancel_session(module, user=world.facilitator_a, reason="Grève des transports")
    module.refresh_from_db()
    assert module.is_cancelled and module.cancel_reason == "Grève des transports"
    assert module.version == version + 1


def test_my_sessions_are_those_of_my_sites_my_invitations_and_my_facilitation(world, module, site_a2):
    other = make_session([world.site_b], title="Ailleurs")
    assert set(services.my_sessions(world.seat_holder_a)) == {module}
    assert set(services.my_sessions(world.facilitator_a)) == {module}
    assert set(services.my_sessions(world.seat_holder_b)) == {other}
    assert not services.my_sessions(world.outsider).exists()


def test_departed_members_are_not_invited(world):
    site = SiteFactory(department=department("42"))
    MembershipFactory(site=site, role=MemberRole.PARTNER, ended_on=dt.date(2025, 1, 1))
    session = make_session([site])
    assert session.participants.count() == 0
