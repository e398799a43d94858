"""Exports of the dashboard's filtered table: CSV (for any tool) and XLSX (for Excel users)."""

import io
from collections.abc import Callable, Iterable

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from qic import spreadsheets, text
from sites.enums import SiteKind

from . import columns

# Identity columns in full, then every other column family of the dashboard (see dashboard/columns.py).
IDENTITY: list[tuple[str, Callable, int]] = [
    ("Site", lambda s: s.name, 32),
    ("Type", lambda s: SiteKind(s.kind).label, 22),
    ("Commune(s)", lambda s: s.communes, 24),
    ("Département", lambda s: f"{s.department_code} — {s.department_name}", 24),
    ("Région", lambda s: s.region_name, 26),
    ("Vague", lambda s: s.wave.number, 8),
    ("Code QPV", lambda s: s.qpv_code, 12),
    ("Statut", lambda s: s.get_status_display(), 16),
    ("Statut depuis le", lambda s: text.local_day(s.status_changed_at), 14),
]


def export_columns() -> list[tuple[str, Callable, int]]:
    result = list(IDENTITY)
    for family in columns.FAMILIES:
        if family is columns.IDENTITY:
            continue
        for column in family.columns:
            label = column.label if column.available else f"{column.label} (pas encore suivi)"
            if column.key == "accompagnement" and column.available:
                # Sessions (issue 7): the hours used, then the budget they count against.
                result.append(("Heures d’accompagnement utilisées", column.export, 30))
                result.append(("Budget d’accompagnement (heures)", lambda s: float(s.coaching_budget), 30))
                continue
            if column.key == "accompagnement":
                label = "Budget d’accompagnement (heures)"
            if column.key == "autoevaluation":
                # The day (a real date) and the level reached, each in its own column.
                result.append(("Dernière auto-évaluation", lambda s: s.progress.last_assessed_on, 16))
                result.append(("Niveau du continuum", column.export, 24))
                continue
            result.append((label, column.export, max(14, min(len(label) + 2, 30))))
    return result


def rows(queryset, chunk: int = 500) -> Iterable[list]:
    """The export's raw rows (each writer makes its cells safe); a chunk of sites gets its columns' data in
    one query per family."""
    spec = export_columns()
    sites = list(queryset)
    for start in range(0, len(sites), chunk):
        for site in columns.enrich(sites[start : start + chunk]):
            yield [fn(site) for _, fn, _ in spec]


def _filename(extension: str) -> str:
    return f"sites-qic-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(queryset) -> HttpResponse:
    header = [label for label, _, _ in export_columns()]
    response = HttpResponse(
        spreadsheets.csv_text([header, *rows(queryset)]), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def xlsx_response(queryset) -> HttpResponse:
    spec = export_columns()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sites")
    sheet.freeze_panes = "B2"
    for index, (_, _, width) in enumerate(spec, start=1):
        sheet.column_dimensions[_letter(index)].width = width
    header_font, header_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="000091")
    header = []
    for label, _, _ in spec:
        cell = spreadsheets.xlsx_cell(sheet, label)
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows(queryset):
        sheet.append(spreadsheets.xlsx_row(sheet, row))
        count += 1
    sheet.auto_filter.ref = f"A1:{_letter(len(spec))}{count + 1}"
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
