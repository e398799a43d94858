"""Fixtures of the sessions tests: a second site in facilitator A's region and a regional module of both."""

import pytest

from collectives.enums import MemberRole, SessionKind
from tests.collectives.factories import MembershipFactory
from tests.sessions.factories import at, make_session
from tests.sites.factories import SiteFactory, department


@pytest.fixture
def site_a2(world):
    """Another site of region 84 (covered by facilitator A), with its civil-society seat held."""
    site = SiteFactory(name="Quartier A2", slug="quartier-a2", department=department("69"), communes="Lyon")
    MembershipFactory(site=site, role=MemberRole.CIVIL_SOCIETY)
    return site


@pytest.fixture
def seat_holder_a2(site_a2):
    return site_a2.memberships.get(role=MemberRole.CIVIL_SOCIETY).user


@pytest.fixture
def module(world, site_a2):
    """A regional module of sites A and A2, in a week, run by facilitator A."""
    return make_session(
        [world.site_a, site_a2],
        kind=SessionKind.REGIONAL_MODULE,
        title="Module régional — l’entente de coopération",
        starts_at=at(days=7),
        facilitators=[world.facilitator_a],
        created_by=world.facilitator_a,
    )
