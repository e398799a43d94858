"""Issue "Evaluation loop", done when: a trinôme adds two indicators to changes, records three measurements
each, closes an evaluation cycle whose adjustment edits the strategy, records a self-assessment; a CRPV
facilitator finds that learning by searching a French word in another inflection ("habitant" finds
"habitants")."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

SITE = "/sites/saint-etienne/evaluation"
REWORDED = "Les familles connaissent l’école et les dispositifs d’accompagnement"
NEW_TITLE = "Les familles connaissent l’école et y prennent la parole"
CYCLE = "Hiver : les réunions du soir"


def _measure(page, name, date, value=None, level=None):
    page.get_by_role("link", name=re.compile(f"Ajouter une mesure à « {re.escape(name)} »")).click()
    page.get_by_label("Date de la mesure").fill(date)
    if value is not None:
        page.get_by_label("Valeur").fill(value)
    else:
        page.get_by_label("Niveau").select_option(str(level))
    page.get_by_role("button", name="Enregistrer la mesure").click()
    expect(page.get_by_text(re.compile("Mesure du .* enregistrée"))).to_be_visible()


def test_trinome_runs_the_loop_and_a_facilitator_finds_the_learning(
    demo, page, live_server, sign_in, axe_check
):
    sign_in("trinome@demo.qic.fr")
    page.goto(f"{live_server.url}{SITE}/indicateurs/")
    axe_check("indicateurs")

    # Two indicators, on two changes of the strategy.
    page.get_by_role("link", name="Ajouter un indicateur").click()
    page.locator("#id_change").select_option(label=REWORDED)
    page.get_by_label("Intitulé").fill("Familles reçues par l’école")
    page.get_by_label("Nature").select_option("quantitative")
    page.get_by_label("Date de la situation de départ").fill("2025-09-01")
    page.get_by_label("Unité").fill("familles")
    page.get_by_label("Valeur de départ").fill("12")
    page.get_by_label("Valeur cible").fill("40")
    page.get_by_label("Sens souhaité").select_option("increase")
    page.get_by_label("Source des données").fill("Registre des rendez-vous du collège")
    page.get_by_label("Fréquence de mesure").select_option("1")
    axe_check("nouvel indicateur")
    page.get_by_role("button", name="Enregistrer l’indicateur").click()
    expect(page.get_by_text("Indicateur « Familles reçues par l’école » enregistré.")).to_be_visible()

    page.get_by_role("link", name="Ajouter un indicateur").click()
    page.locator("#id_change").select_option(
        label="Les structures du quartier coordonnent leurs actions au sein d’un collectif"
    )
    page.get_by_label("Intitulé").fill("Confiance entre les structures")
    page.get_by_label("Nature").select_option("qualitative")
    page.get_by_label("Date de la situation de départ").fill("2025-09-01")
    page.get_by_label("Échelle (indicateur qualitatif)").fill("Méfiance\nPrudence\nConfiance\nAlliance")
    page.get_by_label("Niveau de départ").fill("1")
    page.get_by_label("Niveau cible").fill("4")
    page.get_by_label("Source des données").fill("Tour de table en comité")
    page.get_by_label("Fréquence de mesure").select_option("1")
    page.get_by_role("button", name="Enregistrer l’indicateur").click()
    expect(page.get_by_text("Indicateur « Confiance entre les structures » enregistré.")).to_be_visible()

    # Three measurements each; text in a number is refused next to the field, in French.
    page.get_by_role("link", name=re.compile("Ajouter une mesure à « Familles reçues par l’école »")).click()
    page.get_by_label("Date de la mesure").fill("2025-10-01")
    page.get_by_label("Valeur").fill("une quinzaine")
    page.get_by_role("button", name="Enregistrer la mesure").click()
    expect(page.get_by_text("Saisissez un nombre, par exemple 12 ou 12,5.")).to_be_visible()
    page.get_by_role("link", name="Annuler").click()
    for date, value in (("2025-10-01", "15"), ("2025-11-01", "19,5"), ("2025-12-01", "24")):
        _measure(page, "Familles reçues par l’école", date, value=value)
    for date, level in (("2025-10-01", 1), ("2025-11-01", 2), ("2025-12-01", 3)):
        _measure(page, "Confiance entre les structures", date, level=level)
    section = page.locator("section.qic-indicator", has_text="Familles reçues par l’école")
    expect(section.locator("svg[role=img] circle")).to_have_count(4)  # the baseline and three measurements
    expect(section.get_by_role("table")).to_contain_text("19,5")
    expect(page.locator("section.qic-indicator", has_text="Confiance entre les structures")).to_contain_text(
        "3 — Confiance"
    )

    # An evaluation cycle whose adjustment rewords a change of the strategy, then closed.
    page.goto(f"{live_server.url}{SITE}/cycles/")
    page.get_by_role("link", name="Ouvrir un cycle").click()
    page.locator("#id_title").fill(CYCLE)
    page.locator("#id_starts_on").fill("2025-10-01")
    page.locator("#id_ends_on").fill("2025-12-31")
    page.locator("#id_planned").fill("Deux réunions des familles au collège, le soir.")
    page.locator("#id_observed").fill("Les familles viennent et prennent la parole.")
    page.locator("#id_learned").fill("Les habitants parlent quand la réunion part de leurs questions.")
    page.get_by_role("button", name="Enregistrer le cycle").click()
    page.get_by_role("link", name="Ajouter un ajustement").click()
    page.locator("label", has_text="Reformuler un changement de la stratégie").click()
    page.locator("#id_change").select_option(label=REWORDED)
    page.locator("#id_title").fill(NEW_TITLE)
    page.get_by_role("button", name="Ajouter l’ajustement").click()
    expect(page.get_by_role("table")).to_contain_text(NEW_TITLE)
    axe_check("cycle d’évaluation")
    page.get_by_role("button", name="Clore le cycle et appliquer les ajustements").click()
    expect(page.get_by_text(re.compile("La stratégie de changement est ajustée"))).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text(re.compile(r"Version \d+ de la stratégie"))
    page.goto(f"{live_server.url}/sites/saint-etienne/vision/")
    expect(page.get_by_role("heading", name=NEW_TITLE, exact=True)).to_be_visible()

    # A self-assessment: eight conditions, the continuum, the backbone (prefilled from the site's backbone).
    page.goto(f"{live_server.url}{SITE}/auto-evaluations/")
    page.get_by_role("link", name="Faire une auto-évaluation").click()
    for fieldset in page.locator("fieldset[id^=id_condition_]").all():
        fieldset.locator("label", has_text="En développement").click()
    page.locator("#id_continuum_level-fieldset label", has_text="Collaboration").click()
    page.locator("#id_continuum_moved_by").fill("Le cycle d’hiver : les familles au collège.")
    axe_check("nouvelle auto-évaluation")
    page.get_by_role("button", name="Enregistrer l’auto-évaluation").click()
    expect(page.get_by_text(re.compile("Auto-évaluation du .* enregistrée"))).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Collaboration")
    expect(page.locator("#tendance-continuum")).to_be_visible()
    axe_check("auto-évaluations")

    # A CRPV facilitator of the region finds the cycle's learning with "habitant" (the text says "habitants").
    context = page.context.browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    crpv = context.new_page()
    crpv.goto(f"{live_server.url}/comptes/login/")
    crpv.get_by_role("textbox", name="Adresse électronique").fill("crpv@demo.qic.fr")
    crpv.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    crpv.get_by_role("button", name="Se connecter").click()
    crpv.wait_for_load_state("networkidle")
    crpv.goto(f"{live_server.url}/apprentissages/recherche/?q=habitant")
    expect(crpv.get_by_text(f"Cycle d’évaluation : {CYCLE}")).to_be_visible()
    context.close()
