"""The backbone support structure: who carries each of the seven roles, and the coverage view."""

import pytest
from django.urls import reverse

from collectives.enums import BackboneRole
from collectives.models import BackboneAssignment

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(site, role=None):
    if role is None:
        return reverse("collectives:backbone", args=[site.slug])
    return reverse("collectives:backbone_role", args=[site.slug, role])


def test_coverage_lists_the_seven_roles_nobody_yet(client, world, django_assert_max_num_queries):
    world.login(client, world.partner_a)
    with django_assert_max_num_queries(10):
        page = client.get(_url(world.site_a)).content.decode()
    for role in BackboneRole:
        assert role.label in page
    assert "0 rôle sur 7 porté" in page and page.count("Personne pour l’instant") == 14  # table + cards
    assert "Désigner" not in page


def test_a_seat_holder_assigns_a_person_and_an_organisation_inline(client, world):
    world.login(client, world.seat_holder_a)
    response = client.post(
        _url(world.site_a, "vision"),
        {
            "person": world.partner_a.pk,
            "organisation": "Mission locale",
            "note": "Relit la vision.",
            "version": 1,
        },
        **HTMX,
    )
    html = response.content.decode()
    assert "<html" not in html and "Mission locale" in html and 'hx-swap-oob="true"' in html
    assert "1 rôle sur 7 porté" in html
    assignment = BackboneAssignment.objects.get(site=world.site_a, role="vision")
    assert assignment.person == world.partner_a and assignment.is_carried


def test_an_organisation_alone_carries_a_role(client, world):
    world.login(client, world.seat_holder_a)
    client.post(_url(world.site_a, "resources"), {"organisation": "Ville", "version": 1})
    assert "1 rôle sur 7 porté" in client.get(_url(world.site_a)).content.decode()


def test_the_site_page_counts_the_roles_carried_as_the_coverage_does(client, world):
    """A person or an organisation carries a role; a note alone does not: the site page's line and the
    coverage page say the same."""
    world.login(client, world.seat_holder_a)
    client.post(_url(world.site_a, "vision"), {"person": world.partner_a.pk, "version": 1})
    client.post(_url(world.site_a, "resources"), {"organisation": "Ville", "version": 1})
    client.post(_url(world.site_a, "trust"), {"note": "À trouver.", "version": 1})
    assert BackboneAssignment.objects.filter(site=world.site_a).count() == 3
    assert "2 rôles sur 7 portés" in client.get(_url(world.site_a)).content.decode()
    assert "2 rôles sur 7 portés" in client.get(world.site_a.get_absolute_url()).content.decode()


def test_only_members_of_the_site_can_be_named(client, world):
    world.login(client, world.seat_holder_a)
    response = client.post(_url(world.site_a, "trust"), {"person": world.seat_holder_b.pk, "version": 1})
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not BackboneAssignment.objects.exists()


def test_partners_read_but_do_not_assign(client, world):
    world.login(client, world.partner_a)
    assert client.post(_url(world.site_a, "trust"), {"organisation": "X", "version": 1}).status_code == 403


def test_unknown_role_is_a_404(client, world):
    world.login(client, world.seat_holder_a)
    assert client.get(_url(world.site_a, "inconnu")).status_code == 404
