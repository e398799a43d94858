"""Web standards every page keeps: HEAD answers as GET does (without a body) and each response carries a
Permissions-Policy header. The URLs are those of the tenancy walk (tests/test_tenancy.py)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from evaluation.reports.enums import ReportState
from tests.test_tenancy import RULES

ANONYMOUS_KINDS = ("public", "sign_in_flow")


@pytest.mark.database_neutral  # the same answers on every database
def test_every_page_answers_head_as_it_answers_get_with_a_permissions_policy(client, world):
    """National staff (who may open the most pages) and anonymous visitors for the public ones."""
    world.login(client, world.national)
    anonymous = client.__class__()
    checked, mismatches = 0, []
    for name, rule in RULES.items():
        browser = anonymous if rule.kind in ANONYMOUS_KINDS else client
        url = reverse(name, kwargs=rule.kwargs(world))
        get, head = browser.get(url), browser.head(url)
        body = b"".join(head.streaming_content) if head.streaming else head.content
        if head.status_code != get.status_code or body:
            mismatches.append(f"{name}: GET {get.status_code}, HEAD {head.status_code} ({len(body)} B)")
        for response in (get, head):
            assert "camera=()" in response.get("Permissions-Policy", ""), f"{name}: no Permissions-Policy"
        checked += get.status_code == 200
    assert not mismatches, "\n".join(mismatches)
    assert checked > 90  # most pages open to national staff: the walk really read them


def test_permissions_policy_forbids_what_the_platform_never_uses(client):
    policy = client.get(reverse("account_login"))["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "fullscreen=(self)" in policy


# --- Valid HTML: the Nu HTML checker (vnu.jar from npm's vnu-jar, run with Java) -------------------------

VNU = settings.BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Messages let through: htmx's attributes (hx-get, hx-target…) are not HTML's; the DSFR's markup names its
# landmarks explicitly (role="banner", "navigation", "main", "contentinfo": RGAA 12.6), which the checker only
# calls unnecessary (a warning).
ALLOWED = (
    r".*Attribute “hx-[a-z-]+” not allowed.*"
    r"|The “(banner|navigation|main|contentinfo)” role is unnecessary for element “(header|nav|main|footer)”."
)
# Who reads which pages: every role, each on the pages it may open (site pages are site B's: its seat holder).
ROLES = {
    None: ("public", "sign_in_flow"),
    "national": ("authenticated", "site", "national", "dashboard", "planner", "national_roles"),
    "steering": ("authenticated", "site", "dashboard", "national_roles"),
    "facilitator_a": ("authenticated", "dashboard", "planner"),
    "seat_holder_b": ("authenticated", "site"),
    "partner_a": ("authenticated",),
}


WITNESS = (
    '<!DOCTYPE html><html lang="fr"><head><title>Témoin</title></head><body><main hx-boost="true">'
    '<span><form action="/"></form></span></main></body></html>'
)


def validate(documents: dict[str, str], tmp_path: Path) -> list[str]:
    """The Nu checker's errors and warnings, by document (one Java process checks them all)."""
    labels = {}
    for n, (label, html) in enumerate(documents.items()):
        path = tmp_path / f"{n:04d}.html"
        path.write_text(html)
        labels[path.name] = label
    command = ["java", "-jar", str(VNU), "--format", "json", "--filterpattern", ALLOWED, *labels]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    problems = []
    for m in json.loads(result.stderr)["messages"]:
        if m["type"] == "error" or m.get("subType") == "warning":
            where = labels[m["url"].rsplit("/", 1)[-1]]
            problems.append(f"{where}, line {m.get('lastLine')}: {m['message']} {m.get('extract')!r}")
    return problems


