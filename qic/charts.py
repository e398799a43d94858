"""Charts drawn on the server as inline SVG: no script, no external file, usable in pages and in PDFs. The
platform's one chart module: bars, stacked bars, progress toward a target, positions on a scale over time.

Every chart is a `role="img"` SVG with a title and a description; the page shows the same figures in a table
next to it (the text equivalent for screen readers and for print). Labels use `currentColor`, so they follow
the page's theme; lines and bars use the DSFR illustrative palette, each colour in its variant of the theme.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .sanitize import xml_safe
from .text import number

FONT = "Marianne, arial, sans-serif"
WIDTH = 440
LABEL_SIZE = 14
BESIDE_LABEL_WIDTH, BESIDE_LABEL_SIZE = 170, 13  # `stacked_bar_chart(labels_beside=True)`
INK = 'fill="currentColor"'
BLUE_FRANCE = "#000091"

# DSFR illustrative colours, as drawn on white (PDFs, the light theme).
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
# Charts are drawn with these colours as SVG attributes, which PDFs keep, and a class for each, by which the
# pages' stylesheet gives the colour of the current theme (static/css/qic.css, "chart inks"): #000091 would
# vanish into the dark theme's background.
_INKS = {colour: name for name, colour in PALETTE.items()} | {"white": "page"}


def _paint(*, fill: str = "", stroke: str = "") -> str:
    """The fill and stroke attributes of a shape, with their classes."""
    paints = [(kind, colour) for kind, colour in (("fill", fill), ("stroke", stroke)) if colour]
    attributes = [f'{kind}="{escape(colour)}"' for kind, colour in paints]
    classes = [f"qic-{kind}--{_INKS[colour]}" for kind, colour in paints if colour in _INKS]
    return " ".join(attributes + ([f'class="{" ".join(classes)}"'] if classes else []))


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


FONT_FILES = {False: "dsfr/dist/fonts/Marianne-Regular.woff2", True: "dsfr/dist/fonts/Marianne-Bold.woff2"}


@functools.cache
def _advances(bold: bool) -> dict[int, float] | None:
    """Marianne's advance widths (in em) by code point: labels are measured as they will be drawn."""
    from fontTools.ttLib import TTFont  # WeasyPrint's dependency; loaded once, when a chart first needs it

    path = finders.find(FONT_FILES[bold])
    if not path:
        return None
    font = TTFont(path, lazy=True)
    per_em, advances = font["head"].unitsPerEm, font["hmtx"]
    return {code: advances[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width of `text` drawn in Marianne at `size` (an estimate when the font cannot be read)."""
    advances = _advances(bold)
    if advances is None:
        return len(text) * size * (0.62 if bold else 0.58)
    return sum(advances.get(ord(char), 0.6) for char in text) * size


def wrap(text: str, size: float, width: float, *, max_lines: int = 2, bold: bool = False) -> list[str]:
    """`text` cut into lines no wider than `width` at word boundaries (a word too long for a line is cut);
    past `max_lines`, the last line ends with "…" (draw the full text in a `<title>`: see `label`)."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate, size, bold=bold) <= width:
            lines[-1] = candidate
            continue
        while text_width(word, size, bold=bold) > width and len(word) > 1:  # a word wider than a line
            cut = next(i for i in range(len(word), 0, -1) if text_width(word[:i], size, bold=bold) <= width)
            lines.append(word[: max(cut, 1)])
            word = word[max(cut, 1) :]
        lines.append(word)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", size, bold=bold) > width:
            last = last[:-1].rstrip()
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines or [""]


def label(
    text: str, *, x: float, y: float, size: float, width: float, max_lines: int = 2, attrs: str = ""
) -> tuple[str, int]:
    """An SVG text on one or more lines (the first baseline at `y`, then one line height further each), and
    its number of lines. A shortened text carries the whole one as its `<title>`."""
    lines = wrap(text, size, width, max_lines=max_lines, bold='font-weight="700"' in attrs)
    line_h = size * 1.25
    spans = (
        "".join(
            f'<tspan x="{x:.1f}" y="{y + index * line_h:.1f}">{escape(line)}</tspan>'
            for index, line in enumerate(lines)
        )
        if len(lines) > 1
        else escape(lines[0])
    )
    title = f"<title>{escape(text)}</title>" if " ".join(lines) != " ".join(text.split()) else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" {attrs}>{title}{spans}</text>', len(lines)


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
    """Horizontal bars, one per line, the label above its bar (wrapped on two lines if long) and the value
    after it."""
    bar_h, line_h, gap = 18, LABEL_SIZE * 1.25, 10
    top = max((b.value for b in bars), default=0) or 1
    value_room = 100
    scale = (WIDTH - value_room) / top
    body, y = [], 2.0
    for bar in bars:
        width = max(bar.value * scale, 2 if bar.value else 0)
        value = number(bar.value, decimals=1, unit=unit)
        if bar.note:
            value += f" ({bar.note})"
        text, lines = label(bar.label, x=0, y=y + 14, size=LABEL_SIZE, width=WIDTH, attrs=INK)
        bar_y = y + lines * line_h + 2
        body += [
            text,
            f'<rect x="0" y="{bar_y:.1f}" width="{width:.1f}" height="{bar_h}" rx="2" '
            f"{_paint(fill=bar.color)}/>",
            f'<text x="{width + 8:.1f}" y="{bar_y + 14:.1f}" {INK} font-weight="700">{escape(value)}</text>',
        ]
        y = bar_y + bar_h + gap
    parts = _open(chart_id, max(y, 46) + 2, title, desc) + body
    parts.append("</svg>")
    return mark_safe(xml_safe("".join(parts)))  # noqa: S308 - every text above is escaped


def stacked_bar_chart(
    categories: list[str],
    series: list[Series],
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels_beside: bool = False,
) -> SafeString:
    """One horizontal bar per category, split by series, with a legend above and the total after each bar.
    Long category labels wrap on two lines; a legend entry wider than the chart is shortened. With
    `labels_beside`, each label is in a column left of its bar instead of above it: a chart of many
    categories (the regions) takes half the height, and stays on one page with the table that follows."""
    legend_rows, x, line = [], 0.0, []
    for item in series:
        item_width = 22 + min(text_width(item.name, 13), WIDTH - 22) + 18
        if x + item_width > WIDTH and line:
            legend_rows.append(line)
            line, x = [], 0.0
        line.append((x, item))
        x += item_width
    if line:
        legend_rows.append(line)
    legend_h = len(legend_rows) * 22 + 8
    bar_h, line_h, gap = 18, LABEL_SIZE * 1.25, 10
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    left = BESIDE_LABEL_WIDTH + 8 if labels_beside else 0
    scale = (WIDTH - left - 70) / top
    body = []
    for line_index, line in enumerate(legend_rows):
        for x, item in line:
            y = line_index * 22
            body += [
                f'<rect x="{x:.1f}" y="{y + 3}" width="14" height="14" rx="2" {_paint(fill=item.color)}/>',
                label(item.name, x=x + 20, y=y + 15, size=13, width=WIDTH - x - 20, max_lines=1, attrs=INK)[
                    0
                ],
            ]
    y = float(legend_h)
    for index, category in enumerate(categories):
        if labels_beside:
            size = BESIDE_LABEL_SIZE
            lines = len(wrap(category, size, BESIDE_LABEL_WIDTH))
            row_h = max(lines * size * 1.25, bar_h)
            text, _ = label(
                category, x=0, y=y + (row_h - lines * size * 1.25) / 2 + size, size=size,
                width=BESIDE_LABEL_WIDTH, attrs=INK,
            )  # fmt: skip
            bar_y = y + (row_h - bar_h) / 2
        else:
            text, lines = label(category, x=0, y=y + 14, size=LABEL_SIZE, width=WIDTH, attrs=INK)
            bar_y, row_h = y + lines * line_h + 2, None
        body.append(text)
        x = float(left)
        for item in series:
            value = item.values[index]
            if not value:
                continue
            width = value * scale
            tip = f"{item.name} : {number(value, decimals=1)}"
            body.append(
                f'<rect x="{x:.1f}" y="{bar_y:.1f}" width="{width:.1f}" height="{bar_h}" '
                f"{_paint(fill=item.color)}><title>{escape(tip)}</title></rect>"
            )
            x += width
        body.append(
            f'<text x="{x + 8:.1f}" y="{bar_y + 14:.1f}" {INK} font-weight="700">'
            f"{number(totals[index], decimals=1)}</text>"
        )
        y = (y + row_h + gap / 2) if labels_beside else (bar_y + bar_h + gap)
    parts = _open(chart_id, max(y, legend_h + 46) + 2, title, desc) + body
    parts.append("</svg>")
    return mark_safe(xml_safe("".join(parts)))  # noqa: S308 - every text above is escaped


# --- Lines over time: progress toward a target, positions on a scale --------------------------------------

HEIGHT = 230
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 22, 34
TEXT = 'fill="currentColor" font-size="12"'


def _ticks(low: float, high: float, quantitative: bool, levels: int) -> list[float]:
    if not quantitative:
        return [float(level) for level in range(1, levels + 1)]
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def target_chart(
    points: list[tuple],
    *,
    baseline: float,
    baseline_on,
    target: float,
    target_on=None,
    quantitative: bool = True,
    levels: int = 0,
    chart_id: str,
    title: str,
    desc: str,
) -> SafeString:
    """Progress toward a target: the values (date, value) joined by a line starting at the baseline (hollow
    point); dashed horizontal lines for the baseline (grey) and the target (green), the target's deadline
    marked on its line. Quantities get round ticks; otherwise a scale of `levels` levels (one tick each)."""
    if quantitative:
        low = min([baseline, target, *(v for _, v in points)])
        high = max([baseline, target, *(v for _, v in points)])
        if high == low:
            high = low + 1
        pad = (high - low) * 0.1
        low, high = max(low - pad, 0) if low >= 0 else low - pad, high + pad
    else:
        low, high = 0.6, max(levels, 2) + 0.4
    dates = [baseline_on, *(d for d, _ in points)]
    if target_on:
        dates.append(target_on)
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day) -> float:
        return LEFT + (day - first).days / span * plot_w

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_h

    parts = _open(chart_id, HEIGHT, title, desc)
    axis = 'stroke="currentColor" stroke-opacity="0.35"'
    for tick in _ticks(low, high, quantitative, levels):
        ty = y(tick)
        label = number(round(tick, 1), decimals=1) if quantitative else str(int(tick))
        parts.append(f'<line x1="{LEFT - 4}" y1="{ty:.1f}" x2="{LEFT}" y2="{ty:.1f}" {axis}/>')
        parts.append(f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" text-anchor="end" {TEXT}>{escape(label)}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" {axis}/>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" {axis}/>')
    lines = (("Départ", baseline, PALETTE["grey"]), ("Cible", target, PALETTE["success"]))
    for label, value, color in lines:
        ly = y(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{ly:.1f}" x2="{WIDTH - RIGHT}" y2="{ly:.1f}" {_paint(stroke=color)} '
            'stroke-width="2" stroke-dasharray="6 4"/>'
        )
        # The label sits above its line, or below it when the two lines are too close.
        above = label == "Cible" if target >= baseline else label == "Départ"
        ty = ly - 6 if above else ly + 15
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{ty:.1f}" text-anchor="end" {TEXT} font-weight="700">'
            f"{escape(label)}</text>"
        )
    if target_on:
        tx, ty = x(target_on), y(target)
        parts.append(
            f'<path d="M{tx:.1f},{ty - 7:.1f} l7,7 l-7,7 l-7,-7 z" {_paint(fill=PALETTE["success"])}/>'
        )
    color = PALETTE["blue-france"]
    path = [(baseline_on, baseline), *points]
    if points:
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in path)
        parts.append(f'<polyline points="{coords}" fill="none" {_paint(stroke=color)} stroke-width="3"/>')
    parts.append(
        f'<circle cx="{x(baseline_on):.1f}" cy="{y(baseline):.1f}" r="5" '
        f'{_paint(fill="white", stroke=color)} stroke-width="2"/>'
    )
    for d, v in points:
        parts.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="5" {_paint(fill=color)}/>')
    for day, anchor in ((first, "start"), (last, "end")):
        parts.append(
            f'<text x="{x(day):.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}" {TEXT}>{day:%m/%Y}</text>'
        )
    parts.append("</svg>")
    return mark_safe(xml_safe("".join(parts)))  # noqa: S308 - every text above is escaped or a number


