"""The access module: who sees which sites, and what each role may do on a site."""

import pytest
from django.http import Http404

from collectives.enums import MemberRole
from collectives.models import Membership, Participant
from qic import access
from sites.models import Site
from tests.collectives.factories import MembershipFactory
from tests.sessions.factories import make_session


def slugs(qs):
    return sorted(qs.values_list("slug", flat=True))


def ids(qs):
    return sorted(qs.values_list("pk", flat=True))


def test_national_and_steering_see_every_site(world):
    assert slugs(access.visible_sites(world.national)) == ["quartier-a", "quartier-b"]
    assert slugs(access.visible_sites(world.steering)) == ["quartier-a", "quartier-b"]


def test_facilitator_sees_the_sites_of_their_centres_regions_only(world):
    assert slugs(access.visible_sites(world.facilitator_a)) == ["quartier-a"]


def test_a_facilitators_regions_are_read_from_their_centres_list_alone(
    world, client, django_assert_max_num_queries
):
    """The sites and sessions a facilitator sees are those of the regions their centre covers, read from the
    centre's list of regions: no query of the centre itself, no join through the regions (each one was more
    SQL for Django to compile and PostgreSQL to plan on every page of theirs)."""
    client.force_login(world.facilitator_a)
    with django_assert_max_num_queries(40) as queries:
        for path in ("/sites/", "/sessions/", world.site_a.get_absolute_url()):
            assert client.get(path).status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert any('FROM "sites_resourcecentre_regions"' in text for text in sql)
    assert not any('FROM "sites_resourcecentre" ' in text for text in sql)
    assert not any('JOIN "sites_resourcecentre_regions"' in text for text in sql)
    assert client.get(world.site_b.get_absolute_url()).status_code == 404  # another centre's region


def test_member_sees_only_the_sites_where_they_are_a_current_member(world):
    assert slugs(access.visible_sites(world.seat_holder_a)) == ["quartier-a"]
    assert slugs(access.visible_sites(world.partner_a)) == ["quartier-a"]
    assert slugs(access.visible_sites(world.outsider)) == []


def test_ended_membership_closes_the_site(world):
    membership = world.seat_holder_a.memberships.get()
    membership.ended_on = membership.started_on
    membership.save()
    assert slugs(access.visible_sites(world.seat_holder_a)) == []


def test_deactivated_account_sees_nothing(world):
    world.national.is_active = False
    world.national.save()
    assert slugs(access.visible_sites(world.national)) == []


def test_queryset_shortcut_goes_through_the_access_module(world):
    assert slugs(Site.objects.visible_to(world.facilitator_a)) == ["quartier-a"]
    assert slugs(Site.objects.filter(slug="quartier-b").visible_to(world.facilitator_a)) == []


def test_member_of_two_sites_sees_each_once(world):
    MembershipFactory(site=world.site_b, user=world.partner_a, role=MemberRole.RESIDENT)
    assert slugs(access.visible_sites(world.partner_a)) == ["quartier-a", "quartier-b"]


@pytest.mark.parametrize(
    ("role", "read", "edit", "comment", "sessions", "report", "manage", "invite_trinome", "invite_members"),
    [
        ("national", True, True, True, True, True, True, True, True),
        ("steering", True, False, False, False, True, False, False, False),
        ("facilitator_a", True, False, True, True, True, False, True, True),
        ("seat_holder_a", True, True, True, False, True, False, False, True),
        ("partner_a", True, False, True, False, False, False, False, False),
        ("outsider", False, False, False, False, False, False, False, False),
    ],
)
def test_what_each_role_may_do_on_site_a(
    world, role, read, edit, comment, sessions, report, manage, invite_trinome, invite_members
):
    rights = access.SiteAccess(getattr(world, role), world.site_a)
    if read:  # what the pages use: the site and the same rights found in one lookup (qic.middleware)
        found = access.site_access_for(getattr(world, role), world.site_a.slug)
        assert found.site == world.site_a
        assert {name: getattr(found, name) for name in RIGHTS} == {
            name: getattr(rights, name) for name in RIGHTS
        }
    else:
        with pytest.raises(Http404):
            access.site_access_for(getattr(world, role), world.site_a.slug)
    assert rights.can_read is read
    assert rights.can_edit_work is edit
    assert rights.can_comment is comment
    assert rights.can_run_sessions is sessions
    assert rights.can_download_report is report
    assert rights.can_manage is manage
    assert rights.can_invite_trinome is invite_trinome
    assert rights.can_invite_members is invite_members


RIGHTS = [name for name, value in vars(access.SiteAccess).items() if isinstance(value, property)]


def test_a_seat_holder_of_one_site_has_no_rights_on_another(world):
    with pytest.raises(Http404):
        access.site_access_for(world.seat_holder_a, world.site_b.slug)
    rights = access.SiteAccess(world.seat_holder_a, world.site_b)
    assert not rights.can_read
    assert not rights.can_edit_work
    assert not rights.can_comment


def test_facilitator_has_no_rights_outside_their_regions(world):
    with pytest.raises(Http404):
        access.site_access_for(world.facilitator_a, world.site_b.slug)
    rights = access.SiteAccess(world.facilitator_a, world.site_b)
    assert not rights.can_read
    assert not rights.can_run_sessions


def test_a_scope_sees_what_visible_sites_and_report_sites_see_for_every_role(world):
    """`access.Scope` (the search's seven kinds read a member's sites once) answers what the functions
    answer: a member's sites where they hold any role, their bilans where they hold a seat, the sessions of
    their sites or where they are invited, nothing ended; `rows` keeps a site's row exactly when it is
    visible."""
    make_session([world.site_a], title="Session A")
    make_session([world.site_b], title="Session B", invite=False)
    invited = make_session([world.site_b], title="Session B, invité de A", invite=False)
    Participant.objects.create(session=invited, user=world.seat_holder_a)
    second = MembershipFactory(site=world.site_b, user=world.partner_a, role=MemberRole.MUNICIPALITY)
    ended = MembershipFactory(site=world.site_b, user=world.seat_holder_a, role=MemberRole.PREFECT_DELEGATE)
    ended.ended_on = ended.started_on
    ended.save()
    world.steering.is_active = False
    world.steering.save()
    for role in ("national", "steering", "facilitator_a", "seat_holder_a", "partner_a", "seat_holder_b"):
        user = getattr(world, role)
        scope = access.Scope(user)
        assert slugs(scope.sites()) == slugs(access.visible_sites(user)), role
        assert slugs(scope.report_sites()) == slugs(access.report_sites(user)), role
        assert ids(scope.sessions()) == ids(access.visible_sessions(user)), role
        visible = Membership.objects.filter(site__in=access.visible_sites(user))
        assert ids(scope.rows(Membership.objects.all())) == ids(visible), role
    assert slugs(access.Scope(world.partner_a).sites()) == ["quartier-a", "quartier-b"]
    assert slugs(access.Scope(world.partner_a).report_sites()) == ["quartier-b"]  # a seat there, not in A
    assert slugs(access.Scope(world.seat_holder_a).sites()) == ["quartier-a"]
    assert slugs(access.Scope(world.outsider).sites()) == []
    assert second.site == world.site_b
