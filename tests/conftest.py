"""Shared fixtures: a small world of two sites in two regions and one user per role."""

import os
import re
from dataclasses import dataclass, fields

import pytest
from django.test import Client

from collectives.enums import MemberRole
from sites import apikeys
from sites.enums import ApiKeyRole, ApiKeyScope
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


def reads_database(item) -> bool:
    return bool(
        {"db", "transactional_db", "live_server"} & set(item.fixturenames)
        or item.get_closest_marker("django_db")
    )


def transactional(item) -> bool:
    """Whether a test empties the tables when it ends (transactional tests, the browser journeys)."""
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(item.fixturenames)
        or (marker and marker.kwargs.get("transaction"))
    )


SERVICE_MARKERS = ("worker", "browser", "redis", "exclusive")
CI_PASSES = ("postgresql", "sqlite")


def _ci_share(item) -> str:
    """Which of CI's passes runs a test: "sqlite" (what gives the same result on every database), "both"
    (what may differ by database) or "postgresql" (the rest)."""
    needs_services = any(item.get_closest_marker(name) for name in SERVICE_MARKERS)
    if item.get_closest_marker("database_neutral") or not (reads_database(item) or needs_services):
        return "sqlite"
    return "both" if item.get_closest_marker("every_database") else "postgresql"


def _split_between_ci_passes(config, items):
    """CI runs the suite twice side by side, on PostgreSQL (production's database) and on SQLite (the demo's);
    QIC_CI_PASS names the pass. Each test runs where its result can differ, once where it cannot:
    - the tests that read no database (text, PDFs, settings, processes started with an environment of their
      own), unless marked as needing a real worker, Chromium or servers of their own, and the walks marked
      `database_neutral` (the HTML checker, HEAD against GET, the links shown): the SQLite pass;
    - the tests marked `every_database`, whose result may differ by database (what the engines store,
      refuse, match or lock differently: the trust suite, markup, searches, case-insensitive e-mail
      matching, every URL for every role, the demo's data on its own engine): both passes;
    - every other database test (a feature's behaviour through the ORM): the PostgreSQL pass."""
    name = os.environ.get("QIC_CI_PASS")
    if not name:
        return
    if name not in CI_PASSES:
        raise pytest.UsageError(f"QIC_CI_PASS={name!r}: one of {', '.join(CI_PASSES)}")
    kept, left = [], []
    for item in items:
        (kept if _ci_share(item) in (name, "both") else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """pytest-django runs the database tests first, then the transactional ones, which empty every table
    (reference data from the migrations included). A fixture shadowing a plugin's, say one named `page`, can
    move tests around: a database test placed after a transactional one fails for want of departments."""
    _split_between_ci_passes(config, items)
    first = next((item for item in items if transactional(item)), None)
    if first is None:
        return
    late = [
        item.nodeid
        for item in items[items.index(first) :]
        if not transactional(item) and reads_database(item)
    ]
    if late:
        raise pytest.UsageError(
            f"Database tests would run after the transactional {first.nodeid}: {', '.join(late[:5])}"
        )


def written_once(django_db_blocker, write):
    """For a fixture of broader scope (module, class) whose tests only read what it writes: `write()` runs
    once inside a transaction rolled back when the scope ends (what Django's TestCase.setUpTestData does);
    each test still runs in its own savepoint, so what one test writes is gone for the next. Yields what
    `write()` returns."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        value = write()
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_seeded_once(django_db_setup, django_db_blocker):
    """`make demo`'s data, loaded once for a module's tests (`written_once`). The output of `seed_demo` is
    the fixture's value."""
    import io

    from django.core.management import call_command

    def seed():
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        return out.getvalue()

    yield from written_once(django_db_blocker, seed)


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


def _write_world() -> World:
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


SITES_OF_THE_WORLD = ("site_a", "site_b")
PEOPLE_OF_THE_WORLD = tuple(f.name for f in fields(World) if f.name not in SITES_OF_THE_WORLD)


def _keys(world: World) -> dict:
    return {f.name: getattr(world, f.name).pk for f in fields(World)}


def _read_world(pks: dict) -> World:
    """The world's rows read afresh: what a test changes on its objects stays in that test."""
    from collectives.models import User
    from sites.models import Site

    # With the relations a factory's object holds (a test counting queries counts the same ones).
    sites = Site.objects.select_related("wave", "department").in_bulk([pks[n] for n in SITES_OF_THE_WORLD])
    people = User.objects.select_related("resource_centre").in_bulk([pks[n] for n in PEOPLE_OF_THE_WORLD])
    rows = {name: sites[pks[name]] for name in SITES_OF_THE_WORLD}
    rows |= {name: people[pks[name]] for name in PEOPLE_OF_THE_WORLD}
    return World(**rows)


@pytest.fixture(scope="module")
def world_once(request, django_db_setup, django_db_blocker):
    """The world written once for a module's tests (`written_once`: the tenancy walk's 956 tests wrote it 956
    times, a fifth of their time), when every test of the module that reads the database reads it through
    `world` (another would find the world's rows where it expects none) and none of them is transactional (it
    empties the tables, which an open transaction would keep it from doing); otherwise each test writes its
    own. Its value is the rows' primary keys (None when each test writes its own)."""
    module = request.node
    database_tests = [
        i for i in request.session.items if i.getparent(pytest.Module) is module and reads_database(i)
    ]
    if any("world" not in item.fixturenames or transactional(item) for item in database_tests):
        yield None
        return
    yield from written_once(django_db_blocker, lambda: _keys(_write_world()))


@pytest.fixture
def world(db, world_once):
    """Site A and site B and their people: the module's rows read afresh for each test, or written for it."""
    return _write_world() if world_once is None else _read_world(world_once)


@pytest.fixture
def password():
    return PASSWORD


# Partner API keys (issue 19) for the world: one per scope, and a revoked one.


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


def pytest_collection_finish(session):
    """The test process settles its garbage collector as a web process does (`qic.warmup`): every test module
    and view is loaded by now, and the collector's passes over them cost the tests what they cost pages."""
    from qic.warmup import settle

    settle()
