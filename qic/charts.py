"""Charts drawn on the server as inline SVG: no script, no external file, usable in pages and in PDFs.

Every chart is a `role="img"` SVG with a title and a description; the page shows the same figures in a table
next to it (the text equivalent for screen readers and for print). Labels use `currentColor`, so they follow
the page's theme; bars use the DSFR illustrative palette.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .sanitize import xml_safe

FONT = "Marianne, arial, sans-serif"
WIDTH = 440
BLUE_FRANCE = "#000091"

# DSFR illustrative colours, readable on white and on the dark theme's grey.
PALETTE = {
    "blue-france": "#000091",
    "blue-ecume": "#465F9D",
    "info": "#0063CB",
    "success": "#18753C",
    "warning": "#B34000",
    "yellow": "#C3992A",
    "grey": "#929292",
    "purple": "#6E445A",
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    color: str = BLUE_FRANCE
    note: str = ""  # shown after the value, e.g. "45 %"


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: tuple[float, ...]


def _number(value: float) -> str:
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return text.replace(",", "\u202f").replace(".", ",")


def _text_width(text: str, size: float) -> float:
    return len(text) * size * 0.56


def _open(chart_id: str, height: float, title: str, desc: str) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qic-chart" id="{cid}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="{FONT}" font-size="14">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def bar_chart(bars: list[Bar], *, chart_id: str, title: str, desc: str, unit: str = "") -> SafeString:
    """Horizontal bars, one per line, the label above its bar and the value after it."""
    row, bar_h, label_h = 46, 18, 18
    height = max(len(bars), 1) * row + 4
    top = max((b.value for b in bars), default=0) or 1
    value_room = 100
    scale = (WIDTH - value_room) / top
    parts = _open(chart_id, height, title, desc)
    for index, bar in enumerate(bars):
        y = index * row + 2
        width = max(bar.value * scale, 2 if bar.value else 0)
        value = _number(bar.value) + (f"\u00a0{unit}" if unit else "")
        if bar.note:
            value += f" ({bar.note})"
        parts += [
            f'<text x="0" y="{y + 14}" fill="currentColor">{escape(bar.label)}</text>',
            f'<rect x="0" y="{y + label_h + 2}" width="{width:.1f}" height="{bar_h}" rx="2" '
            f'fill="{escape(bar.color)}"/>',
            f'<text x="{width + 8:.1f}" y="{y + label_h + 16}" fill="currentColor" font-weight="700">'
            f"{escape(value)}</text>",
        ]
    parts.append("</svg>")
    return mark_safe(xml_safe("".join(parts)))  # noqa: S308 - every text above is escaped


def stacked_bar_chart(
    categories: list[str], series: list[Series], *, chart_id: str, title: str, desc: str
) -> SafeString:
    """One horizontal bar per category, split by series, with a legend above and the total after each bar."""
    legend_rows, x, line = [], 0.0, []
    for item in series:
        item_width = 22 + _text_width(item.name, 13) + 18
        if x + item_width > WIDTH and line:
            legend_rows.append(line)
            line, x = [], 0.0
        line.append((x, item))
        x += item_width
    if line:
        legend_rows.append(line)
    legend_h = len(legend_rows) * 22 + 8
    row, bar_h = 46, 18
    height = legend_h + max(len(categories), 1) * row + 4
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    scale = (WIDTH - 70) / top
    parts = _open(chart_id, height, title, desc)
    for line_index, line in enumerate(legend_rows):
        for x, item in line:
            y = line_index * 22
            parts += [
                f'<rect x="{x:.1f}" y="{y + 3}" width="14" height="14" rx="2" fill="{escape(item.color)}"/>',
                f'<text x="{x + 20:.1f}" y="{y + 15}" font-size="13" fill="currentColor">'
                f"{escape(item.name)}</text>",
            ]
    for index, category in enumerate(categories):
        y = legend_h + index * row
        parts.append(f'<text x="0" y="{y + 14}" fill="currentColor">{escape(category)}</text>')
        x = 0.0
        for item in series:
            value = item.values[index]
            if not value:
                continue
            width = value * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 20}" width="{width:.1f}" height="{bar_h}" '
                f'fill="{escape(item.color)}"><title>{escape(item.name)} : {_number(value)}</title></rect>'
            )
            x += width
        parts.append(
            f'<text x="{x + 8:.1f}" y="{y + 34}" fill="currentColor" font-weight="700">'
            f"{_number(totals[index])}</text>"
        )
    parts.append("</svg>")
    return mark_safe(xml_safe("".join(parts)))  # noqa: S308 - every text above is escaped
