"""Every input is parsed, never trusted: malformed URL, query and form parameters give 400, 404, 403, a
redirect or the page with a French form error, never a server error.

The crawl walks every URL of the tenancy walk (its RULES and kwargs), as every role, with the parameters each
page offers (its forms' fields and its links' query keys) plus common ones, set to values that look like
numbers but are not ("²" passes `str.isdigit()`, "١٢" is Arabic-Indic), numbers no column holds, NUL bytes
and the like. PostgreSQL refuses out-of-range integers, impossible dates and NUL bytes where SQLite stores or
matches them: every value is sent on PostgreSQL. SQLite fails alone on one class, an integer beyond 64 bits
(it cannot bind it: OverflowError, where PostgreSQL compares it as a number): on SQLite (CI's second pass of
the suite) the crawl sends that class only, in parameters and in paths, instead of repeating the PostgreSQL
pass's 9,500 requests against a database that refuses less (240 s of the SQLite pass's 940 s of processor
time, when it sent them all).
"""

import logging
import os
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse

from collectives.enums import MemberRole
from tests.collectives.factories import FacilitatorFactory, MembershipFactory
from tests.sites.factories import ResourceCentreFactory, region
from tests.test_tenancy import RULES

pytestmark = pytest.mark.every_database

# What a careful attacker or a clumsy user types where a number, a date or a choice is expected.
BAD_VALUES = (
    "²",  # superscript two: isdigit() but not int()
    "١٢",  # Arabic-Indic digits: int() reads them, no person typing a version or a wave means them
    "9" * 5000,  # beyond int()'s 4300-digit limit
    "9" * 25,  # beyond PostgreSQL's bigint
    "2147483648",  # beyond PostgreSQL's integer
    "-1",
    "1e5",
    "\x00",  # refused by PostgreSQL in any text
    "' OR 1=1",
    "2024-02-30",
)
# Every value for the role that reads and writes the most (national staff); one of each class that gave
# server errors (not a number for int(), beyond int(), beyond bigint, beyond integer, NUL) for the other
# roles the page admits; two for the roles it refuses (before any parameter is read).
FULL_ROLES = ("national",)
SHORT_VALUES = ("²", "9" * 5000, "9" * 25, "2147483648", "\x00")
DOOR_VALUES = ("²", "\x00")
SQLITE_VALUES = ("9" * 25,)  # beyond 64 bits: what SQLite alone cannot bind

COMMON_PARAMS = (
    "page", "sort", "tri", "wave", "vague", "region", "status", "statut", "version", "a", "b", "de", "number",
    "year", "month", "q", "format", "type", "crpv", "site", "vue", "periode", "panneau", "niveau", "nature",
    "changement", "etiquette", "mode", "role", "alerte", "action", "change", "changes", "indicator", "sites",
    "facilitators", "region", "kind", "seat", "level", "horizon_year", "measured_on", "value", "present",
    "expected_version", "rouvrir", "sens", "auteur", "objet", "confirm", "prerequisite", "pk", "id",
)  # fmt: skip
ACCEPTED = {200, 204, 302, 400, 401, 403, 404, 405, 409, 410}  # 401: the partner API without a key
FIELD_NAME = re.compile(r'\bname="([^"]+)"')
QUERY_KEY = re.compile(r'href="[^"]*\?([^"#]*)')
INT_KWARG = re.compile(r"^\d+$")


def _roles(world):
    """The roles that reach the pages of site B (where the tenancy walk's objects live), each kind once, and
    an anonymous visitor. Roles a page refuses answer before reading any parameter: their doors are the
    tenancy walk's (tests/test_tenancy.py), not repeated here."""
    partner_b = MembershipFactory(site=world.site_b, role=MemberRole.PARTNER).user
    facilitator_b = FacilitatorFactory(resource_centre=ResourceCentreFactory(regions=[region("32")]))
    return {
        "anonymous": None,
        "national": world.national,
        "facilitator_b": facilitator_b,
        "seat_holder_b": world.seat_holder_b,
        "partner_b": partner_b,
    }


def _names(content: str) -> set[str]:
    """The parameters a page offers: its form fields and its links' query keys."""
    names = set(FIELD_NAME.findall(content))
    for query in QUERY_KEY.findall(content):
        for pair in query.replace("&amp;", "&").split("&"):
            if "=" in pair:
                names.add(pair.split("=", 1)[0])
    return {n for n in names if n and n != "csrfmiddlewaretoken" and len(n) < 60}


BAD_NUMBERS = ("9" * 25, "2147483648", "9" * 5000)
BAD_TOKENS = ("²." + "a" * 10, "9" * 25 + ".x", "9" * 5000 + ".x", "1." + "a" * 5000)
SQLITE_NUMBERS, SQLITE_TOKENS = ("9" * 25,), ("9" * 25 + ".x",)  # beyond 64 bits, as SQLITE_VALUES


