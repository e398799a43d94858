"""The Sessions issue's "done when": a CRPV facilitator plans a regional module for three sites, prints the
sign-in sheet, ticks attendance on a phone-sized screen, runs the continuum exercise while two sites answer
from their own accounts, and logs a 2-hour coaching session that the dashboard shows against the budget."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from collectives.enums import MemberRole
from collectives.models import Membership, Session
from evaluation.models import SelfAssessment
from sites.models import Site
from tests.browser.conftest import check_accessibility

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "qic-demo-2025"
SITES = ["Saint-Étienne", "Saint-Étienne — Montreynaud", "Saint-Étienne — Tarentaize-Beaubrun"]
TITLE = "Module régional 4 — prototyper notre entente de coopération"
PHONE = {"width": 375, "height": 740}


def _sign_in_context(browser, live_server, email, viewport):
    context = browser.new_context(viewport=viewport, locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("textbox", name="Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")
    return context, page


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_facilitator_runs_a_regional_module_and_logs_coaching(
    demo, sign_in, page, browser, live_server, axe_check, tmp_path
):
    page = sign_in("crpv@demo.qic.fr")

    # 1. Plan a regional module for three sites of the Saint-Étienne area.
    page.get_by_role("link", name="Sessions", exact=True).first.click()
    page.get_by_role("link", name="Planifier une session").click()
    axe_check("planifier une session")
    page.get_by_label("Type de session").select_option(label="Module régional (collectif apprenant)")
    page.get_by_label("Intitulé").fill(TITLE)
    for site in Site.objects.filter(name__in=SITES):
        page.locator(f"label[for='site-{site.pk}']").click()
        expect(page.locator(f"#site-{site.pk}")).to_be_checked()
    day = timezone.localdate() + dt.timedelta(days=2)
    page.locator("#id_date").fill(day.isoformat())
    page.get_by_label("Heure de début").fill("09:30")
    page.get_by_label("Heure de fin").fill("16:30")
    page.locator("#id_place").fill("Maison de quartier de Montreynaud, Saint-Étienne")
    page.get_by_label("Ordre du jour").fill(
        "- Continuum de la coopération\n- Prototype d’entente de coopération"
    )
    page.get_by_role("button", name="Planifier la session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("alert").or_(page.locator(".fr-alert--success"))).to_contain_text("invitées")
    session = Session.objects.get(title=TITLE)
    assert {s.name for s in session.sites.all()} == set(SITES)
    axe_check("page de la session")

    # 2. Print the sign-in sheet (a PDF with every invited person and a signature column).
    sheet = page.get_by_role("link", name=re.compile("Feuille d’émargement"))
    response = page.context.request.get(live_server.url + sheet.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext"):
        path = tmp_path / "emargement.pdf"
        path.write_bytes(response.body())
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Feuille d’émargement" in text and "Signature" in text
        assert "Nadia Haddad" in text

    # 3. Tick attendance on a phone-sized screen, one tap per person.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/sessions/{session.pk}/presences/")
    _no_horizontal_scroll(page)
    axe_check("présences (375 px)")
    for name in ["Nadia Haddad", "Karim Benali", "Sophie Durand"]:
        button = page.get_by_role("button", name=re.compile(f"Présence de {name}"))
        expect(button).to_have_attribute("aria-pressed", "false")
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300  # a big touch target
        button.click()
        toggled = page.get_by_role("button", name=re.compile(f"Présence de {name}"))
        expect(toggled).to_have_attribute("aria-pressed", "true")
        expect(toggled).to_be_focused()  # the row is swapped: the focus stays on its button (same id)
    expect(page.locator("#attendance-counts")).to_contain_text("3 présents")
    assert session.participants.filter(present=True).count() == 3
    # The session's page on the phone: the invitees' table is wider than the screen, and says it slides.
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    expect(page.locator(".qic-scroll-hint:not([hidden])").first).to_contain_text("faites-le glisser")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator(".qic-scroll-hint:not([hidden])")).to_have_count(0)  # it fits: the line goes

    # 4. The continuum exercise: the facilitator opens it; two sites answer from their own phones.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/sessions/{session.pk}/continuum/")
    page.get_by_role("button", name="Ouvrir l’exercice").click()
    expect(page.locator("#continuum-board")).to_contain_text("0 site sur 3")
    axe_check("écran du continuum")

    montreynaud_seat = (
        Membership.objects.current()
        .filter(site__slug="saint-etienne-montreynaud", role=MemberRole.CIVIL_SOCIETY)
        .select_related("user")
        .get()
    )
    answers = [
        (
            "trinome@demo.qic.fr",
            "saint-etienne",
            "Coordination",
            "Le comité des partenaires se réunit chaque mois.",
        ),
        (
            montreynaud_seat.user.email,
            "saint-etienne-montreynaud",
            "Assistance",
            "La fête de quartier préparée à trois.",
        ),
    ]
    contexts = []
    for email, slug, level, moved in answers:
        context, phone = _sign_in_context(browser, live_server, email, PHONE)
        contexts.append(context)
        phone.goto(f"{live_server.url}/sites/{slug}/sessions/{session.pk}/continuum/")
        _no_horizontal_scroll(phone)
        phone.get_by_text(level, exact=True).click()
        phone.get_by_label("Ce qui vous a fait bouger").fill(moved)
        phone.get_by_role("button", name="Enregistrer notre position").click()
        expect(phone.get_by_role("status").filter(has_text="Position enregistrée")).to_contain_text(level)
        check_accessibility(phone, "continuum — page du site (375 px)")

    # The facilitator's screen follows without reloading (HTMX polling every 3 seconds).
    board = page.locator("#continuum-board")
    expect(board).to_contain_text("2 sites sur 3", timeout=10_000)
    expect(board.locator(".qic-continuum__level--5")).to_contain_text("Saint-Étienne")
    expect(board.locator(".qic-continuum__level--4")).to_contain_text("Saint-Étienne — Montreynaud")
    expect(board.get_by_role("table")).to_contain_text("La fête de quartier préparée à trois.")
    page.get_by_role("button", name="Clore et enregistrer les positions").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("2 positions enregistrées")
    assessments = SelfAssessment.objects.filter(source_session=session)
    assert {(a.site.slug, a.continuum_level) for a in assessments} == {
        ("saint-etienne", 5),
        ("saint-etienne-montreynaud", 4),
    }
    for context in contexts:
        context.close()

    # 5. Log a 2-hour coaching session held yesterday at Saint-Étienne.
    page.goto(f"{live_server.url}/sites/saint-etienne/sessions/")
    expect(page.locator("#coaching-title").locator("..")).to_contain_text("2 h")
    page.get_by_role("link", name="Planifier un accompagnement").click()
    expect(page.get_by_label("Type de session")).to_have_value("site_coaching")
    page.get_by_label("Intitulé").fill("Accompagnement — préparer le prototype d’entente")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.locator("#id_date").fill(yesterday.isoformat())
    page.get_by_label("Heure de début").fill("14:00")
    page.get_by_label("Heure de fin").fill("16:00")
    page.locator("#id_place").fill("Centre social de Montreynaud")
    page.get_by_role("button", name="Planifier la session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accompagnement — préparer le prototype d’entente"
    )

    # The dashboard shows the hours used against the site's budget.
    page.goto(f"{live_server.url}/sites/tableau-de-bord/?q=saint-etienne")
    row = page.locator("#sites-table tbody tr").filter(
        has=page.get_by_role("link", name="Saint-Étienne", exact=True)
    )
    expect(row).to_contain_text("4 h / 10 h")
    expect(row).to_contain_text("reste 6 h")
    axe_check("tableau de bord")
