"""Cells of the CSV and XLSX files people open in a spreadsheet: text a spreadsheet would run as a formula is
made inert (CSV injection), the text itself is kept, numbers and dates stay numbers and dates (real XLSX
dates; in CSV, "01/12/2026" and "2,5", which a French spreadsheet reads as a date and a number). Every writer
of the platform goes through `csv_value` (CSV) or `xlsx_cell` (XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell

from qic import text
from qic.sanitize import xml_safe

# First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (or a DDE call),
# with their full-width and small-form variants, which some spreadsheets fold to the ASCII ones.
FORMULA_STARTS = frozenset("=+-@\t\r\n" "\uff1d\uff0b\uff0d\uff20" "\ufe66\ufe62\ufe63\ufe6b")  # fmt: skip
# A plain number written as text ("-3.5", "+33") cannot run anything: it is left as it is.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet run this text? (Leading spaces are skipped by some of them, so they are here.)"""
    stripped = text.lstrip(" \u00a0")
    return stripped[:1] in FORMULA_STARTS and not PLAIN_NUMBER.fullmatch(stripped)


def _clean(text: str) -> str:
    """Control characters have no place in a cell, and XML (XLSX) refuses most of them."""
    return xml_safe(text)


def csv_value(value):
    """A value for a CSV cell: formula-like text gets a leading apostrophe (spreadsheets then show text)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = _clean(value)
        if looks_like_formula(value):
            return "'" + value
        return value
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        value = _local(value)
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float | Decimal):
        # A decimal comma, no thousands separator: a French spreadsheet reads it as a number.
        written = f"{value:f}"
        if "." in written:
            written = written.rstrip("0").rstrip(".")
        return written.replace(".", ",")
    return value


def _local(value: dt.datetime) -> dt.datetime:
    """Spreadsheets know no time zones: a moment is written as the Paris time it was."""
    return value.astimezone(text.zone()).replace(tzinfo=None) if value.tzinfo else value


DATE_FORMAT, DATETIME_FORMAT = "DD/MM/YYYY", "DD/MM/YYYY HH:MM"


def csv_text(rows: Iterable[Iterable], *, bom: bool = True) -> str:
    """Rows as the platform's CSV: semicolons (French spreadsheets), CRLF, UTF-8 with a byte-order mark (Excel
    reads UTF-8 correctly only with it), every cell through `csv_value`."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
    return buffer.getvalue()


def xlsx_cell(sheet, value):
    """A cell for `sheet.append` (normal or write-only workbook). Text is always stored as text, never as a
    formula (openpyxl would make a formula of any string starting with "="); formula-like text is also marked
    "quote prefix", so that editing the cell in Excel keeps it text. The text itself is kept as typed."""
    if isinstance(value, str):
        value = _clean(value)
    elif isinstance(value, dt.datetime):
        value = _local(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    elif isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def xlsx_row(sheet, values: Iterable) -> list:
    return [value if hasattr(value, "data_type") else xlsx_cell(sheet, value) for value in values]