def _bad_paths(name, kwargs):
    """The URL with each of its number kwargs replaced by numbers no column holds, and its token by junk (on
    SQLite, only what SQLite alone cannot bind)."""
    sqlite = connection.vendor == "sqlite"
    for key, value in kwargs.items():
        if INT_KWARG.match(str(value)):
            for bad in SQLITE_NUMBERS if sqlite else BAD_NUMBERS:
                yield reverse(name, kwargs={**kwargs, key: bad})
        elif key == "token":
            for bad in SQLITE_TOKENS if sqlite else BAD_TOKENS:
                try:
                    yield reverse(name, kwargs={**kwargs, key: bad})
                except NoReverseMatch:  # the URL's converter refuses it (a 404 before any view runs)
                    break


class Crawl:
    def __init__(self, client):
        self.client = client
        self.failures = []
        self.requests = 0

    def send(self, method, url, data=None, label=""):
        self.requests += 1
        try:
            send = self.client.get if method == "get" else self.client.post
            response = send(url, data or {})
        except Exception as error:  # a 500: the test client re-raises the view's exception
            self.failures.append(
                f"{method.upper()} {url[:120]} {label}: {type(error).__name__}: {error!s:.200}"
            )
            return None
        if response.status_code not in ACCEPTED:
            self.failures.append(f"{method.upper()} {url[:120]} {label}: {response.status_code}")
        return response