def level_trend_chart(points, *, top: int, chart_id: str, title: str, desc: str) -> SafeString:
    """A site's positions over time on a scale from 1 to `top` (continuum, average of the conditions)."""
    parts = _open(chart_id, HEIGHT, title, desc)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    low, high = 0.6, top + 0.4
    days = [day for day, _ in points]
    first, last = (min(days), max(days)) if days else (None, None)
    span = max((last - first).days, 1) if days else 1

    def x(day) -> float:
        if len(points) == 1:
            return LEFT + plot_w / 2
        return LEFT + (day - first).days / span * plot_w

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_h

    axis = 'stroke="currentColor" stroke-opacity="0.35"'
    for tick in range(1, top + 1):
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" {axis} '
            'stroke-dasharray="2 4"/>'
        )
        parts.append(f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" text-anchor="end" {TEXT}>{tick}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" {axis}/>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" {axis}/>')
    color = PALETTE["blue-france"]
    if len(points) > 1:
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        parts.append(f'<polyline points="{coords}" fill="none" {_paint(stroke=color)} stroke-width="3"/>')
    for d, v in points:
        parts.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="5" {_paint(fill=color)}/>')
    if days:
        ends = ((first, "start"), (last, "end")) if len(points) > 1 else ((first, "middle"),)
        for day, anchor in ends:
            parts.append(
                f'<text x="{x(day):.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}" {TEXT}>{day:%m/%Y}</text>'
            )
    parts.append("</svg>")
    return mark_safe(xml_safe("".join(parts)))  # noqa: S308 - every text above is escaped or a number
