"""National staff at work: filter the dashboard (HTMX, no reload), read the funnel and alerts, export the
selection to Excel, and import a registration file whose two bad lines are both shown, nothing written."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from sites.models import Site

pytestmark = pytest.mark.browser

HAUTS_DE_FRANCE_WAVE_1 = ["Château-Thierry", "Condé-sur-l’Escaut", "Hazebrouck", "Liévin"]


def go_back_and_wait_for_the_restored_page(page):
    """Go back, then wait until HTMX has fetched the page again and put it in place of the old one."""
    page.evaluate("document.querySelector('#sites-table').setAttribute('data-before-back', '')")
    page.go_back()
    expect(page.locator("#sites-table[data-before-back]")).to_have_count(0)
    expect(page.locator("#sites-table")).to_be_visible()


def test_national_staff_filter_the_dashboard_see_funnel_and_alerts_and_export(
    demo, sign_in, live_server, axe_check
):
    page = sign_in("national@demo.qic.fr")
    expect(page).to_have_url(re.compile(r"/sites/tableau-de-bord/$"))
    expect(page.get_by_role("heading", name="Mobilisation de la vague 4")).to_be_visible()
    axe_check("the dashboard")
    page.evaluate("window.__noReload = true")  # survives only if the filters refresh the table in place

    page.get_by_label("Vague", exact=True).select_option(label="Vague 1")
    expect(page).to_have_url(re.compile(r"vague=1"))
    table = page.locator("#sites-table")
    expect(table.locator("tbody tr")).to_have_count(9)

    page.get_by_label("Région", exact=True).select_option(label="Hauts-de-France")
    expect(page).to_have_url(re.compile(r"\?vague=1&region=32$"))
    expect(table.locator("tbody tr")).to_have_count(4)
    for name in HAUTS_DE_FRANCE_WAVE_1:
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert page.evaluate("window.__noReload") is True
    expect(page.locator("#dashboard-status")).to_have_text("4 sites correspondent aux filtres.")

    # The funnel of the current wave ignores the wave filter; the alerts follow the selection.
    expect(page.locator("#funnel-table")).to_contain_text("Intéressé")
    vacant = page.locator("#alerte-siege-vacant")
    expect(vacant).to_contain_text("1 site — siège du trinôme vacant")
    expect(vacant.get_by_role("link", name="Hazebrouck")).to_be_visible()
    expect(page.locator("#chart-funnel")).to_have_attribute("role", "img")
    axe_check("the dashboard filtered in place (wave 1, Hauts-de-France)")

    # Sorting by trinôme, still in place: the table alone is swapped (the map's table, opened, stays open).
    map_table = page.get_by_role("button", name="La carte en tableau : les sites par département")
    map_table.click()
    expect(map_table).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="Trier par trinôme").click()
    expect(page).to_have_url(re.compile(r"tri=trinome"))
    expect(map_table).to_have_attribute("aria-expanded", "true")
    expect(table.locator("tbody tr").first).to_contain_text("Hazebrouck")  # the vacant seat comes first
    assert page.evaluate("window.__noReload") is True
    axe_check("the dashboard sorted by trinôme")
    # The focus stays on the sort button (it was lost to the top of the page), for the keyboard to sort again;
    # a filter changed after a sort keeps the sort (it was dropped).
    sort = page.locator("#tri-trinome")
    expect(sort).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?vague=1&region=32&tri=-trinome$"))
    expect(table.locator("tbody tr").last).to_contain_text("Hazebrouck")
    expect(sort).to_be_focused()
    page.get_by_label("Type de site", exact=True).select_option(label="Quartier prioritaire (QPV)")
    expect(page).to_have_url(re.compile(r"\?vague=1&region=32&type=qpv&tri=-trinome$"))
    expect(table.locator("tbody tr").last).to_contain_text("Hazebrouck")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter en Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Site"
    assert sorted(row[0] for row in rows[1:]) == sorted(HAUTS_DE_FRANCE_WAVE_1)

    # The back button returns to the previous filters and sorts, one step at a time.
    for step in ("vague=1&region=32&tri=-trinome", "vague=1&region=32&tri=trinome"):
        go_back_and_wait_for_the_restored_page(page)
        expect(page).to_have_url(re.compile(rf"/sites/tableau-de-bord/\?{step}$"))
    go_back_and_wait_for_the_restored_page(page)
    expect(page).to_have_url(re.compile(r"/sites/tableau-de-bord/\?vague=1&region=32$"))
    expect(page.locator("#sites-table tbody tr")).to_have_count(4)
    go_back_and_wait_for_the_restored_page(page)
    expect(page).to_have_url(re.compile(r"/sites/tableau-de-bord/\?vague=1$"))
    expect(page.locator("#sites-table tbody tr")).to_have_count(9)

    # A department of the map filters the table in place, its count the table's rows.
    nord = page.locator("#carte-sites-59")
    count = int(re.match(r"Nord : (\d+) site", nord.locator("title").first.text_content()).group(1))
    nord.click()
    expect(page).to_have_url(re.compile(r"/sites/tableau-de-bord/\?vague=1&departement=59$"))
    expect(page.locator("#sites-table tbody tr")).to_have_count(count)
    expect(page.get_by_role("link", name="Retirer le filtre Nord (59)")).to_be_visible()
    assert page.evaluate("window.__noReload") is True


def test_an_import_with_two_bad_lines_shows_both_errors_and_writes_nothing(
    demo, sign_in, live_server, axe_check
):
    page = sign_in("national@demo.qic.fr")
    page.get_by_role("link", name="Importer des inscriptions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer les inscriptions d’une vague")
    content = "\n".join(
        [
            "Nom du site;Type;Commune;Département;Code QPV;Prénom;Nom;Courriel;Siège",
            "Marseille — Les Aygalades;QPV;Marseille;13;;Camille;Martin;camille@exemple.fr;Collectivité",
            "Bordeaux — Le Lac;QPV;Bordeaux;99;;Luc;Petit;luc@exemple.fr;Collectivité",
            "Nantes — Les Dervallières;QPV;Nantes;44;;Léa;Roux;lea.roux@;Société civile",
        ]
    ).encode()
    page.get_by_label("Fichier des inscriptions").set_input_files(
        {"name": "inscriptions-vague-4.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Voir l’aperçu").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("2 erreurs : rien ne sera importé")
    expect(errors).to_contain_text("Ligne 3, Département : Département « 99 » inconnu.")
    expect(errors).to_contain_text("Ligne 4, Courriel : Courriel « lea.roux@ » mal formé.")
    axe_check("the import preview with its errors")
    expect(page.get_by_role("button", name="Confirmer l’import")).to_have_count(0)
    assert not Site.objects.filter(name__startswith="Marseille — Les Aygalades").exists()
