"""The members page: seats with vacancies, members, history, and who sees contacts."""

import pytest
from django.urls import reverse

from collectives.enums import MemberRole
from tests.collectives.factories import InvitationFactory, MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.every_database]


def _url(site):
    return reverse("collectives:members", args=[site.slug])


def test_members_page_shows_seats_vacancies_members_and_history(client, world, django_assert_max_num_queries):
    MembershipFactory(site=world.site_a, role=MemberRole.RESIDENT)
    MembershipFactory(site=world.site_a, role=MemberRole.PARTNER, ended_on="2025-01-31")
    InvitationFactory(site=world.site_a, role=MemberRole.MUNICIPALITY, first_name="Marc", last_name="Petit")
    world.login(client, world.partner_a)
    with django_assert_max_num_queries(12):
        response = client.get(_url(world.site_a))
    page = response.content.decode()
    assert page.count("Siège vacant") == 2  # prefect's delegate and municipality
    assert "Invitation envoyée à <strong>Marc Petit</strong>" in page
    assert "Membres actuels (3)" in page and "Participations terminées (1)" in page
    # A partner reads the collective but not its contacts, and gets no management buttons.
    assert world.seat_holder_a.email not in page
    assert "Inviter une personne" not in page and "Remplacer" not in page


def test_the_query_count_does_not_grow_with_the_collective(client, world, django_assert_max_num_queries):
    for _ in range(25):
        MembershipFactory(site=world.site_a, role=MemberRole.RESIDENT)
    world.login(client, world.facilitator_a)
    with django_assert_max_num_queries(12):
        page = client.get(_url(world.site_a)).content.decode()
    assert "Membres actuels (27)" in page and "Remplacer" in page and world.seat_holder_a.email in page


def test_outsiders_of_the_site_get_a_404(client, world):
    world.login(client, world.seat_holder_b)
    assert client.get(_url(world.site_a)).status_code == 404


def test_site_menu_links_the_collective_pages(client, world):
    world.login(client, world.seat_holder_a)
    page = client.get(reverse("sites:detail", args=[world.site_a.slug])).content.decode()
    for name in ("collectives:members", "collectives:agreement", "collectives:backbone"):
        assert f'href="{reverse(name, args=[world.site_a.slug])}"' in page
    assert "Pas commencée" in page and "0 rôle sur 7 porté" in page
