"""A report's snapshot turned into documents: PDF (WeasyPrint, through `qic/pdf/`) and XLSX (openpyxl).

Rendering reads the snapshot only, never the database: the same snapshot gives the same document. Charts are
drawn here from the snapshot's figures (`qic/charts.py`, inline SVG); a site's strategy diagram is stored in
the snapshot as SVG and inlined as is.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools

from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qic import charts, pdf, spreadsheets, text
from qic.sanitize import xml_safe
from sites import geography
from sites.enums import SiteStatus

STYLESHEETS = ("css/pdf.css", "css/reports-pdf.css")
STATUS_COLORS = tuple(geography.STATUS_COLORS[status] for status in SiteStatus)  # in the statuses' order
# Lowest level first, from light to dark blue (an ordinal scale reads as one hue getting deeper).
LEVEL_COLORS = ("#E3E3FD", "#CACAFB", "#A1A1F8", "#8585F6", "#6A6AF4", "#313178", "#000091")


def _section_template(kind: str, key: str) -> str:
    name = f"reports/pdf/{kind}/{key}.html"
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return "reports/pdf/generic_section.html"
    return name


def _lightness(colour: str) -> float:
    """CIE L* of an sRGB colour "#RRGGBB" (0 black, 100 white): how light it looks, on screen as in print."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 116 * (y ** (1 / 3) if y > 0.008856 else 7.787 * y + 16 / 116) - 16


@functools.cache
def _level_colors(count: int) -> tuple[str, ...]:
    """`count` shades of the scale, lightest to darkest, as far apart in lightness as the scale allows (two
    shades 9 points apart, "émergente" and "en développement", could not be told apart in print); the
    lightest one only for a seven-level scale."""
    last = len(LEVEL_COLORS) - 1
    if count < 2:
        return (LEVEL_COLORS[last],) * count
    if count >= len(LEVEL_COLORS):
        return tuple(LEVEL_COLORS[i % len(LEVEL_COLORS)] for i in range(count))
    inner = range(2, last)
    lightness = [_lightness(colour) for colour in LEVEL_COLORS]

    def narrowest(picked):
        return min((lightness[a] - lightness[b] for a, b in itertools.pairwise(picked)), default=100)

    best = max(((1, *middle, last) for middle in itertools.combinations(inner, count - 2)), key=narrowest)
    return tuple(LEVEL_COLORS[i] for i in best)


def histogram(distribution: dict, chart_id: str) -> str:
    """One ordinal question as a distribution: how many sites at each level, lowest level first."""
    levels = distribution["levels"]
    colors = _level_colors(len(levels))
    return charts.bar_chart(
        [
            charts.Bar(item["level"], item["count"], colors[i], note=f"{item['share']}{text.NBSP}%")
            for i, item in enumerate(levels)
        ],
        chart_id=chart_id,
        title=f"Répartition des sites : {distribution['label']}",
        desc="; ".join(f"{item['level']} : {item['count']}" for item in levels)
        + ". Le détail est dans le tableau qui suit.",
    )


def stacked_distributions(distributions: list[dict], chart_id: str, title: str) -> str:
    """Several questions on the same scale: one bar per question, split by level."""
    levels = [item["level"] for item in distributions[0]["levels"]]
    colors = _level_colors(len(levels))
    return charts.stacked_bar_chart(
        [d["label"] for d in distributions],
        [
            charts.Series(level, colors[i], tuple(d["levels"][i]["count"] for d in distributions))
            for i, level in enumerate(levels)
        ],
        chart_id=chart_id,
        title=title,
        desc="; ".join(
            f"{d['label']} : " + ", ".join(f"{item['level']} {item['count']}" for item in d["levels"])
            for d in distributions
        )
        + ". Le détail est dans le tableau qui suit.",
    )


