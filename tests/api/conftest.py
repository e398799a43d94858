"""Partner API keys for the shared world (tests/conftest.py): one per scope, and a revoked one."""

from dataclasses import dataclass

import pytest

from sites import apikeys
from sites.enums import ApiKeyRole, ApiKeyScope


@dataclass
class Keys:
    """The keys themselves (what a partner sends), by scope."""

    national: str  # reads every site
    crpv_a: str  # reads the sites of facilitator A's centre's regions (site A)
    site_a: str  # reads and writes site A
    site_a_read: str  # reads site A only
    revoked: str  # was national


def _issue(world, scope, role=ApiKeyRole.READ, **target) -> str:
    return apikeys.issue(
        organisation=f"Partenaire {scope}", scope=scope, role=role, by=world.national, **target
    )[1]


@pytest.fixture
def keys(world) -> Keys:
    revoked_row, revoked = apikeys.issue(
        organisation="Ancien partenaire", scope=ApiKeyScope.NATIONAL, role=ApiKeyRole.WRITE, by=world.national
    )
    apikeys.revoke(revoked_row)
    return Keys(
        national=_issue(world, ApiKeyScope.NATIONAL),
        crpv_a=_issue(world, ApiKeyScope.CRPV, resource_centre=world.facilitator_a.resource_centre),
        site_a=_issue(world, ApiKeyScope.SITE, ApiKeyRole.WRITE, site=world.site_a),
        site_a_read=_issue(world, ApiKeyScope.SITE, site=world.site_a),
        revoked=revoked,
    )


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