def _two_of_everything(world) -> None:
    """Site B with repeated items (two factors, changes, actions, comments, learnings, indicators, bilans)
    and a dated history: the pages where repeated panels could repeat an id, and <time> elements appear."""
    from sites.enums import SiteStatus
    from sites.services import change_status
    from tests.evaluation.factories import LearningFactory, ReportFactory, indicator_for
    from tests.test_tenancy import _vision_objects
    from vision import services

    site, user = world.site_b, world.seat_holder_b
    _vision_objects(world)
    services.add_factor(site, user, kind="negative", text="Second facteur de B")
    change = services.add_change(site, user, level="direct", register="practices", title="Second changement")
    services.add_action(site, user, name="Seconde action", lead_organisation="Asso", status="running")
    services.add_comment(site, user, body="Second commentaire", change=change)
    services.add_comment(site, user, body="Commentaire sur la vision")
    for title in ("Premier apprentissage", "Second apprentissage"):
        LearningFactory(site=site, title=title)
    for name in ("Premier indicateur", "Second indicateur"):
        indicator_for(site, name=name)
    for _ in range(2):
        ReportFactory(site=site, state=ReportState.DONE)
    change_status(site, SiteStatus.PAUSED, by=world.national, reason="Pause d’été")


@pytest.mark.database_neutral  # the same HTML on every database
@pytest.mark.skipif(not shutil.which("java") or not VNU.exists(), reason="needs Java and npm's vnu-jar")
def test_pages_are_valid_html(client, world, tmp_path):
    _two_of_everything(world)
    documents = {}
    for role, kinds in ROLES.items():
        client.logout()
        if role:
            world.login(client, getattr(world, role))
        for name, rule in RULES.items():
            if rule.kind not in kinds:
                continue
            response = client.get(reverse(name, kwargs=rule.kwargs(world)))
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                documents[f"{name} ({role or 'anonyme'})"] = response.content.decode()
    assert len(documents) > 150
    # A known fault, to show that the checker runs and that what it lets through hides nothing else.
    documents["témoin"] = WITNESS
    problems = validate(documents, tmp_path)
    witness = [p for p in problems if p.startswith("témoin,")]
    assert len(witness) == 1 and "“form” not allowed as child of element “span”" in witness[0], witness
    problems = [p for p in problems if not p.startswith("témoin,")]
    assert not problems, f"{len(problems)} messages of the Nu HTML checker:\n" + "\n".join(problems)


BUTTON_GROUP = re.compile(r'<(ul|div)[^>]*class="([^"]*\bfr-btns-group\b[^"]*)"[^>]*>(.*?)</\1>', re.S)
ICON_BESIDE_LABEL = re.compile(r'class="[^"]*\bfr-btn--icon-(?:left|right)\b[^"]*"')


def test_button_groups_holding_buttons_with_an_icon_beside_their_label_say_so():
    """In a DSFR button group without `fr-btns-group--icon-left` (or `-right`), a button with an icon is drawn
    as an icon alone: its label is cut, whatever its own `fr-btn--icon-left` says (the import's « Confirmer
    l’import » and the publication's « Donner mon accord » were a blue square with a tick)."""
    wrong = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = path.read_text()
        for group in BUTTON_GROUP.finditer(text):
            if "fr-btns-group--icon-" not in group.group(2) and ICON_BESIDE_LABEL.search(group.group(3)):
                line = text[: group.start()].count("\n") + 1
                wrong.append(f"{path.relative_to(settings.BASE_DIR)}:{line}")
    assert not wrong, "button groups without fr-btns-group--icon-left:\n" + "\n".join(wrong)


POST_FORM = re.compile(r"<form\b[^>]*>", re.I)
FORM_FIELDS = re.compile(
    r'<input(?![^>]*type="(?:hidden|submit)")|<textarea|<select|\{\{ ?(?:form|field)\b|\{% ?slot body|'
    r'\{% ?(?:element fields?|include "[^"]*field)',
    re.I,
)


def test_every_form_with_fields_leaves_checking_them_to_the_server():
    """A form with fields carries `novalidate`: the server checks them and says what is wrong next to each
    field, in French and in the DSFR's words (RGAA 11.10). Without it, the browser stops the submission with
    its own bubble, in the browser's language (English on an English browser), gone as soon as one moves."""
    wrong = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = path.read_text()
        for tag in POST_FORM.finditer(text):
            method = re.search(r'method="([^"]+)"', tag.group(0))
            if not method or method.group(1).lower() == "get":
                continue
            end = text.find("</form>", tag.end())
            if FORM_FIELDS.search(text[tag.end() : end]) and "novalidate" not in tag.group(0):
                wrong.append(
                    f"{path.relative_to(settings.BASE_DIR)}:{text[: tag.start()].count(chr(10)) + 1}"
                )
    assert not wrong, "forms without novalidate:\n" + "\n".join(wrong)