def national_charts(sections: dict) -> dict:
    result = {}
    by_wave = sections["by_wave"]
    if by_wave["rows"]:
        result["by_wave"] = charts.stacked_bar_chart(
            [row["label"] for row in by_wave["rows"]],
            [
                charts.Series(label, STATUS_COLORS[i], tuple(row["statuses"][i] for row in by_wave["rows"]))
                for i, label in enumerate(by_wave["statuses"])
            ],
            chart_id="chart-waves",
            title="Sites par vague et par statut",
            desc="; ".join(f"{row['label']} : {row['total']} sites" for row in by_wave["rows"])
            + ". Le détail par statut est dans le tableau qui suit.",
        )
    by_region = sections["by_region"]
    if by_region["rows"]:
        result["by_region"] = charts.stacked_bar_chart(
            [row["label"] for row in by_region["rows"]],
            [
                charts.Series(label, STATUS_COLORS[i], tuple(row["statuses"][i] for row in by_region["rows"]))
                for i, label in enumerate(by_region["statuses"])
            ],
            chart_id="chart-regions",
            labels_beside=True,
            title="Sites par région et par statut",
            desc="; ".join(f"{row['label']} : {row['total']}" for row in by_region["rows"])
            + ". Le détail est dans le tableau qui suit.",
        )
    site_map = sections.get("map")  # roll-ups taken before the map have none
    if site_map and site_map["rows"]:
        result["map"] = geography.site_map(site_map["rows"], colour_by="status", map_id="chart-map")
    result["funnels"] = [
        charts.bar_chart(
            [
                charts.Bar(
                    stage["label"], stage["reached"], STATUS_COLORS[i], note=f"{stage['share']}{text.NBSP}%"
                )
                for i, stage in enumerate(funnel["stages"])
            ],
            chart_id=f"chart-funnel-{index}",
            title=f"Mobilisation — {funnel['wave']}",
            desc="Nombre de sites arrivés à chaque étape : "
            + ", ".join(f"{stage['label'].lower()} {stage['reached']}" for stage in funnel["stages"])
            + ". Le détail est dans le tableau qui suit.",
        )
        for index, funnel in enumerate(sections["funnel"]["waves"])
    ]
    continuum = sections["continuum"]
    if continuum["available"] and continuum["distributions"][0]["known"]:
        result["continuum"] = histogram(continuum["distributions"][0], "chart-continuum")
    conditions = sections["conditions"]
    if conditions["available"] and any(d["known"] for d in conditions["distributions"]):
        result["conditions"] = stacked_distributions(
            conditions["distributions"], "chart-conditions", "Les cinq conditions : sites par niveau"
        )
    return result


# The grid is drawn across the page's whole width (`.chart--wide`, 174 mm of A4 inside the margins): one unit
# of its viewBox is then about one point, and its labels print at 8.5 pt or more.
GRID_WIDTH, GRID_LABEL_SIZE = 490, 8.5


def continuum_chart(points: list[dict], levels: list[str], *, chart_id: str) -> str:
    """The site's position on the seven levels of the continuum at each self-assessment: the levels as
    columns (number, then name), one row per date, its date written above its bar of cells."""
    size, cell_w, bar_h, gap = GRID_LABEL_SIZE, GRID_WIDTH / len(levels), 14, 7
    line_h = size * 1.25
    # Level names under their numbers, wrapped within their column (never running into the next one): at this
    # size the longest, "Communication", fits on one line.
    names = [
        charts.label(level, x=i * cell_w + cell_w / 2, y=16 + line_h, size=size, width=cell_w - 2,
                     attrs='text-anchor="middle" fill="currentColor"')
        for i, level in enumerate(levels)
    ]  # fmt: skip
    head_h = 16 + max((lines for _, lines in names), default=1) * line_h + gap
    row_h = line_h + 2 + bar_h + gap
    height = head_h + row_h * len(points)
    cid = escape(chart_id)
    title = "Position sur le continuum de la coopération"
    desc = "; ".join(
        f"{text.date(p['on'][:10])}{text.NBSP}: {p['label'] or 'non positionné'}" for p in points
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qic-chart" id="{cid}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {GRID_WIDTH} {height:.0f}" width="100%" '
        f'font-family="{charts.FONT}" font-size="{size}">',
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(desc)}.</desc>',
    ]
    for index, (name, _) in enumerate(names):
        x = index * cell_w + cell_w / 2
        parts.append(
            f'<text x="{x:.1f}" text-anchor="middle" fill="currentColor" y="{size + 2}" '
            f'font-size="{size + 1}" font-weight="700">{index + 1}</text>{name}'
        )
    for row, point in enumerate(points):
        y = head_h + row * row_h
        day = text.date(point["on"][:10]) + ("" if point["level"] else f"{text.NBSP}: non positionné")
        parts.append(f'<text x="0" y="{y + size:.1f}" fill="currentColor">{escape(day)}</text>')
        for index in range(len(levels)):
            x = index * cell_w
            reached = point["level"] and index < point["level"]
            fill = "#000091" if point["level"] == index + 1 else ("#cacafb" if reached else "#f0f0f0")
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y + line_h + 2:.1f}" width="{cell_w - 2:.1f}" height="{bar_h}" '
                f'fill="{fill}"/>'
            )
    parts.append("</svg>")
    return mark_safe(xml_safe("".join(parts)))  # noqa: S308 - every text above is escaped


