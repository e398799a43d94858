"""One sanitising path for typed text (issue 15): through the real forms of every app, control characters
never get stored nor reach XML (SVG, PDF, e-mail), markup stays inert, and every text field states its length
limit and refuses longer text with a French message, never a 500."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django import forms
from django.urls import reverse

from collectives.enums import MemberRole
from collectives.models import (
    AgreementSection,
    BackboneAssignment,
    CooperationSpace,
    Invitation,
    Participant,
    SessionOutput,
)
from collectives.models import Session as QicSession
from evaluation.models import (
    Adjustment,
    EvaluationCycle,
    Indicator,
    LearningEntry,
    Measurement,
    SelfAssessment,
)
from qic.forms import BoundField, limit_hint
from qic.pdf import engine
from qic.sanitize import CONTROL_CHARACTERS, clean_text, plain_text, render_markdown, xml_safe
from sites.models import Site, SiteStatusChange
from tests.evaluation.factories import change_for, cycle_for, indicator_for
from tests.sessions.factories import at, make_session
from tests.vision.test_xss import live_parts
from vision.models import Change, ChangeStrategy, Comment, ContextFactor, PartnerAction, Vision

pytestmark = pytest.mark.every_database

HTMX = {"HTTP_HX_REQUEST": "true"}

# What a paste from a terminal, a PDF or a hostile user brings: C0 and C1 controls, DEL, an ANSI escape,
# a right-to-left override (reverses how a name reads), U+FFFE/U+FFFF. None is valid in XML.
CONTROLS = "\x01\x02\x07\x08\x0b\x0c\x1b[31m\x1f\x7f\x85\x9f\u202e\u2066\ufffe\uffff"
TYPED = f"Rendre{CONTROLS} visible"
BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
MARKUP = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">clic</a>',
    "[clic](javascript:alert(1))",
    '<svg onload="alert(1)"><foreignObject><iframe src="javascript:alert(1)"/></foreignObject></svg>',
]


def _session(world, **extra):
    return make_session([world.site_a], title="Atelier", facilitators=[world.facilitator_a], **extra)


def _assessment_data(**data):
    from collectives.enums import BackboneRole
    from evaluation.enums import ConditionKey

    answers = {"assessed_on": "2026-05-12", "continuum_level": "3", "continuum_moved_by": ""}
    answers |= {f"condition_{key}": "2" for key in ConditionKey.values}
    answers |= {f"role_{role}": "1" for role in BackboneRole.values}
    return answers | data


@dataclass
class Case:
    """A form of the platform, posted by someone allowed to: where, what, which text field, its limit."""

    id: str
    user: str  # attribute of the `world` fixture
    url: Callable  # world -> (form URL, {extra POST data}), may create what the form needs
    field: str
    limit: int
    stored: Callable  # world -> the text stored in the field, or None
    shown: Callable | None = None  # world -> a page (URL) that shows the stored text
    htmx: bool = False


def _site(world, name, **kwargs):
    return reverse(name, kwargs={"site_slug": world.site_a.slug, **kwargs})


def _first(model, field, **filters):
    row = model.objects.filter(**filters).order_by("-pk").first()
    return None if row is None else getattr(row, field)


CASES = [
    # vision
    Case("vision statement", "seat_holder_a",
         lambda w: (_site(w, "vision:statement"), {"version": 1, "horizon_year": 2045}), "statement", 1000,
         lambda w: _first(Vision, "statement"), lambda w: _site(w, "vision:workspace")),
    Case("context factor", "seat_holder_a",
         lambda w: (_site(w, "vision:factor_add"), {"kind": "positive"}), "text", 300,
         lambda w: _first(ContextFactor, "text"), lambda w: _site(w, "vision:workspace"), htmx=True),
    Case("change", "seat_holder_a",
         lambda w: (_site(w, "vision:change_add"), {"level": "ultimate", "register": "practices",
                                                    "to_vision": "on"}), "title", 200,
         lambda w: _first(Change, "title"), lambda w: _site(w, "vision:diagram"), htmx=True),
    Case("change description", "seat_holder_a",
         lambda w: (_site(w, "vision:change_add"), {"level": "direct", "register": "practices",
                                                    "title": "Connaître"}), "description", 3000,
         lambda w: _first(Change, "description"), lambda w: _site(w, "vision:workspace")),
    Case("partner action", "seat_holder_a",
         lambda w: (_site(w, "vision:action_add"), {"lead_organisation": "CAF", "status": "running"}),
         "name", 200, lambda w: _first(PartnerAction, "name"), lambda w: _site(w, "vision:workspace")),
    Case("narrative", "seat_holder_a",
         lambda w: (_site(w, "vision:narrative"), {"version": 1}), "narrative", 20000,
         lambda w: _first(ChangeStrategy, "narrative"), lambda w: _site(w, "vision:workspace"), htmx=True),
    Case("comment", "partner_a", lambda w: (_site(w, "vision:vision_comments"), {}), "body", 3000,
         lambda w: _first(Comment, "body"), lambda w: _site(w, "vision:vision_comments"), htmx=True),
    # collectives
    Case("agreement part", "seat_holder_a",
         lambda w: (_site(w, "collectives:agreement_section", part="power"), {"version": 1}), "text", 10000,
         lambda w: _first(AgreementSection, "text", part="power"),
         lambda w: _site(w, "collectives:agreement"), htmx=True),
    Case("cooperation space", "seat_holder_a",
         lambda w: (_site(w, "collectives:space_add"), {"version": 1, "purpose": "Décider"}), "name", 150,
         lambda w: _first(CooperationSpace, "name"), lambda w: _site(w, "collectives:agreement"), htmx=True),
    Case("backbone role", "seat_holder_a",
         lambda w: (_site(w, "collectives:backbone_role", role="policy"),
                    {"version": 1, "organisation": "O"}),
         "note", 2000, lambda w: _first(BackboneAssignment, "note"),
         lambda w: _site(w, "collectives:backbone"), htmx=True),
    Case("invitation", "seat_holder_a",
         lambda w: (_site(w, "collectives:invite"), {"role": MemberRole.PARTNER, "email": "lea@exemple.fr",
                                                     "last_name": "Roux"}), "first_name", 150,
         lambda w: _first(Invitation, "first_name"), lambda w: _site(w, "collectives:invitations")),
    Case("invitation message", "seat_holder_a",
         lambda w: (_site(w, "collectives:invite"), {"role": MemberRole.PARTNER, "email": "lea@exemple.fr"}),
         "message", 1000, lambda w: _first(Invitation, "message")),
    Case("session guest", "facilitator_a",
         lambda w: (reverse("sessions:guest_add", args=[_session(w).pk]), {"email": "ines@exemple.fr"}),
         "name", 200, lambda w: _first(Participant, "name", email="ines@exemple.fr")),
    Case("session cancelled", "facilitator_a",
         lambda w: (reverse("sessions:cancel", args=[_session(w).pk]), {}), "reason", 300,
         lambda w: _first(QicSession, "cancel_reason")),
    Case("session output", "seat_holder_a",
         lambda w: (reverse("sessions:site_outputs", args=[w.site_a.slug, _session(w, starts_at=at(-2)).pk]),
                    {"version": 0, "text": "Principes"}), "title", 200,
         lambda w: _first(SessionOutput, "title")),
    # evaluation
    Case("learning", "seat_holder_a",
         lambda w: (_site(w, "evaluation:learning_add"), {"occurred_on": "2026-04-02", "what_happened": "P",
                                                          "what_we_learned": "V"}), "title", 200,
         lambda w: _first(LearningEntry, "title"), lambda w: _site(w, "evaluation:learnings")),
    Case("indicator", "seat_holder_a",
         lambda w: (_site(w, "evaluation:indicator_add"),
                    {"change": change_for(w.site_a).pk, "kind": "quantitative", "unit": "personnes",
                     "baseline_on": "2026-01-15", "baseline_value": "12", "target_value": "40",
                     "direction": "increase", "frequency": "3", "data_source": "Comptage"}), "name", 200,
         lambda w: _first(Indicator, "name"), lambda w: _site(w, "evaluation:indicators")),
    Case("qualitative scale", "seat_holder_a",
         lambda w: (_site(w, "evaluation:indicator_add"),
                    {"change": change_for(w.site_a).pk, "kind": "qualitative", "name": "Confiance",
                     "baseline_on": "2026-01-15", "baseline_level": "1", "target_level": "2",
                     "frequency": "3", "data_source": "Enquête"}),
         "scale_text", 1407, lambda w: "\n".join(_first(Indicator, "scale") or []) or None,
         lambda w: _site(w, "evaluation:indicators")),
    Case("measurement", "seat_holder_a",
         lambda w: (_site(w, "evaluation:measurement_add", pk=indicator_for(w.site_a).pk),
                    {"measured_on": "2026-04-15", "value": "18"}), "comment", 2000,
         lambda w: _first(Measurement, "comment"), lambda w: _site(w, "evaluation:indicators")),
    Case("evaluation cycle", "seat_holder_a",
         lambda w: (_site(w, "evaluation:cycle_add"), {"starts_on": "2026-09-01", "ends_on": "2026-12-15",
                                                       "version": "0"}), "title", 200,
         lambda w: _first(EvaluationCycle, "title"), lambda w: _site(w, "evaluation:cycles")),
    Case("adjustment", "seat_holder_a",
         lambda w: (_site(w, "evaluation:adjustment_add", pk=cycle_for(w.site_a).pk),
                    {"kind": "edit_change", "change": change_for(w.site_a).pk}), "title", 200,
         lambda w: _first(Adjustment, "title")),
    Case("self-assessment", "seat_holder_a",
         lambda w: (_site(w, "evaluation:assessment_add"), _assessment_data()), "comment", 3000,
         lambda w: _first(SelfAssessment, "comment"), lambda w: _site(w, "evaluation:assessments")),
    # sites
    Case("site status", "national",
         lambda w: (_site(w, "sites:status"), {"to_status": "paused", "seen_status": w.site_a.status}),
         "reason", 500, lambda w: _first(SiteStatusChange, "reason"), lambda w: _site(w, "sites:journal")),
]  # fmt: skip
IDS = [case.id for case in CASES]


def _errors(response) -> str:
    return " ".join(re.findall(r"fr-error-text[^>]*>([^<]*)<", response.content.decode()))


def _post(client, world, case, value):
    client.force_login(getattr(world, case.user))
    url, data = case.url(world)
    headers = HTMX if case.htmx else {}
    return url, client.post(url, {**data, case.field: value}, **headers)


# --- Length limits: stated next to the field, enforced in French, never a 500 ------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_text_field_states_its_limit(client, world, case):
    client.force_login(getattr(world, case.user))
    url, _ = case.url(world)
    page = client.get(url).content.decode()
    assert f'maxlength="{case.limit}"' in page
    assert limit_hint(case.limit) in page, f"{case.id}: the page does not say the limit"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_too_long_text_is_refused_in_french_next_to_the_field(client, world, case):
    _, response = _post(client, world, case, "é" * (case.limit + 1))
    assert response.status_code in (200, 400)  # the form again, with its error (never a 500)
    errors = _errors(response)
    assert re.search(rf"\b{case.limit} caractères", errors), errors or response.content.decode()[:3000]
    assert not case.stored(world)


def test_a_textarea_line_break_counts_as_one_character_like_in_the_browser(client, world):
    """Browsers send each line break of a textarea as CR LF while `maxlength` counted one character."""
    case = next(c for c in CASES if c.id == "comment")
    text = ("ligne\r\n" * 500)[:3000].rstrip()  # 3 000 characters as sent, about 2 600 as typed
    _, response = _post(client, world, case, text.replace("\r\n", "\n").replace("\n", "\r\n"))
    assert response.status_code == 200
    assert case.stored(world) == text.replace("\r\n", "\n")


# --- Control characters: removed at the input boundary -----------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_control_characters_typed_in_any_form_are_never_stored(client, world, case):
    value = TYPED if case.id != "qualitative scale" else f"Faible{CONTROLS}\nForte"
    _, response = _post(client, world, case, value)
    assert response.status_code in (200, 302), response.status_code
    stored = case.stored(world)
    assert stored, f"{case.id}: nothing saved ({_errors(response)})"
    assert not BAD.search(stored), repr(stored)
    assert "Rendre" in stored or "Faible" in stored
    if case.shown:
        page = client.get(case.shown(world)).content.decode()
        assert not BAD.search(page), f"{case.id}: a control character reached {case.shown(world)}"


def test_single_line_fields_keep_no_line_break_and_names_no_bidi_override(client, world):
    case = next(c for c in CASES if c.id == "invitation")
    _post(client, world, case, "Léa\r\nBcc: x@exemple.fr\t\u202eeoR")
    assert Invitation.objects.get().first_name == "Léa Bcc: x@exemple.fr eoR"


@pytest.mark.parametrize(
    "char", ["\x00", "\x0b", "\x1b", "\x7f", "\x85", "\ud800", "\udfff", "\ufffe", "\uffff"]
)
def test_the_sanitiser_drops_every_character_xml_cannot_hold(char):
    assert clean_text(f"a{char}b") == "ab"
    assert xml_safe(f"a{char}b\tc\nd\re") == "ab\tc\nd\re"
    ET.fromstring(f"<t>{xml_safe(f'a{char}b')}</t>")


def test_markdown_marks_can_not_be_forged_with_nul_characters():
    """The renderer marks its links with NUL: typed ones once raised an IndexError (a 500 on any page)."""
    html = str(render_markdown("Voir \x000\x00 et \x009\x00 puis https://exemple.fr"))
    assert "\x00" not in html and 'href="https://exemple.fr"' in html
    assert plain_text("<b>x</b>\x01") == "x"


# --- Output channels: SVG, PDF, e-mail, imports -----------------------------------------------------------


def _svg_tree(client, world):
    response = client.get(_site(world, "vision:diagram_svg"))
    assert response.status_code == 200
    return ET.fromstring(response.content)  # the downloaded file opens: valid XML


def test_control_characters_typed_in_the_strategy_leave_the_svg_valid(client, world):
    world.login(client, world.seat_holder_a)
    client.post(_site(world, "vision:statement"), {"version": 1, "statement": TYPED, "horizon_year": 2045})
    client.post(
        _site(world, "vision:change_add"),
        {
            "level": "ultimate",
            "register": "practices",
            "title": TYPED,
            "description": TYPED,
            "to_vision": "on",
        },
    )
    tree = _svg_tree(client, world)
    assert any("Rendre" in (node.text or "") for node in tree.iter())


def test_older_data_with_control_characters_still_gives_a_valid_svg_and_pdf(client, world, monkeypatch):
    """Text stored before the input was cleaned (or by an import, a script): cleaned again on the way out."""
    site = world.site_a
    Site.objects.filter(pk=site.pk).update(name=f"Quartier{CONTROLS} A")
    Vision.objects.update_or_create(site=site, defaults={"statement": TYPED, "horizon_year": 2045})
    Change.objects.create(
        site=site, level="ultimate", register="practices", title=TYPED, contributes_to_vision=True
    )
    world.login(client, world.seat_holder_a)
    tree = _svg_tree(client, world)
    assert not BAD.search(ET.tostring(tree, encoding="unicode").replace("\u202e", "").replace("\u2066", ""))

    fed = []
    real = engine.HTML
    monkeypatch.setattr(engine, "HTML", lambda string, **kw: fed.append(string) or real(string=string, **kw))
    response = client.get(reverse("collectives:handover_pack", args=[site.slug]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert fed and "Rendre" in fed[0] and not CONTROL_CHARACTERS.search(fed[0])


@pytest.mark.parametrize("payload", MARKUP)
def test_markup_typed_in_the_strategy_is_inert_in_the_svg_and_the_pages(client, world, payload):
    world.login(client, world.seat_holder_a)
    client.post(_site(world, "vision:statement"), {"version": 1, "statement": payload, "horizon_year": 2045})
    client.post(
        _site(world, "vision:change_add"),
        {"level": "ultimate", "register": "practices", "title": payload[:200], "to_vision": "on"},
    )
    client.post(_site(world, "vision:narrative"), {"version": 1, "narrative": payload})
    tree = _svg_tree(client, world)
    for node in tree.iter():
        assert node.tag.rsplit("}", 1)[-1] not in ("script", "foreignObject", "iframe", "a", "image")
        assert not any(name.startswith("on") for name in node.attrib)
    for name in ("vision:workspace", "vision:diagram", "vision:history"):
        assert live_parts(client.get(_site(world, name)).content.decode()) == [], name


def test_the_invitation_email_carries_no_control_character_nor_markup(
    client, world, django_capture_on_commit_callbacks, mailoutbox
):
    world.login(client, world.seat_holder_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _site(world, "collectives:invite"),
            {"role": MemberRole.PARTNER, "email": "lea@exemple.fr", "first_name": TYPED,
             "message": f"{TYPED}\n<script>alert(1)</script>"},
        )  # fmt: skip
    (mail,) = mailoutbox
    assert "Rendre" in mail.body and not BAD.search(mail.body + mail.subject)
    for body, mimetype in getattr(mail, "alternatives", []):
        assert mimetype != "text/html" or "<script>" not in body


def test_an_email_written_from_older_data_is_cleaned_on_the_way_out(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    from collectives.sessions import reminders

    session = make_session([world.site_a], starts_at=at(days=1, hour=9, minute=30))
    QicSession.objects.filter(pk=session.pk).update(title=f"Atelier{CONTROLS}", place=f"Salle{CONTROLS}")
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_due(now=at(days=0, hour=12, minute=0))
    assert mailoutbox
    for mail in mailoutbox:
        assert "Atelier" in mail.subject and "Salle" in mail.body
        assert not CONTROL_CHARACTERS.search(mail.subject + mail.body)


def test_an_import_with_too_long_text_is_refused_in_french_and_its_control_characters_dropped(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.sites.factories import WaveFactory

    WaveFactory(number=4, is_current=True)
    header = "Nom du site;Type;Commune;Département;Code QPV;Prénom;Nom;Courriel;Siège;Organisation"
    line = "{name};QPV;Lyon;69;;Léa{c};Roux;lea@exemple.fr;Société civile;Centre{c} social"
    world.login(client, world.national)

    def send(name):
        content = "\n".join([header, line.format(name=name, c="\x01\x1b\x7f\x85\u202e")]).encode()
        file = SimpleUploadedFile("inscriptions.csv", content)
        response = client.post(
            reverse("sites:import"), {"wave": "4", "initial_status": "registering", "file": file}
        )
        assert response.status_code == 302
        return response.url, client.get(response.url).content.decode()

    preview_url, page = send("Quartier " + "x" * 250)
    assert "Texte trop long : 200 caractères au maximum (celui-ci en compte 259)." in page
    assert "Confirmer l’import" not in page
    assert client.post(preview_url).status_code in (200, 302)  # confirming anyway: refused, no 500
    assert not Site.objects.filter(name__startswith="Quartier x").exists()

    preview_url, page = send("Quartier des Lilas")
    assert not BAD.search(page) and "Confirmer l’import" in page
    client.post(preview_url)
    site = Site.objects.get(name="Quartier des Lilas")
    membership = site.memberships.get()
    assert (membership.user.first_name, membership.organisation) == ("Léa", "Centre social")


# --- Every form of the platform goes through the one input boundary ----------------------------------------


def _project_forms():
    import importlib

    for module in (
        "qic.locking", "sites.forms", "collectives.forms", "collectives.sessions.forms", "vision.forms",
        "evaluation.forms", "evaluation.assessment_forms", "evaluation.reports.forms", "evaluation.views.due",
    ):  # fmt: skip
        importlib.import_module(module)

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    apps = ("qic", "sites", "collectives", "vision", "evaluation")
    return sorted({c for c in walk(forms.BaseForm) if c.__module__.split(".")[0] in apps}, key=str)


def test_every_typed_text_field_of_every_form_has_a_limit_and_the_cleaning_bound_field():
    from evaluation.assessment_forms import SelfAssessmentForm

    surveyed = 0
    for form_class in _project_forms():
        fields = SelfAssessmentForm().fields if form_class is SelfAssessmentForm else form_class.base_fields
        for name, field in fields.items():
            if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
                continue
            surveyed += 1
            assert field.widget.is_hidden or field.max_length, f"{form_class.__name__}.{name} has no limit"
    assert surveyed >= 60
    assert isinstance(SelfAssessmentForm()["comment"], BoundField)


def test_every_stored_text_has_the_limit_its_form_states():
    """TextField limits are not enforced by the database: the model states the form's, so the admin, model
    forms and readers of the model agree with the page (CharField limits are enforced by PostgreSQL)."""
    from django.apps import apps
    from django.db import models

    internal = {"Report.error", "BackboneRoleAssessment.comment"}
    unlimited = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in ("qic", "sites", "collectives", "vision", "evaluation")
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.max_length is None
    ]
    assert sorted(set(unlimited) - internal) == []
    from collectives.sessions.forms import SessionForm

    assert SessionForm.base_fields["agenda"].max_length == QicSession._meta.get_field("agenda").max_length


def test_the_xlsx_export_opens_when_a_name_holds_control_characters(client, world):
    """An XLSX file is XML too: openpyxl refuses such characters (a 500) unless they are removed."""
    from openpyxl import load_workbook

    Site.objects.filter(pk=world.site_b.pk).update(name=f"Quartier{CONTROLS} B")
    world.login(client, world.national)
    response = client.get(reverse("sites:dashboard_export", kwargs={"fmt": "xlsx"}), {"region": "32"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0].startswith("Quartier") and not CONTROL_CHARACTERS.search(rows[1][0])


def test_names_from_proconnect_are_cleaned_and_fit_like_typed_ones(client, world, proconnect):
    """The provider's claims skip every form: a 200-character name once overflowed the column (a 500 on
    PostgreSQL), and its control characters were stored."""
    from collectives.models import User
    from tests.collectives.factories import InvitationFactory
    from tests.collectives.test_proconnect import sign_in_with_proconnect

    InvitationFactory(site=world.site_b, email="agent@interieur.gouv.fr", role=MemberRole.PREFECT_DELEGATE)
    proconnect.agent.given_name = f"Camille{CONTROLS}\n" + "x" * 200
    proconnect.agent.usual_name = "\u202eNITRAM"
    sign_in_with_proconnect(client)
    user = User.objects.get(email="agent@interieur.gouv.fr")
    assert user.first_name.startswith("Camille") and len(user.first_name) == 150
    assert not BAD.search(user.first_name + user.last_name) and user.last_name == "NITRAM"


def test_the_calendar_feed_keeps_one_property_per_line_whatever_was_stored(client, world):
    """A lone CR stored long ago would end an iCalendar line and start a property of its own choosing."""
    from collectives.sessions import calendar

    session = _session(world)
    QicSession.objects.filter(pk=session.pk).update(title=f"Atelier\rATTENDEE:mailto:x@exemple.fr{CONTROLS}")
    _, token = calendar.create_feed(world.seat_holder_a)
    feed = client.get(reverse("sessions:calendar_feed", kwargs={"token": token})).content.decode()
    lines = feed.split("\r\n")
    assert not any(line.startswith("ATTENDEE") for line in lines)
    assert not CONTROL_CHARACTERS.search(feed.replace("\r\n", "")) and "\r" not in feed.replace("\r\n", "")
