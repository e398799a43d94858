"""The steering committee asks for the wave 2 roll-up, watches it being produced, downloads its PDF and XLSX;
it also asks for one site's bilan from the site's page and downloads it.

The live server runs tasks in-process; to watch the progress as it happens, the journey holds the task back
(the report waits, as it would for a busy worker), moves it forward, then lets it run.
"""

import io
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from evaluation.models import Report
from evaluation.reports import services, tasks
from evaluation.reports.enums import ReportKind, ReportState
from sites.models import Site

pytestmark = pytest.mark.browser


@pytest.fixture
def held_back(monkeypatch):
    """Reports asked for from the interface wait in the queue until the test runs them."""
    queued = []
    monkeypatch.setattr(services, "enqueue", queued.append)
    return queued


def test_steering_committee_gets_the_wave_2_roll_up(
    demo, sign_in, live_server, held_back, axe_check, tmp_path
):
    page = sign_in("comite@demo.qic.fr")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Bilans").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilans")
    axe_check("archive des bilans")

    page.get_by_label("Synthèse nationale (PDF et tableur)").check()
    page.get_by_label("Vague").select_option(label="Vague 2")
    page.get_by_role("button", name="Produire le document").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Synthèse nationale — Vague 2, toutes les régions"
    )
    expect(page.get_by_text("demande enregistrée")).to_be_visible()
    report = Report.objects.get(kind=ReportKind.NATIONAL, wave__number=2)
    assert [r.pk for r in held_back] == [report.pk] and report.requested_by.email == "comite@demo.qic.fr"
    progress = page.locator("progress")
    expect(progress).to_have_attribute("value", "0")
    axe_check("synthèse en attente")

    # The worker reads the data: the page follows without being reloaded (HTMX polls the report's state).
    tasks.progress(report.pk, 40, "Mise en page du PDF")
    Report.objects.filter(pk=report.pk).update(state=ReportState.RUNNING)
    expect(progress).to_have_attribute("value", "40")
    expect(page.get_by_text("40 % — Mise en page du PDF")).to_be_visible()
    # A reload keeps its place: the state is in the database.
    page.reload()
    expect(page.locator("progress")).to_have_attribute("value", "40")

    tasks.generate_report.apply(args=[report.pk])
    expect(page.get_by_role("heading", name="Document prêt")).to_be_visible(timeout=15_000)
    axe_check("synthèse prête")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name=re.compile(r"^PDF")).first.click()
    pdf_path = tmp_path / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.name.endswith(".pdf") and pdf_path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True).stdout
    assert "Synthèse nationale" in text and "Vague 2" in text and "Page 1 sur" in text

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name=re.compile(r"^Tableur")).first.click()
    workbook = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    sites = [row[0] for row in workbook["Sites"].iter_rows(min_row=2, values_only=True)]
    assert len(sites) == len(Report.objects.get(pk=report.pk).snapshot["sites"]) >= 25

    # The pages read well: rendered to PNG for a look (kept in the test's temporary directory).
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf_path), str(tmp_path / "page")], check=True)
    assert sorted(tmp_path.glob("page-*.png"))

    # The archive now lists it, with both downloads.
    page.get_by_role("link", name="Bilans", exact=True).first.click()
    row = page.locator("tr", has_text="Synthèse nationale — Vague 2")
    expect(row.get_by_role("link", name=re.compile(r"^Tableur"))).to_be_visible()


def test_steering_committee_downloads_a_sites_bilan(
    demo, sign_in, live_server, held_back, axe_check, tmp_path
):
    site = Site.objects.get(slug="saint-etienne")
    page = sign_in("comite@demo.qic.fr")
    page.goto(f"{live_server.url}/sites/")
    page.get_by_role("link", name=site.name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(site.name)
    bilan = page.locator("#bilan")
    expect(bilan.get_by_role("heading", name="Bilan")).to_be_visible()
    axe_check("la page du site, vue du comité de pilotage")

    bilan.get_by_role("button", name="Produire le bilan d’aujourd’hui").click()
    expect(page.get_by_text(f"Bilan de {site.name} : demande enregistrée")).to_be_visible()
    report = Report.objects.get(kind=ReportKind.SITE, site=site, requested_by__email="comite@demo.qic.fr")
    assert [r.pk for r in held_back] == [report.pk]
    expect(page.locator("progress")).to_have_attribute("value", "0")

    # The worker produces it: the page follows without being reloaded.
    tasks.generate_report.apply(args=[report.pk])
    expect(page.get_by_role("heading", name="Document prêt")).to_be_visible(timeout=15_000)
    axe_check("bilan du site prêt")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name=re.compile(r"^PDF")).first.click()
    pdf_path = tmp_path / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.name.endswith(".pdf") and pdf_path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True).stdout
    pages = int(re.search(r"Page 1 sur (\d+)", text)[1])
    assert site.name in text and all(f"Page {n} sur {pages}" in text for n in range(1, pages + 1))

    # Back on the site's page, the latest bilan is the one just produced, and downloads the same document.
    page.goto(f"{live_server.url}{site.get_absolute_url()}")
    expect(bilan).to_contain_text(f"données du {report.data_date.day}")
    with page.expect_download() as again:
        bilan.get_by_role("link", name=re.compile("^Télécharger le PDF")).click()
    assert Path(again.value.path()).read_bytes()[:4] == b"%PDF"
