"""Rendering reports: French A4 PDFs with page numbers, a table of contents, tagged for accessibility, fonts
embedded; XLSX roll-ups; and a renderer that nothing a user typed can make fetch a URL or read a file."""

import datetime as dt
import http.server
import io
import re
import subprocess
import threading

import pytest
from openpyxl import load_workbook

from collectives.enums import MemberRole
from evaluation.reports import national, render, snapshot
from qic import charts, pdf
from qic.pdf.engine import StaticFileFetcher
from tests.collectives.factories import MembershipFactory
from tests.pdfs import table_tagging_faults

DATA_DATE = dt.date(2026, 11, 21)


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def pdf_info(content: bytes) -> str:
    return subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()


def pdf_fonts(content: bytes) -> str:
    return subprocess.run(["pdffonts", "-"], input=content, capture_output=True, check=True).stdout.decode()


def test_site_bilan_is_a_french_tagged_a4_pdf_with_contents_and_page_numbers(world):
    data = snapshot.site_snapshot(world.site_a.pk)

    content = render.report_pdf(data, data_date=DATA_DATE)

    info = pdf_info(content)
    assert "Tagged:          yes" in info  # PDF/UA-1
    assert "pts (A4)" in info
    assert "Title:           Bilan de Quartier A" in info
    assert "Marianne" in pdf_fonts(content)
    text = pdf_text(content)
    assert "Bilan du site Quartier A" in text
    assert "Sommaire" in text and "2. Trinôme et passations" in text
    assert "Page 1 sur" in text
    assert "21 novembre 2026" in text
    # Every family has landed (the indicators last): a section without data says so in its own words.
    assert "Pas encore disponible" not in text
    assert "6. Indicateurs" in text and "Aucun indicateur à ce jour" in text
    assert "siège vacant" in text.lower()
    # PDF/UA tables: no table in a table or a caption (a caption hidden out of flow made three), a TH each.
    assert table_tagging_faults(content) == []


def test_national_roll_up_pdf_is_a_synthesis_by_wave_and_region_that_sends_to_the_spreadsheet(world):
    """A committee's document: its length follows the waves and regions, not the sites (each site, with every
    fact, is in the spreadsheet, which the last section says)."""
    data = national.national_snapshot()

    content = render.report_pdf(data, data_date=DATA_DATE)

    text = pdf_text(content)
    assert "Synthèse nationale" in text and "toutes les vagues, toutes les régions" in text
    for title in ("Chiffres clés", "Par vague", "Par région", "Mobilisation des sites", "Alertes"):
        assert title in text
    assert "Avancement de la démarche par région" in text
    assert "Le détail par site" in text and "Les 2 sites du périmètre sont dans le tableur" in text
    assert "onglet « Sites »" in text
    # The map of France by status, its legend and its table (a tagged table like the others).
    assert "Carte des sites" in text and "le statut le plus fréquent parmi les sites" in text
    assert "Sites par département et par statut" in text and "Fond de carte" in text
    assert "Loire (42)" in text and "Nord (59)" in text
    assert table_tagging_faults(content) == []
    sizes = subprocess.run(["pdfinfo", "-l", "99", "-"], input=content, capture_output=True, check=True)
    assert "842 x 595" not in sizes.stdout.decode().replace("841.89", "842").replace("595.28", "595")
    html = render.report_html(data, data_date=DATA_DATE)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="qic-chart"') >= 3
    assert "<title>Loire : 1 site (Actif : 1)</title>" in html


def test_the_roll_up_keeps_the_regions_chart_on_the_page_of_its_table(world):
    """Thirteen regions: the chart's labels sit beside the bars (half the height of labels above them), and
    the chart and its table are kept on one page (the table used to start on the page after the chart)."""
    from tests.sites.factories import SiteFactory, department

    for code in ("01", "13", "21", "29", "31", "33", "35", "44", "45", "67", "75", "976", "2A"):
        SiteFactory(department=department(code), wave=world.site_a.wave)
    data = national.national_snapshot()
    sections = {section["key"]: section for section in data["sections"]}
    assert len(sections["by_region"]["rows"]) >= 12
    regions = render.national_charts(sections)["by_region"]
    assert 'x="0.0" y=' in regions and f'<rect x="{charts.BESIDE_LABEL_WIDTH + 8:.1f}"' in regions
    pages = pdf_text(render.report_pdf(data, data_date=DATA_DATE)).split("\f")
    heading = [i for i, page in enumerate(pages) if re.search(r"^3\. Par région *$", page, re.M)]
    assert len(heading) == 1, heading  # the contents list it with its page number
    page = pages[heading[0]]
    # Mayotte, the last region: its bar, then its row of the table, then the table's note.
    assert page.count("Mayotte") == 2 and "Continuum moyen : moyenne" in page.rsplit("Mayotte", 1)[1]


