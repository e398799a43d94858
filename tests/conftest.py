"""Shared fixtures: a small world of two sites in two regions and one user per role."""

import re
from dataclasses import dataclass

import pytest
from django.test import Client

from collectives.enums import MemberRole
from tests.collectives.factories import (
    PASSWORD,
    FacilitatorFactory,
    MembershipFactory,
    NationalFactory,
    SteeringFactory,
    UserFactory,
)
from tests.sites.factories import ResourceCentreFactory, SiteFactory, department, region

# The mock ProConnect provider and its `proconnect` fixture (account security tests and browser journeys).
pytest_plugins = ["tests.collectives.proconnect_mock"]

UNRENDERED = re.compile(r"\{%\s*[a-z_]+\b[^%]*%\}|\{\{\s*[\w.]+\s*(\|[^{}]*)?\}\}")


class StrictClient(Client):
    """A test client that fails when a page shows template syntax instead of rendering it."""

    def request(self, **request):
        response = super().request(**request)
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith("text/html") and not getattr(response, "streaming", False):
            leftover = UNRENDERED.search(response.content.decode())
            assert leftover is None, (
                f"Unrendered template syntax {leftover[0]!r} in {request.get('PATH_INFO')}"
            )
        return response


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache():
    """Each test's database starts over: so do the dashboard's cached roll-ups (local-memory cache)."""
    from django.core.cache import caches

    caches["dashboard"].clear()


@pytest.fixture
def client():
    return StrictClient()


@dataclass
class World:
    """Site A (Loire, Auvergne-Rhône-Alpes) and site B (Nord, Hauts-de-France), and their people."""

    site_a: object
    site_b: object
    national: object
    steering: object
    facilitator_a: object  # CRPV covering site A's region only
    seat_holder_a: object  # civil-society seat of site A
    partner_a: object
    seat_holder_b: object
    outsider: object  # a member of no site

    def login(self, client, user):
        client.force_login(user)
        return client


@pytest.fixture
def world(db):
    site_a = SiteFactory(name="Quartier A", slug="quartier-a", department=department("42"))
    site_b = SiteFactory(
        name="Quartier B", slug="quartier-b", department=department("59"), communes="Roubaix"
    )
    centre_a = ResourceCentreFactory(regions=[region("84")])
    seat_a = MembershipFactory(site=site_a, role=MemberRole.CIVIL_SOCIETY).user
    partner_a = MembershipFactory(site=site_a, role=MemberRole.PARTNER).user
    seat_b = MembershipFactory(site=site_b, role=MemberRole.CIVIL_SOCIETY).user
    return World(
        site_a=site_a,
        site_b=site_b,
        national=NationalFactory(email="national@exemple.fr"),
        steering=SteeringFactory(email="comite@exemple.fr"),
        facilitator_a=FacilitatorFactory(email="crpv@exemple.fr", resource_centre=centre_a),
        seat_holder_a=seat_a,
        partner_a=partner_a,
        seat_holder_b=seat_b,
        outsider=UserFactory(email="personne@exemple.fr"),
    )


@pytest.fixture
def password():
    return PASSWORD