@pytest.fixture
def quiet_request_log():
    """Thousands of refusals: the request log would drown the report of the few server errors."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    yield
    logger.setLevel(level)


@pytest.fixture
def no_pdf_printing(monkeypatch):
    """PDFs are printed from HTML by WeasyPrint, seconds each: the crawl reads what the views do, not the
    printing (tests/qic/test_pdf.py prints for real)."""

    def fake(html, **kwargs):
        return b"%PDF-1.7 crawl"

    monkeypatch.setattr("qic.pdf.html_to_pdf", fake)
    monkeypatch.setattr("collectives.sessions.views.attendance.html_to_pdf", fake)


@pytest.mark.usefixtures("quiet_request_log", "no_pdf_printing")
@pytest.mark.parametrize("name", sorted(RULES))
def test_malformed_parameters_never_give_a_server_error(client, world, name):
    rule = RULES[name]
    kwargs = rule.kwargs(world)
    url = reverse(name, kwargs=kwargs)
    crawl = Crawl(client)
    tried = set()
    for role, user in _roles(world).items():
        client.logout()
        if user is not None:
            client.force_login(user)
        plain = crawl.send("get", url, label=role)
        if plain is None:
            continue
        readable = plain.status_code == 200 and not plain.streaming  # a file download has no forms to read
        content = plain.content.decode(errors="replace") if readable else ""
        names = sorted(_names(content) | set(COMMON_PARAMS))
        admitted = plain.status_code in (200, 405)
        values = (BAD_VALUES if role in FULL_ROLES else SHORT_VALUES) if admitted else DOOR_VALUES
        if connection.vendor == "sqlite":
            values = SQLITE_VALUES
        for value in values:
            data = dict.fromkeys(names, value)
            label = f"{role} {value[:12]!r}"
            crawl.send("get", f"{url}?{urlencode(data)}", label=label)
            crawl.send("post", url, data, label=label)
        for path in _bad_paths(name, kwargs) if admitted or rule.kind == "public" else ():
            crawl.send("get", path, label=role)
            crawl.send("post", path, {}, label=role)
        tried.update((n, v) for n in names for v in values)
    if os.environ.get("QIC_CRAWL_REPORT"):  # a file to count what the crawl tried (URL, requests, pairs)
        with open(os.environ["QIC_CRAWL_REPORT"], "a") as report:
            report.write(f"{name}\t{crawl.requests}\t{len(tried)}\t{len(crawl.failures)}\n")
    assert not crawl.failures, f"{len(crawl.failures)} server errors:\n" + "\n".join(crawl.failures[:30])


# The examples, one by one, as a user would meet them.


@pytest.mark.parametrize("value", ["²", "9" * 5000, "9" * 25, "\x00"])
@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("sites:dashboard", ("vague", "crpv", "region", "q", "tri", "page")),
        ("sites:list", ("vague", "region", "page")),
        ("sessions:list", ("vue", "periode", "type", "page")),
        ("sessions:coaching", ("crpv", "vague")),
        ("audit_log", ("site", "auteur", "objet", "page")),
        ("people", ("q", "page")),
    ],
)
def test_filters_read_malformed_values_as_no_filter(client, world, name, params, value):
    client.force_login(world.national)
    response = client.get(reverse(name), dict.fromkeys(params, value))
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "9" * 5000, "9" * 25])
def test_vision_version_pickers_show_the_draft_for_a_malformed_number(client, world, value):
    kwargs = RULES["vision:workspace"].kwargs(world)
    client.force_login(world.seat_holder_b)
    for name, params in (
        ("vision:diagram", {"version": value}),
        ("vision:diagram_svg", {"version": value}),
        ("vision:compare", {"de": value, "a": value}),
        ("vision:action_add", {"changement": value}),
    ):
        assert client.get(reverse(name, kwargs=kwargs), params).status_code == 200, name


@pytest.mark.parametrize("value", ["²", "9" * 5000, "9" * 25, "-1"])
def test_adoption_with_a_malformed_version_is_refused_with_a_message(client, world, value):
    kwargs = RULES["vision:workspace"].kwargs(world)
    client.force_login(world.seat_holder_b)
    response = client.post(reverse("vision:approve", kwargs=kwargs), {"version": value}, follow=True)
    assert response.status_code == 200
    assert not world.site_b.vision_revisions.filter(approvals__isnull=False).exists()


@pytest.mark.parametrize("token", ["².secret", "9" * 5000 + ".secret", "9" * 25 + ".secret", "١.secret"])
def test_a_malformed_calendar_token_is_a_404(client, world, token):
    assert client.get(reverse("sessions:calendar_feed", kwargs={"token": token})).status_code == 404


@pytest.mark.parametrize("pk", ["9" * 25, "2147483648", "9" * 5000])
def test_an_object_number_no_column_holds_is_a_404(client, world, pk):
    client.force_login(world.national)
    kwargs = RULES["evaluation:cycle_detail"].kwargs(world)
    assert client.get(reverse("evaluation:cycle_detail", kwargs={**kwargs, "pk": pk})).status_code == 404


def test_an_adjustment_pointing_at_an_action_that_does_not_exist_is_a_form_error(client, world):
    kwargs = RULES["evaluation:adjustment_add"].kwargs(world)
    client.force_login(world.seat_holder_b)
    url = reverse("evaluation:adjustment_add", kwargs=kwargs)
    for action in ("999999", "9" * 25, "²"):
        response = client.post(url, {"kind": "action_status", "action": action, "status": "done"})
        assert response.status_code == 200
        assert "Sélectionnez un choix valide" in response.content.decode()


@pytest.mark.parametrize("value", ["9" * 25, "2147483648", "²"])
def test_a_change_that_does_not_exist_is_a_form_error(client, world, value):
    kwargs = RULES["vision:action_add"].kwargs(world)
    client.force_login(world.seat_holder_b)
    data = {"name": "Action", "lead_organisation": "Asso", "status": "planned", "changes": [value]}
    response = client.post(reverse("vision:action_add", kwargs=kwargs), data)
    assert response.status_code == 200
    assert "valeur correcte" in response.content.decode() or "valide" in response.content.decode()


@pytest.mark.parametrize("value", ["9" * 25, "²"])
def test_planning_a_session_with_unknown_sites_is_a_form_error(client, world, value):
    client.force_login(world.national)
    data = {"title": "Session", "kind": "regional_module", "region": value, "sites": [value]}
    data["facilitators"] = [value]
    response = client.post(reverse("sessions:plan"), data)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url_name, data",
    [
        ("vision:narrative", {"narrative": "Notre récit, écrit longuement.", "version": "abc"}),
        (
            "vision:statement",
            {"statement": "Un quartier où chacun compte.", "horizon_year": "2040", "version": "-1"},
        ),
        ("vision:factor_add", {"kind": "positive", "text": "Un tissu associatif dense", "submission": "x"}),
        ("vision:factor_add", {"kind": "inconnu", "text": "Un tissu associatif dense"}),
    ],
)
def test_a_hidden_field_the_page_set_and_someone_changed_is_said_above_the_form(
    client, world, url_name, data
):
    """A hidden field that does not validate (a version, a one-time token, a kind the page set) has no place
    to show its error: the form came back with no word of why. It is said above the form; nothing is saved."""
    from vision.models import ChangeStrategy, ContextFactor

    client.force_login(world.seat_holder_b)
    kwargs = RULES["vision:narrative"].kwargs(world)
    before = (ContextFactor.objects.count(), list(ChangeStrategy.objects.values_list("narrative", flat=True)))
    response = client.post(reverse(url_name, kwargs=kwargs), data)
    assert response.status_code == 200
    assert "une donnée que la page y avait mise n’est plus valable" in response.content.decode()
    after = (ContextFactor.objects.count(), list(ChangeStrategy.objects.values_list("narrative", flat=True)))
    assert after == before


def test_the_parsing_helper_reads_only_plain_numbers_in_range():
    from qic.params import parse_date, parse_id, parse_int

    assert parse_int("42") == 42 and parse_int(" -3 ") == -3
    for value in ("²", "١٢", "1e5", "4.2", "", None, "9" * 5000, "9" * 19, "2147483648", "\x00", "[]"):
        assert parse_int(value) is None, value
    assert parse_id("0") is None and parse_id("7") == 7
    assert parse_date("2024-02-29") is not None and parse_date("2024-02-30") is None


def test_a_request_django_cannot_read_gets_the_french_400_page(client, world):
    """Too many form fields (a forged request): Django refuses to read it; the answer is a French page."""
    client.force_login(world.national)
    fields = {f"champ{n}": "x" for n in range(1200)}
    response = client.post(reverse("sessions:calendar"), fields)
    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()