def test_national_roll_up_xlsx_has_one_sheet_per_section_and_every_site(world):
    data = national.national_snapshot()

    workbook = load_workbook(io.BytesIO(render.national_xlsx(data, data_date=DATA_DATE)))

    assert workbook.sheetnames == [
        "Synthèse",
        "Par vague",
        "Par région",
        "Par département",  # the map's table
        "Mobilisation",
        "Continuum",
        "Conditions",
        "Alertes",
        "Sites",
    ]
    sites = list(workbook["Sites"].iter_rows(values_only=True))
    assert sites[0][:5] == ("Site", "Communes", "Département", "Région", "Vague")
    assert {row[0] for row in sites[1:]} == {"Quartier A", "Quartier B"}
    assert workbook["Sites"].freeze_panes == "A2"
    for key in ("vision_adopted", "continuum", "coaching_hours"):  # one column per fact
        assert next(d["label"] for d in data["facts"] if d["key"] == key) in sites[0]
    regions = list(workbook["Par région"].iter_rows(values_only=True))
    assert regions[0][:2] == ("Région", "Sites") and regions[0][-4:] == (
        "Trinôme complet",
        "Vision adoptée",
        "Stratégie de changement adoptée",
        "Entente de coopération signée",
    )
    assert sum(row[1] for row in regions[1:]) == 2
    departments = list(workbook["Par département"].iter_rows(values_only=True))
    assert departments[0][:4] == ("Département", "Code", "Région", "Sites")
    assert [row[:4] for row in departments[1:]] == [
        ("Loire", "42", "Auvergne-Rhône-Alpes", 1),
        ("Nord", "59", "Hauts-de-France", 1),
    ]
    assert workbook["Synthèse"]["B4"].value == 2
    continuum = list(workbook["Continuum"].iter_rows(values_only=True))
    assert continuum[0] == ("Question", "Niveau", "Sites", "Part (%)") and len(continuum) == 1 + 7
    assert len(list(workbook["Conditions"].iter_rows())) == 1 + 5 * 4  # ordinal data as distributions
    assert workbook["Synthèse"]["B2"].is_date  # "Données du" and a real date, not text


def test_the_sites_sheet_says_which_sites_have_not_assessed_themselves_and_keeps_numbers_as_numbers(world):
    """Opened in a spreadsheet, the "Sites" sheet has no empty cell where a fact is missing: the continuum
    and the five conditions of a site that has not assessed itself read "non évalué", as in the roll-up;
    an assessed site shows its levels, and counts stay numbers."""
    from evaluation.enums import ConditionKey, ConditionLevel
    from evaluation.models import ConditionAssessment, SelfAssessment

    assessment = SelfAssessment.objects.create(
        site=world.site_a, assessed_on=dt.date(2026, 5, 10), continuum_level=4
    )
    ConditionAssessment.objects.create(
        self_assessment=assessment, condition=ConditionKey.SHARED_VISION, level=ConditionLevel.DEVELOPING
    )
    data = national.national_snapshot()

    workbook = load_workbook(io.BytesIO(render.national_xlsx(data, data_date=DATA_DATE)))

    header, *rows = workbook["Sites"].iter_rows(values_only=True)
    sites = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    conditions = [d["label"] for d in data["facts"] if d["key"].startswith("condition_")]
    assert len(conditions) == 5
    assert sites["Quartier A"]["Continuum de la coopération"] == "Assistance"
    assert sites["Quartier A"][ConditionKey.SHARED_VISION.label] == "En développement"
    assert sites["Quartier A"][ConditionKey.BACKBONE.label] == "non évalué"  # assessed, but not that one
    for label in ("Continuum de la coopération", *conditions):
        assert sites["Quartier B"][label] == "non évalué"
    assert all(
        value not in (None, "") for site in sites.values() for key, value in site.items() if key != "Communes"
    )
    for label in ("Sièges pourvus", "Sessions suivies", "Heures d’accompagnement réalisées"):
        assert isinstance(sites["Quartier B"][label], int | float), label


def test_site_bilan_writes_dates_tags_and_spaces_the_french_way(world):
    """The PDF as a reader sees it: "1er décembre 2026" (never "1 Déc 2026" nor "01/12/2026"), tags as
    written ("coopération", not a slug), no-break spaces before colons."""
    from sites.models import SiteStatusChange
    from tests.evaluation.factories import LearningFactory

    site = world.site_a
    change = SiteStatusChange.objects.create(site=site, from_status="interested", to_status="registering")
    SiteStatusChange.objects.filter(pk=change.pk).update(
        changed_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    )
    LearningFactory(
        site=site, title="Le forum", tags=",coopération,habitants,", occurred_on=dt.date(2026, 9, 1)
    )

    data = snapshot.site_snapshot(site.pk)
    text = pdf_text(render.report_pdf(data, data_date=dt.date(2026, 12, 1)))

    assert "1er décembre 2026" in text and "1er septembre 2026" in text
    assert "Déc" not in text and "01/12/2026" not in text
    assert "coopération, habitants" in text and "cooperation" not in text
    # pdftotext writes no-break spaces as plain ones: the HTML given to WeasyPrint shows them.
    assert "Étiquettes\u00a0: coopération" in render.report_html(data, data_date=dt.date(2026, 12, 1))


