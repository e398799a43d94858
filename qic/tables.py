"""Reading a table (CSV or XLSX) that someone uploaded. Any bytes give rows of plain strings or one French
message (`UnreadableTable`), quickly and in bounded memory: an XLSX's zip directory and XML are checked
before openpyxl parses anything (zip bombs, entity expansion, millions of rows), then its first sheet is
streamed and reading stops as soon as a limit is passed."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

from qic.sanitize import clean_text

MAX_COLUMNS = 100
MAX_FIELD = 1000  # characters in one cell


class UnreadableTable(Exception):
    """The file cannot be read as a table: the message says why, in French, to the person who sent it."""


@dataclass(frozen=True)
class Limits:
    rows: int  # filled rows after the header
    columns: int = MAX_COLUMNS
    field: int = MAX_FIELD

    @property
    def lines(self) -> int:
        """Rows read at most, empty ones included: blank lines are tolerated, not millions of them."""
        return 2 * self.rows + 10


def read_table(content: bytes, filename: str, limits: Limits) -> list[tuple[int, list[str]]]:
    """The filled rows of the file (header first), each with its line number as a spreadsheet shows it."""
    if not content.strip():
        return []
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(content, limits)
    return _csv_rows(content, limits)


# --- What the bytes are ------------------------------------------------------------------------------------

SIGNATURES = (
    (b"%PDF", "un document PDF"),
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF8", "une image GIF"),
    (b"BM", "une image BMP"),
    (b"II*\x00", "une image TIFF"),
    (b"MM\x00*", "une image TIFF"),
    (b"RIFF", "une image ou un son (RIFF)"),
    (b"\x1f\x8b", "une archive compressée (gzip)"),
    (b"7z\xbc\xaf", "une archive 7-Zip"),
    (b"Rar!", "une archive RAR"),
    (b"{\\rtf", "un document RTF"),
    (b"\x7fELF", "un programme"),
    (b"MZ", "un programme"),
)
OLE = b"\xd0\xcf\x11\xe0"
ZIP = b"PK\x03\x04"
EXCEL_UNREADABLE = "Le fichier Excel est illisible : enregistrez-le à nouveau au format .xlsx."
SAVE_AGAIN = "Ouvrez-le dans votre tableur, puis enregistrez-le au format CSV (UTF-8) ou Excel (.xlsx)."


def _not_a_table(content: bytes) -> str | None:
    """A French sentence naming what a file that is not a table is, from its first bytes."""
    if content.startswith(OLE):
        return (
            "Ce fichier est un ancien classeur Excel (.xls) ou un classeur protégé par un mot de passe : "
            "enregistrez-le au format Excel (.xlsx), sans mot de passe."
        )
    for signature, what in SIGNATURES:
        if content.startswith(signature):
            return f"Ce fichier est {what}, pas un tableau. {SAVE_AGAIN}"
    return None


# --- CSV ----------------------------------------------------------------------------------------------------

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
UNKNOWN_ENCODING = (
    "L’encodage des caractères du fichier n’est pas reconnu (ni UTF-8, ni UTF-16, ni Windows-1252) : "
    "enregistrez-le au format « CSV UTF-8 » depuis votre tableur."
)
# A NUL byte in a cell means the bytes were not text in the encoding guessed: the file is refused. Other
# control characters (pasted from a terminal or a PDF) are dropped, as every form drops them (clean_text).
NUL = "\x00"
DELIMITERS = ";,\t"


def _decode(content: bytes) -> str:
    for bom, codec in BOMS:
        if content.startswith(bom):
            try:
                return content.decode(codec)
            except UnicodeDecodeError:
                raise UnreadableTable(UNKNOWN_ENCODING) from None
    head = content[:4096]
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a byte-order mark: every other byte of Latin text is zero.
        codec = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return content.decode(codec)
        except UnicodeDecodeError:
            raise UnreadableTable(f"Ce fichier n’est pas un fichier texte. {SAVE_AGAIN}") from None
    for codec in ("utf-8", "cp1252"):
        try:
            return content.decode(codec)
        except UnicodeDecodeError:
            continue
    raise UnreadableTable(UNKNOWN_ENCODING)


def _csv_rows(content: bytes, limits: Limits) -> list[tuple[int, list[str]]]:
    if content.startswith(ZIP):
        raise UnreadableTable(
            "Ce fichier est un classeur Excel ou une archive ZIP, pas un CSV : "
            "s’il s’agit d’un classeur Excel, donnez-lui l’extension .xlsx."
        )
    what = _not_a_table(content)
    if what:
        raise UnreadableTable(what)
    text = _decode(content)
    start = text.lstrip()[:100].lower()
    if start.startswith(("<!doctype", "<html", "<?xml", "<table", "<head", "<body")):
        raise UnreadableTable(
            f"Ce fichier est une page web (HTML) ou un document XML, pas un CSV. {SAVE_AGAIN}"
        )
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _collect(_csv_records(reader, limits), limits)


def _csv_records(reader, limits: Limits):
    line = 0
    try:
        for line, values in enumerate(reader, start=1):  # noqa: B007 (line is read in the except)
            yield line, values
    except csv.Error as error:
        if "field larger" in str(error):
            raise UnreadableTable(_too_long(line + 1, limits)) from None
        raise UnreadableTable(
            f"Ligne {line + 1} : le fichier CSV est mal formé (guillemets non refermés ?). {SAVE_AGAIN}"
        ) from None


# --- XLSX ---------------------------------------------------------------------------------------------------

MAX_PARTS = 500
MAX_UNPACKED = 40 * 1024 * 1024  # all parts together, uncompressed
MAX_PART = 8 * 1024 * 1024  # a part other than a sheet (shared strings, styles...): read whole by openpyxl
MAX_RATIO = 200  # uncompressed / compressed, for parts over 1 MB
MAX_TEXT_RUN = 64 * 1024  # bytes between two "<" in an XML part: one cell's text, give or take
MAX_CELLS_PER_ROW = 2000
CHUNK = 1024 * 1024
TOKENS = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?(row|c|si)[\s/>]|<!(DOCTYPE|ENTITY)")
TOO_BIG = (
    "Ce classeur Excel décompressé est bien trop volumineux pour un fichier d’inscriptions "
    "(ou il a été fabriqué pour saturer le serveur) : il est refusé. Gardez seulement la feuille des "
    "inscriptions, ou enregistrez-la au format CSV."
)


@dataclass
class _Counts:
    rows: int = 0
    cells: int = 0
    strings: int = 0
    row_cells: int = 0


def _xlsx_rows(content: bytes, limits: Limits) -> list[tuple[int, list[str]]]:
    if not content.startswith(ZIP):
        raise UnreadableTable(_not_a_table(content) or EXCEL_UNREADABLE)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        _inspect(archive, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError):
        raise UnreadableTable(EXCEL_UNREADABLE) from None
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise UnreadableTable(EXCEL_UNREADABLE) from None
    try:
        if not workbook.worksheets:
            raise UnreadableTable(EXCEL_UNREADABLE)
        rows = workbook.worksheets[0].iter_rows(
            min_row=1, max_row=limits.lines + 1, min_col=1, max_col=limits.columns + 1, values_only=True
        )
        return _collect(((line, [_text(v) for v in values]) for line, values in enumerate(rows, 1)), limits)
    except UnreadableTable:
        raise
    except Exception:  # a damaged sheet shows only while it is read
        raise UnreadableTable(EXCEL_UNREADABLE) from None
    finally:
        workbook.close()


def _inspect(archive: zipfile.ZipFile, limits: Limits) -> None:
    """The zip directory, then every XML part, streamed: refuse before openpyxl reads (and holds) anything."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise UnreadableTable(TOO_BIG)
    for part in parts:
        if part.flag_bits & 0x1:
            raise UnreadableTable(
                "Ce classeur est protégé par un mot de passe : enregistrez-le sans mot de passe."
            )
        if part.file_size > CHUNK and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise UnreadableTable(TOO_BIG)
    counts = _Counts()
    for part in parts:
        rows_before = counts.rows
        _scan(archive, part, counts, limits)
        if counts.rows == rows_before and part.file_size > MAX_PART:
            raise UnreadableTable(TOO_BIG)  # not a sheet, so read whole by openpyxl


