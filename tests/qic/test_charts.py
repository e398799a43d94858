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
    assert svg.count("<title>Actif : 3</title>") == 1
    assert ">4</text>" in svg and ">1</text>" in svg  # totals after the bars
    assert "Retiré</text>" in svg  # legend


def test_numbers_are_written_the_french_way():
    assert text.number(1234) == "1\u202f234"
    assert text.number(12.5) == "12,5"
    assert text.number(Decimal("1234.50"), unit="€") == "1\u202f234,5\u00a0€"
    assert text.number(2.25, decimals=1) == "2,2" and text.number(None) == ""