def test_the_continuum_grid_of_a_bilan_prints_every_level_name_whole_at_8_pt_or_more(world):
    """The grid spans the page's width: its level names print at the size of the tables' text (8 pt) or
    larger, each whole on one line ("Communication" once drew at 5 pt, or cut in two)."""
    from evaluation.enums import ContinuumLevel
    from evaluation.models import SelfAssessment

    for day, level in ((dt.date(2025, 11, 10), 3), (dt.date(2026, 5, 10), 4)):
        SelfAssessment.objects.create(site=world.site_a, assessed_on=day, continuum_level=level)
    content = render.report_pdf(snapshot.site_snapshot(world.site_a.pk), data_date=DATA_DATE)

    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=content, capture_output=True, check=True)
    words = [
        (float(left), float(top), float(right), word)
        for left, top, right, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]+)</word>',
            boxes.stdout.decode(),
        )
    ]
    # The grid's line of level names: "Concurrence" (level 1, which no assessment reached) is only there.
    line = next(top for _, top, _, word in words if word == "Concurrence")
    grid = {word: right - left for left, top, right, word in words if top == line}
    for name in ContinuumLevel.labels:
        assert grid[name] / charts.text_width(name, 1) >= 8, name  # whole, and its printed size in points
    assert "10 novembre 2025" in pdf_text(content)  # each row is dated in words, as the table below


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):  # noqa: N802
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    """A real HTTP server on loopback, to prove nothing is ever requested from it."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    server.shutdown()


def _hostile(url):
    return (
        f'<img src="{url}/img.png"> <link rel="stylesheet" href="{url}/style.css"> '
        '<img src="file:///etc/passwd"> <a rel="attachment" href="file:///etc/passwd">pj</a> '
        f"<style>@import url({url}/import.css); body {{ background: url({url}/bg.png) }}</style> "
        f'<object data="file:///etc/passwd"></object> <iframe src="{url}/frame"></iframe>'
    )


def test_text_typed_by_users_cannot_make_the_renderer_fetch_anything(world, web_server):
    url, hits = web_server
    hostile = _hostile(url)
    world.site_a.name = f"Quartier {hostile}"[:200]
    world.site_a.communes = hostile[:255]
    world.site_a.save()
    MembershipFactory(site=world.site_a, role=MemberRole.PREFECT_DELEGATE, organisation=hostile[:200])

    content = render.report_pdf(snapshot.site_snapshot(world.site_a.pk), data_date=DATA_DATE)

    assert hits == []
    text = pdf_text(content)
    assert "root:x:0:0" not in text and b"root:x:0:0" not in content
    assert "<img src=" in text  # shown as the text it is
    assert "EmbeddedFile" not in content.decode("latin-1")


def test_the_renderer_itself_refuses_network_and_local_files(web_server, caplog):
    """Even raw HTML (user text never gets there: it is escaped) cannot reach the network or the disk."""
    url, hits = web_server
    html = (
        "<!DOCTYPE html><html lang='fr'><head><title>t</title></head>"
        f"<body>{_hostile(url)}<p>fin</p></body></html>"
    )

    content = pdf.html_to_pdf(html, stylesheets=())

    assert hits == []
    assert b"root:x:0:0" not in content and "EmbeddedFile" not in content.decode("latin-1")
    assert "fin" in pdf_text(content)
    fetcher = StaticFileFetcher()
    for refused in (f"{url}/x.png", "file:///etc/passwd", f"{pdf.BASE_URL}static/../../../../etc/passwd"):
        with pytest.raises(pdf.FetchRefused):
            fetcher.fetch(refused)
    # Static files are served from disk: the Marianne font of the DSFR.
    font = fetcher.fetch(f"{pdf.BASE_URL}static/dsfr/dist/fonts/Marianne-Regular.woff2")
    assert font is not None


def test_every_glyph_of_a_bilan_is_marianne_nested_list_markers_included(world):
    """The strategy's chain of changes is a list three levels deep: its markers used to come from a fallback
    font (◦ and ▪ are not in Marianne)."""
    from tests.vision.factories import chain_strategy

    chain_strategy(world.site_a, world.seat_holder_a)
    content = render.report_pdf(snapshot.site_snapshot(world.site_a.pk), data_date=DATA_DATE)
    fonts = [line.split()[0] for line in pdf_fonts(content).splitlines()[2:]]
    assert fonts and all("+Marianne" in name for name in fonts), fonts
    assert "CHANGEMENT DIRECT" in pdf_text(content).upper()


def test_the_levels_of_a_scale_are_shades_a_reader_tells_apart_in_print():
    """Four conditions' levels ("absente" to "bien établie") drawn 9 points of lightness apart could not be
    told apart on paper: each scale's shades are as far apart as the palette allows, lightest to darkest."""
    from evaluation.reports.render import _level_colors, _lightness

    for count in (2, 3, 4, 5, 6, 7):
        shades = [_lightness(colour) for colour in _level_colors(count)]
        assert shades == sorted(shades, reverse=True)  # lightest first: an ordinal scale
        gaps = [a - b for a, b in zip(shades, shades[1:], strict=False)]
        assert min(gaps) >= (13 if count <= 4 else 7), (count, shades)
