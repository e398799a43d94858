"""Issue "Vision": two trinôme members edit the same strategy in two browsers, nobody's edit is lost, the
diagram shows the chain, the three seat holders adopt, the national dashboard and the site page show the
adoption date."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qic import text
from tests.browser.conftest import DEMO_PASSWORD, check_accessibility

pytestmark = pytest.mark.browser

DANGLING = "Les habitants connaissent leurs droits et les démarches en ligne"
TARGET = "Les structures du quartier coordonnent leurs actions au sein d’un collectif"


def _member(browser, live_server, email):
    context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("textbox", name="Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/sites/saint-etienne/vision/")
    return page


def _card(page, title):
    return page.locator("li.qic-change", has=page.get_by_role("heading", name=title, exact=True))


def test_two_members_edit_the_strategy_then_the_trinome_adopts(demo, browser, live_server):
    nadia = _member(browser, live_server, "trinome@demo.qic.fr")
    karim = _member(browser, live_server, "prefet.saint-etienne@demo.qic.fr")
    check_accessibility(nadia, "the vision workspace")

    # Both open the same change in place (HTMX), on the same version.
    for page in (nadia, karim):
        _card(page, DANGLING).get_by_role("link", name=re.compile("^Modifier")).click()
        expect(page.get_by_label("Intitulé du changement")).to_have_value(DANGLING)
    check_accessibility(nadia, "the strategy editor open in place")

    # Nadia saves first: her title is in.
    nadia.get_by_label("Intitulé du changement").fill(DANGLING + " et en ont l’usage")
    nadia.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(_card(nadia, DANGLING + " et en ont l’usage")).to_be_visible()

    # Karim saves on the old version: refused, with both versions shown, nothing overwritten.
    karim.get_by_label("Description (facultatif)").fill("Avec les conseillers numériques de la médiathèque.")
    karim.get_by_role("button", name="Enregistrer", exact=True).click()
    conflict = karim.get_by_role("alert").filter(has_text="Enregistrement refusé")
    expect(conflict).to_be_visible()
    expect(karim.locator(".qic-version--theirs", has_text="et en ont l’usage")).to_be_visible()
    expect(karim.locator(".qic-version--mine", has_text="conseillers numériques")).to_be_visible()
    check_accessibility(karim, "the strategy editor showing a conflict")

    # Karim merges: takes Nadia's title, keeps his description, links the change, saves.
    karim.get_by_label("Intitulé du changement").fill(DANGLING + " et en ont l’usage")
    karim.locator(
        "label", has_text=f"Changement intermédiaire — {TARGET}"
    ).click()  # DSFR: the label is the box
    expect(karim.get_by_label(f"Changement intermédiaire — {TARGET}")).to_be_checked()
    karim.get_by_role("button", name="Enregistrer", exact=True).click()
    card = _card(karim, DANGLING + " et en ont l’usage")
    expect(card).to_contain_text("Avec les conseillers numériques de la médiathèque.")
    expect(card.get_by_role("link", name=TARGET)).to_be_visible()

    # The diagram shows the chain, and its text equivalent too.
    karim.reload()
    diagram = karim.locator("#diagram-panel svg")
    expect(diagram).to_contain_text("et en ont l’usage")
    assert "ne mène encore nulle part" not in karim.locator("#strategy-panel").inner_text()
    karim.get_by_role("button", name=re.compile("Le schéma en texte")).click()
    chain = karim.locator("#chain-text")
    expect(chain.locator("li li li", has_text="et en ont l’usage")).to_be_visible()
    check_accessibility(karim, "the workspace with the diagram and its text equivalent")
    karim.goto(f"{live_server.url}/sites/saint-etienne/vision/schema/")
    expect(karim.locator("svg").first).to_be_visible()
    check_accessibility(karim, "the diagram page")
    karim.goto(f"{live_server.url}/sites/saint-etienne/vision/")

    # The three seat holders approve the latest version: the third approval adopts it.
    sophie = _member(browser, live_server, "ville.saint-etienne@demo.qic.fr")
    for page in (nadia, karim, sophie):
        page.reload()
        page.get_by_role("button", name=re.compile(r"^Approuver la version \d+")).click()
        expect(page.locator("#adoption-panel [role=status]")).to_contain_text(
            re.compile("approbation|adoptée")
        )
    expect(sophie.locator("#adoption-panel [role=status]")).to_contain_text("les trois membres du trinôme")
    check_accessibility(sophie, "the adoption panel after the third approval")
    today = timezone.localdate()

    # The site page and the national dashboard show the adoption date.
    nadia.goto(f"{live_server.url}/sites/saint-etienne/")
    expect(nadia.locator(".qic-vision-card")).to_contain_text(f"Vision adoptée le {today.day}")
    national = _member(browser, live_server, "national@demo.qic.fr")
    national.goto(f"{live_server.url}/sites/tableau-de-bord/?q=Saint-%C3%89tienne")
    row = national.locator("#sites-table tr", has_text="Saint-Étienne").first
    expect(row).to_contain_text(f"Adoptée le {text.date(today)}")  # "2 décembre 2026", the French way


def test_the_workspace_without_javascript_still_edits(demo, browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("textbox", name="Adresse électronique").fill("trinome@demo.qic.fr")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server.url}/sites/saint-etienne/vision/")
    page.get_by_role("link", name="Ajouter un changement intermédiaire").click()
    page.get_by_label("Intitulé du changement").fill("Les habitants prennent part aux décisions du quartier")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(
        page.get_by_role("heading", name="Les habitants prennent part aux décisions du quartier")
    ).to_be_visible()
    expect(page.locator(".fr-alert--success")).to_contain_text("Le changement est ajouté.")