def site_charts(sections: dict) -> dict:
    """Charts of a site's bilan: its positions on the cooperation continuum over time."""
    result = {}
    assessments = sections.get("self_assessments", {})
    points = assessments.get("continuum", [])
    if assessments.get("available") and any(p["level"] for p in points):
        result["continuum"] = continuum_chart(
            points, assessments["continuum_levels"], chart_id="chart-continuum"
        )
    return result


def _context(data: dict, data_date: dt.date) -> dict:
    sections = [{**s, "template": _section_template(data["kind"], s["key"])} for s in data["sections"]]
    by_key = {s["key"]: s for s in sections}
    context = {
        "document_title": data["title"],
        "report": data,
        "sections": sections,
        "by_key": by_key,
        "data_date": data_date,
        "taken_at": dt.datetime.fromisoformat(data["taken_at"]),
        "facts": {d["key"]: d for d in data["facts"]},
    }
    if data["kind"] == "national":
        context["charts"] = national_charts(by_key)
    else:
        context["site"] = by_key["identity"]
        context["site_charts"] = site_charts(by_key)
    return context


def _html(data: dict, context: dict, part: str = "whole", pages: dict | None = None) -> str:
    """The report's HTML: the `part` of `pdf.pdf_with_contents` ("whole", "cover" or "body")."""
    template = "reports/pdf/site_bilan.html" if data["kind"] == "site" else "reports/pdf/national.html"
    with translation.override("fr"):
        return render_to_string(template, {**context, "part": part, "pages": pages})


def report_html(data: dict, *, data_date: dt.date) -> str:
    return _html(data, _context(data, data_date))


def report_pdf(data: dict, *, data_date: dt.date) -> bytes:
    context = _context(data, data_date)
    return pdf.pdf_with_contents(lambda *part: _html(data, context, *part), stylesheets=STYLESHEETS)


# --- XLSX ---------------------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="000091")
TITLE_FONT = Font(bold=True, size=14, color="000091")
HEADER_ALIGNMENT = Alignment(vertical="top", wrap_text=True)


def _cell_value(value):
    if isinstance(value, bool):
        return "oui" if value else "non"
    return value


def _fact_value(definition: dict, value):
    """A site's fact in the "Sites" sheet; a missing one is said, never an empty cell that reads as forgotten:
    a site that has not assessed itself is "non évalué" on the continuum and on each condition."""
    if value is not None:
        return value
    return "non évalué" if definition["kind"] == "ordinal" else "non renseigné"


def _append(sheet, row) -> None:
    """Every cell through the one safe writer: text typed by users is never stored as a formula."""
    sheet.append(spreadsheets.xlsx_row(sheet, [_cell_value(v) for v in row]))