def _scan(archive: zipfile.ZipFile, part: zipfile.ZipInfo, counts: _Counts, limits: Limits) -> None:
    """Count rows, cells and shared strings of one part, and refuse a DTD (entity expansion), without parsing:
    every token starts with "<" and holds no other "<", so cutting the stream before its last "<" never
    splits one."""
    carry = b""
    first = True
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            data = carry + chunk
            if first:
                first = False
                start = data.lstrip(b" \t\r\n\xef\xbb\xbf")[:2]
                if not start.startswith(b"<"):
                    if b"\x00" in start or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                        raise UnreadableTable(EXCEL_UNREADABLE)  # XML in UTF-16: none of ours, not scanned
                    return  # a picture, a printer setting: not XML, never parsed as such
            cut = data.rfind(b"<")
            if cut <= 0:
                carry = data
            else:
                carry, data = data[cut:], data[:cut]
                _tokens(data, counts, limits)
                if max(map(len, data.split(b"<"))) > MAX_TEXT_RUN:
                    raise UnreadableTable(_too_long(None, limits))
            if len(carry) > MAX_TEXT_RUN:
                raise UnreadableTable(_too_long(None, limits))
    _tokens(carry, counts, limits)


def _tokens(data: bytes, counts: _Counts, limits: Limits) -> None:
    cells_at_most = limits.lines * 20
    for match in TOKENS.finditer(data):
        tag = match.group(1)
        if tag == b"row":
            counts.rows += 1
            counts.row_cells = 0
            if counts.rows > limits.lines:
                raise UnreadableTable(_too_many_lines(limits))
        elif tag == b"c":
            counts.cells += 1
            counts.row_cells += 1
            if counts.cells > cells_at_most or counts.row_cells > MAX_CELLS_PER_ROW:
                raise UnreadableTable(TOO_BIG)
        elif tag == b"si":
            counts.strings += 1
            if counts.strings > cells_at_most:
                raise UnreadableTable(TOO_BIG)
        else:
            raise UnreadableTable(
                "Ce classeur Excel contient des déclarations XML (DOCTYPE, ENTITY) qu’Excel n’écrit jamais : "
                "il est refusé. Enregistrez-le à nouveau depuis votre tableur."
            )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime) and not (value.hour or value.minute or value.second):
        value = value.date()
    return str(value)


