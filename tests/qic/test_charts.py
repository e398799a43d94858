"""Server-drawn SVG charts: accessible names, escaped labels, bars proportional to values."""

import re
from decimal import Decimal

from qic import charts, text


def test_bar_chart_is_an_accessible_image_with_escaped_labels():
    svg = charts.bar_chart(
        [charts.Bar("Intéressé", 10), charts.Bar("<script>", 5, note="50 %")],
        chart_id="c1",
        title="Mobilisation",
        desc="Deux étapes",
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Mobilisation</title>' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    widths = [float(w) for w in re.findall(r'<rect x="0" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1]
    assert "5 (50 %)" in svg


def test_zero_values_draw_no_bar_and_empty_charts_still_render():
    svg = charts.bar_chart([charts.Bar("Actif", 0)], chart_id="c2", title="t", desc="d")
    assert 'width="0.0"' in svg
    assert charts.bar_chart([], chart_id="c3", title="t", desc="d").startswith("<svg")


def test_stacked_bars_total_each_category_and_show_a_legend():
    svg = charts.stacked_bar_chart(
        ["Vague 1", "Vague 2"],
        [charts.Series("Actif", "#18753C", (3, 1)), charts.Series("Retiré", "#929292", (1, 0))],
        chart_id="c4",
        title="Sites par vague",
        desc="d",
    )
    assert svg.count("<title>Actif\u00a0: 3</title>") == 1
    assert ">4</text>" in svg and ">1</text>" in svg  # totals after the bars
    assert "Retiré</text>" in svg  # legend


def test_numbers_are_written_the_french_way():
    assert text.number(1234) == "1\u202f234"
    assert text.number(12.5) == "12,5"
    assert text.number(Decimal("1234.50"), unit="€") == "1\u202f234,5\u00a0€"
    assert text.number(2.25, decimals=1) == "2,2" and text.number(None) == ""


LONG = "Stratégies et activités à fort effet de levier, qui se renforcent mutuellement entre partenaires"


def _lines(svg: str) -> list[tuple[float, float, str, float]]:
    """Each drawn line of text: (x, baseline y, text, font size), `<title>` tooltips left out."""
    svg = re.sub(r"<title[^>]*>.*?</title>", "", svg)
    out = []
    for attrs, body in re.findall(r"<text([^>]*)>(.*?)</text>", svg):
        size = float(re.search(r'font-size="([\d.]+)"', attrs + ' font-size="14"').group(1))
        anchor = re.search(r'text-anchor="(\w+)"', attrs)
        spans = re.findall(r'<tspan x="([\d.]+)" y="([\d.]+)">(.*?)</tspan>', body) or [
            (re.search(r'x="([\d.]+)"', attrs).group(1), re.search(r'y="([\d.]+)"', attrs).group(1), body)
        ]
        for x, y, line in spans:
            width = charts.text_width(line, size, bold='font-weight="700"' in attrs)
            left = float(x) - (width / 2 if anchor and anchor.group(1) == "middle" else 0)
            out.append((left, float(y), line, size, width))
    return out


def test_long_french_labels_wrap_inside_the_chart_and_never_overlap():
    """A condition's name is longer than the chart is wide: it wraps on two lines (a longer one is shortened,
    whole in its tooltip), and every line stays inside the viewBox without running into another."""
    series = [charts.Series("Absente", "#E3E3FD", (1, 0)), charts.Series(LONG * 2, "#000091", (2, 3))]
    stacked = charts.stacked_bar_chart([LONG, "Vision"], series, chart_id="s", title="t", desc="d")
    bars = charts.bar_chart([charts.Bar(LONG * 3, 4), charts.Bar(LONG, 2)], chart_id="b", title="t", desc="d")
    from evaluation.enums import ContinuumLevel
    from evaluation.reports.render import continuum_chart

    grid = continuum_chart(
        [{"on": "2026-05-10", "level": 3, "label": "x"}], list(ContinuumLevel.labels), chart_id="g"
    )
    for svg in (stacked, bars, grid):
        width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
        lines = _lines(svg)
        for left, y, line, _size, line_width in lines:
            assert left >= 0 and left + line_width <= width + 0.5 and y <= height, line
        rows = sorted({(y, left) for left, y, *_ in lines})
        for (y1, x1), (y2, x2) in zip(rows, rows[1:], strict=False):
            assert y2 - y1 >= 9 or x1 != x2  # lines of one label, or of two, never drawn on each other
    assert "mutuellement" in stacked and f"<title>{LONG}</title>" not in stacked  # wrapped, not cut
    assert f"<title>{LONG * 3}</title>" in bars and "…</tspan>" in bars  # shortened, whole in its tooltip
