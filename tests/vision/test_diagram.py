"""The one-page diagram: readable with 40 changes (no overlapping boxes, text inside), self-contained SVG."""

import itertools
import xml.etree.ElementTree as ET

import pytest

from vision import diagram
from vision.document import empty_snapshot

LONG_WORD = "Anticonstitutionnellementextraordinaire "


def _snapshot(directs=24, intermediates=12, ultimates=4):
    snap = empty_snapshot()
    statement = "En 2045, un quartier où chacun trouve sa place et fait vivre ses projets."
    snap["vision"] = {"statement": statement, "horizon_year": 2045}
    ids = itertools.count(1)
    ult = [next(ids) for _ in range(ultimates)]
    mid = [next(ids) for _ in range(intermediates)]
    low = [next(ids) for _ in range(directs)]
    long_title = "Les habitants et les professionnels du quartier connaissent ensemble les ressources " * 2
    for i, pk in enumerate(ult):
        snap["changes"].append({"id": pk, "level": "ultimate", "register": "living_environment",
                                "title": f"Ultime {i} " + long_title, "description": "", "contributes_to": [],
                                "to_vision": True})  # fmt: skip
    for i, pk in enumerate(mid):
        snap["changes"].append({"id": pk, "level": "intermediate", "register": "practices",
                                "title": f"Intermédiaire {i} pratiques partagées", "description": "",
                                "contributes_to": [ult[i % ultimates]], "to_vision": False})  # fmt: skip
    for i, pk in enumerate(low):
        targets = [mid[i % intermediates]] + ([ult[0]] if i % 5 == 0 else [])
        snap["changes"].append({"id": pk, "level": "direct", "register": "knowledge",
                                "title": f"Direct {i} " + (LONG_WORD if i == 3 else "")
                                + "connaissance des dispositifs", "description": "",
                                "contributes_to": targets, "to_vision": False})  # fmt: skip
    return snap


def test_forty_changes_are_laid_out_without_overlaps():
    geometry = diagram.layout(_snapshot())
    boxes = geometry.boxes
    assert len(boxes) == 41  # 40 changes and the vision
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), f"{a.key} overlaps {b.key}"
    for box in boxes:
        assert box.x >= 0 and box.right <= geometry.width
        assert box.y >= diagram.HEADER_H and box.bottom <= geometry.height - diagram.LEGEND_H
        # Every line of text fits in its box, horizontally and vertically.
        chars = diagram.chars_per_line(box.w - 2 * diagram.PAD, diagram.TITLE_SIZE)
        assert all(len(line) <= chars for line in box.lines)
        line_height = diagram.VISION_LINE if box.kind == "vision" else diagram.TITLE_LINE
        assert len(box.lines) * line_height <= box.h
    # Columns are in method order, left to right.
    xs = {
        kind: {b.x for b in boxes if b.kind == kind}
        for kind in ("direct", "intermediate", "ultimate", "vision")
    }
    assert max(xs["direct"]) < min(xs["intermediate"]) < min(xs["ultimate"]) < min(xs["vision"])


def test_arrows_go_from_the_right_of_a_box_to_the_left_of_its_target():
    geometry = diagram.layout(_snapshot())
    assert len(geometry.edges) == 24 + 5 + 12 + 4
    for edge in geometry.edges:
        source, target = geometry.box(edge.source), geometry.box(edge.target)
        assert edge.start[0] == source.right and source.y < edge.start[1] < source.bottom
        assert edge.end[0] == target.x and target.y < edge.end[1] < target.bottom
        assert edge.start[0] < edge.end[0]


def test_long_words_are_cut_to_fit():
    lines = diagram.wrap("Anticonstitutionnellement " * 3, 10)
    assert all(len(line) <= 10 for line in lines)
    assert "".join(lines).replace("-", "").replace(" ", "") == "Anticonstitutionnellement" * 3


def test_the_svg_is_valid_self_contained_and_escaped():
    snap = _snapshot(directs=2, intermediates=1, ultimates=1)
    snap["changes"][0]["title"] = '<script>alert(1)</script> & "quotes"'
    svg = diagram.render_svg(snap, title="Schéma <test>")
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img" and root.get("aria-labelledby")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "href" not in svg  # no external reference, no link
    assert all(ref.startswith("url(#") for ref in __import__("re").findall(r"url\([^)]*\)", svg))
    assert "sans-serif" in root.get("font-family")


@pytest.mark.parametrize("count", [0, 1])
def test_an_empty_strategy_still_draws_the_vision(count):
    snap = _snapshot(directs=0, intermediates=0, ultimates=count)
    svg = diagram.render_svg(snap)
    ET.fromstring(svg)
    assert "En 2045" in svg


def test_the_svg_renders_in_a_pdf():
    from weasyprint import HTML

    svg = diagram.render_svg(_snapshot(directs=6, intermediates=3, ultimates=1))
    pdf = HTML(string=f"<html><body><h1>Stratégie</h1>{svg}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