def _styled(sheet, value, **style):
    cell = spreadsheets.xlsx_cell(sheet, value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _sheet(workbook: Workbook, title: str, header: list[str], rows, widths: list[int] | None = None):
    """A sheet of a write-only workbook: widths and frozen header set first, then the rows streamed in."""
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header_style = {"font": HEADER_FONT, "fill": HEADER_FILL, "alignment": HEADER_ALIGNMENT}
    sheet.append([_styled(sheet, label, **header_style) for label in header])
    for row in rows:
        _append(sheet, row)
    return sheet


def _group_sheet(workbook: Workbook, title: str, section: dict) -> None:
    """By wave or by region: the sites by status, then how many reached each step of the approach."""
    steps = section.get("steps", [])
    _sheet(
        workbook,
        title,
        [title.removeprefix("Par ").capitalize(), "Sites", *section["statuses"], *steps],
        (
            [r["label"], r["total"], *r["statuses"], *(step["count"] for step in r.get("progress", []))]
            for r in section["rows"]
        ),
        [34, 10, *[14] * len(section["statuses"]), *[16] * len(steps)],
    )


def national_xlsx(data: dict, *, data_date: dt.date) -> bytes:
    """The roll-up as a workbook: one sheet per section, then every site with every available fact.

    Write-only (streamed) workbook: its memory does not grow with the number of sites.
    """
    sections = {s["key"]: s for s in data["sections"]}
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("Synthèse")
    summary.column_dimensions["A"].width = 48
    summary.column_dimensions["B"].width = 24
    summary.append([_styled(summary, data["title"], font=TITLE_FONT)])
    _append(summary, ["Données du", data_date])
    _append(summary, [])
    overview = sections["overview"]
    _append(summary, ["Sites du périmètre", overview["total"]])
    _append(summary, ["En formation ou actifs", overview["engaged"]])
    _append(summary, ["Trinôme complet", overview["trinome_complete"]])
    for label, count in zip(overview["statuses"], overview["by_status"], strict=True):
        _append(summary, [f"Statut : {label}", count])
    for item in overview["progress"]:
        value = (
            f"{item['count']} ({item['share']}{text.NBSP}%)" if item["available"] else "pas encore disponible"
        )
        _append(summary, [item["label"], value])
    waiting = [d["label"] for d in data["facts"] if not d["available"]]
    if waiting:
        _append(summary, [])
        _append(summary, ["Pas encore disponible : " + ", ".join(waiting)])

    _group_sheet(workbook, "Par vague", sections["by_wave"])
    _group_sheet(workbook, "Par région", sections["by_region"])
    site_map = sections.get("map")  # roll-ups taken before the map have none
    if site_map:
        areas = geography.site_map(site_map["rows"]).areas
        statuses = sections["by_wave"]["statuses"]
        _sheet(
            workbook,
            "Par département",
            ["Département", "Code", "Région", "Sites", *statuses],
            ([a.name, a.code, a.region, a.total, *a.counts] for a in areas),
            [28, 8, 26, 10, *[14] * len(statuses)],
        )
    _sheet(
        workbook,
        "Mobilisation",
        ["Vague", "Étape", "Sites arrivés à l’étape", "Part de la première étape (%)", "Passage (%)"],
        (
            [f["wave"], s["label"], s["reached"], s["share"], s["conversion"]]
            for f in sections["funnel"]["waves"]
            for s in f["stages"]
        ),
        [20, 20, 22, 26, 14],
    )
    for key, title in (("continuum", "Continuum"), ("conditions", "Conditions")):
        section = sections[key]
        if section["available"]:
            rows = (
                [d["label"], level["level"], level["count"], level["share"]]
                for d in section["distributions"]
                for level in d["levels"]
            )
            _sheet(workbook, title, ["Question", "Niveau", "Sites", "Part (%)"], rows, [44, 20, 10, 10])
        else:
            _sheet(workbook, title, ["Pas encore disponible"], [[section["message"]]], [100])
    _sheet(
        workbook,
        "Alertes",
        ["Alerte", "Sites concernés", "Description"],
        (
            [a["title"], a.get("count", "pas encore disponible"), a.get("description", a.get("pending", ""))]
            for a in sections["alerts"]["alerts"]
        ),
        [30, 16, 80],
    )
    shown = [d for d in data["facts"] if d["available"]]
    _sheet(
        workbook,
        "Sites",
        ["Site", "Communes", "Département", "Région", "Vague", *[d["label"] for d in shown]],
        (
            [r["name"], r.get("communes", ""), r["department"], r["region"], r["wave"]]
            + [_fact_value(d, r["facts"].get(d["key"])) for d in shown]
            for r in data["sites"]
        ),
        [34, 26, 12, 26, 8, *[16] * len(shown)],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