# --- Both ---------------------------------------------------------------------------------------------------


def _too_long(line: int | None, limits: Limits) -> str:
    where = f"Ligne {line} : une" if line else "Une"
    return f"{where} valeur dépasse {limits.field} caractères : raccourcissez-la (ou vérifiez le fichier)."


def _too_many_lines(limits: Limits) -> str:
    return (
        f"Le fichier compte plus de {limits.lines} lignes, vides comprises : {limits.rows} lignes remplies "
        "au plus. Découpez-le en plusieurs fichiers."
    )


def _collect(records, limits: Limits) -> list[tuple[int, list[str]]]:
    """The filled rows, checked one by one as they come: reading stops at the first limit passed."""
    rows = []
    for line, values in records:
        if line > limits.lines:
            raise UnreadableTable(_too_many_lines(limits))
        cells = [value if NUL in value else clean_text(value, single_line=True).strip() for value in values]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if len(cells) > limits.columns:
            raise UnreadableTable(f"Ligne {line} : plus de {limits.columns} colonnes remplies : c’est trop.")
        for value in cells:
            if len(value) > limits.field:
                raise UnreadableTable(_too_long(line, limits))
            if NUL in value:
                raise UnreadableTable(
                    f"Ligne {line} : le fichier contient un caractère invisible (U+0000) "
                    "qui n’a pas sa place dans un tableau ; ce n’est peut-être pas un fichier CSV. "
                    + SAVE_AGAIN
                )
        rows.append((line, cells))
        if len(rows) > limits.rows + 1:
            raise UnreadableTable(
                f"Le fichier compte plus de {limits.rows} lignes (sans celle des titres) : "
                f"{limits.rows} au plus. Découpez-le en plusieurs fichiers."
            )
    return rows
