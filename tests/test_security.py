"""Security rules that hold for every URL: CSRF on every POST, rights re-read on every request."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_tenancy import RULES

pytestmark = pytest.mark.every_database


@pytest.mark.parametrize(("name", "rule"), [pytest.param(n, r, id=n) for n, r in RULES.items()])
def test_every_url_refuses_a_post_without_csrf_token(world, name, rule):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.national)
    response = client.post(reverse(name, kwargs=rule.kwargs(world)), {"name": "x"})
    assert response.status_code == 403


def test_a_demoted_national_agent_is_refused_on_the_next_request(client, world):
    client.force_login(world.national)
    assert client.get(reverse("audit_log")).status_code == 200
    world.national.role = "member"
    world.national.save()
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(world.site_b.get_absolute_url()).status_code == 404


def test_a_member_whose_membership_ended_loses_the_site_on_the_next_request(client, world):
    client.force_login(world.partner_a)
    assert client.get(world.site_a.get_absolute_url()).status_code == 200
    membership = world.partner_a.memberships.get()
    membership.ended_on = membership.started_on
    membership.save()
    assert client.get(world.site_a.get_absolute_url()).status_code == 404


def test_a_facilitator_moved_to_another_centre_loses_the_old_region(client, world):
    from tests.sites.factories import ResourceCentreFactory, region

    client.force_login(world.facilitator_a)
    assert client.get(world.site_a.get_absolute_url()).status_code == 200
    world.facilitator_a.resource_centre = ResourceCentreFactory(regions=[region("32")])
    world.facilitator_a.save()
    assert client.get(world.site_a.get_absolute_url()).status_code == 404
    assert client.get(world.site_b.get_absolute_url()).status_code == 200
