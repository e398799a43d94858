"""The trend chart of one indicator: its measurements over time, from the baseline toward the target.

Server-side SVG (`qic.charts` conventions: role="img", title and description, `currentColor` labels); the page
shows the same figures in a table next to it.
"""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from qic.charts import PALETTE, WIDTH, _number, _open
from qic.sanitize import xml_safe

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


def trend_chart(indicator, measurements, *, chart_id: str) -> SafeString:
    """The measurements joined by a line starting at the baseline (hollow point); dashed horizontal lines for
    the baseline (grey) and the target (green), the target's deadline marked on its line."""
    quantitative = indicator.is_quantitative
    levels = len(indicator.scale)
    if quantitative:
        baseline = float(indicator.baseline_value or 0)
        target = float(indicator.target_value or 0)
        points = [(m.measured_on, float(m.value)) for m in measurements if m.value is not None]
        low = min([baseline, target, *(v for _, v in points)])
        high = max([baseline, target, *(v for _, v in points)])
        if high == low:
            high = low + 1
        pad = (high - low) * 0.1
        low, high = max(low - pad, 0) if low >= 0 else low - pad, high + pad
    else:
        baseline = float(indicator.baseline_level or 1)
        target = float(indicator.target_level or 1)
        points = [(m.measured_on, float(m.level)) for m in measurements if m.level is not None]
        low, high = 0.6, max(levels, 2) + 0.4
    dates = [indicator.baseline_on, *(d for d, _ in points)]
    if indicator.target_on:
        dates.append(indicator.target_on)
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day) -> float:
        return LEFT + (day - first).days / span * plot_w

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_h

    title = f"Évolution de l’indicateur « {indicator.name} »"
    desc = (
        f"Départ : {indicator.baseline_display} le {indicator.baseline_on:%d/%m/%Y}. "
        f"Cible : {indicator.target_display}"
        + (f" au {indicator.target_on:%d/%m/%Y}" if indicator.target_on else "")
        + f". {len(points)} mesure(s)"
        + (f", la dernière : {measurements[-1].display}." if measurements else ".")
    )
    parts = _open(chart_id, HEIGHT, title, desc)
    axis = 'stroke="currentColor" stroke-opacity="0.35"'
    for tick in _ticks(low, high, quantitative, levels):
        ty = y(tick)
        label = _number(round(tick, 1)) if quantitative else str(int(tick))
        parts.append(f'<line x1="{LEFT - 4}" y1="{ty:.1f}" x2="{LEFT}" y2="{ty:.1f}" {axis}/>')
        parts.append(f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" text-anchor="end" {TEXT}>{escape(label)}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" {axis}/>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" {axis}/>')
    lines = (("Départ", baseline, PALETTE["grey"]), ("Cible", target, PALETTE["success"]))
    for label, value, color in lines:
        ly = y(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{ly:.1f}" x2="{WIDTH - RIGHT}" y2="{ly:.1f}" stroke="{color}" '
            'stroke-width="2" stroke-dasharray="6 4"/>'
        )
        # The label sits above its line, or below it when the two lines are too close.
        above = label == "Cible" if target >= baseline else label == "Départ"
        ty = ly - 6 if above else ly + 15
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{ty:.1f}" text-anchor="end" {TEXT} font-weight="700">'
            f"{escape(label)}</text>"
        )
    if indicator.target_on:
        tx, ty = x(indicator.target_on), y(target)
        parts.append(f'<path d="M{tx:.1f},{ty - 7:.1f} l7,7 l-7,7 l-7,-7 z" fill="{PALETTE["success"]}"/>')
    color = PALETTE["blue-france"]
    path = [(indicator.baseline_on, baseline), *points]
    if points:
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in path)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="3"/>')
    parts.append(
        f'<circle cx="{x(indicator.baseline_on):.1f}" cy="{y(baseline):.1f}" r="5" fill="white" '
        f'stroke="{color}" stroke-width="2"/>'
    )
    for d, v in points:
        parts.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="5" fill="{color}"/>')
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
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="3"/>')
    for d, v in points:
        parts.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="5" fill="{color}"/>')
    if days:
        ends = ((first, "start"), (last, "end")) if len(points) > 1 else ((first, "middle"),)
        for day, anchor in ends:
            parts.append(
                f'<text x="{x(day):.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}" {TEXT}>{day:%m/%Y}</text>'
            )
    parts.append("</svg>")
    return mark_safe(xml_safe("".join(parts)))  # noqa: S308 - every text above is escaped or a number
