"""Extract France's departments, regions and overseas departments from the DSFR's chart package into
`france.json` (vendored; see README.md). Run from the repository's root:

    npm pack @gouvfr/dsfr-chart@2.0.4
    python qic/geodata/extract.py gouvfr-dsfr-chart-2.0.4.tgz

The package draws its maps as Vue components: each shape is a `path` whose class is `FR-<code>` (INSEE code of
a department, "FR-971" for an overseas one, a letter code for a region) in a 1010 × 1010 frame for
metropolitan France and one small frame per overseas department. This script keeps the paths and their frames,
renames the regions to their INSEE codes and computes, for each department, a point inside it where its count
is written.
"""

from __future__ import annotations

import json
import math
import re
import sys
import tarfile
from pathlib import Path

PACKAGE = "@gouvfr/dsfr-chart"
VERSION = "2.0.4"
SOURCE = "package/dist/MapChart/MapChart.js"
OUT = Path(__file__).with_name("france.json")
# The package's region codes → INSEE region codes.
REGIONS = {
    "FR-IDF": "11", "FR-CVL": "24", "FR-BFC": "27", "FR-NOR": "28", "FR-HDF": "32", "FR-GES": "44",
    "FR-PDL": "52", "FR-BRE": "53", "FR-NAQ": "75", "FR-OCC": "76", "FR-ARA": "84", "FR-PAC": "93",
    "FR-20R": "94",
}  # fmt: skip
SHAPE = re.compile(r'class: "FR-([^"]*)",\s*(?:style: [^\n]*\n\s*)?d: "([^"]*)"')
FRAME = re.compile(r'viewBox: "(0 0 \d+ \d+)"')
OVERSEAS = ("971", "972", "973", "974", "976")
TOKEN = re.compile(r"[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")
ARGS = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}


def rings(d: str) -> list[list[tuple[float, float]]]:
    """The path's closed outlines as lists of points (curves reduced to their end points: enough to place a
    label)."""
    tokens, result, ring = TOKEN.findall(d), [], []
    x = y = 0.0
    command, index = "", 0
    while index < len(tokens):
        if tokens[index].isalpha():
            command = tokens[index]
            index += 1
            if command in "zZ":
                if ring:
                    result.append(ring)
                    x, y = ring[0]
                ring = []
                continue
        lower, count = command.lower(), ARGS[command.lower()]
        args = [float(t) for t in tokens[index : index + count]]
        index += count
        relative = command.islower()
        if lower == "h":
            x = x + args[0] if relative else args[0]
        elif lower == "v":
            y = y + args[0] if relative else args[0]
        else:
            dx, dy = args[-2], args[-1]
            x, y = (x + dx, y + dy) if relative else (dx, dy)
        if lower == "m":
            if ring:
                result.append(ring)
            ring = []
            command = "l" if relative else "L"  # further pairs after a move are lines
        ring.append((x, y))
    if ring:
        result.append(ring)
    return result


def _inside(px: float, py: float, outline: list[list[tuple[float, float]]]) -> bool:
    inside = False
    for ring in outline:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def _edge_distance(px: float, py: float, outline) -> float:
    best = math.inf
    for ring in outline:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            dx, dy = x2 - x1, y2 - y1
            t = max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy or 1)))
            best = min(best, math.hypot(px - x1 - t * dx, py - y1 - t * dy))
    return best


def label_point(d: str) -> tuple[float, float]:
    """A point well inside the largest outline (the farthest from its edges on a fine grid): where the
    department's count is written."""
    outline = rings(d)
    largest = max(outline, key=lambda ring: abs(_area(ring)))
    xs, ys = [p[0] for p in largest], [p[1] for p in largest]
    best, where = -1.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    steps = 40
    for i in range(1, steps):
        for j in range(1, steps):
            px = min(xs) + (max(xs) - min(xs)) * i / steps
            py = min(ys) + (max(ys) - min(ys)) * j / steps
            if _inside(px, py, [largest]):
                distance = _edge_distance(px, py, [largest])
                if distance > best:
                    best, where = distance, (px, py)
    return round(where[0], 1), round(where[1], 1)


def _area(ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def bbox(paths: list[str]) -> list[float]:
    points = [p for d in paths for ring in rings(d) for p in ring]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return [min(xs), min(ys), max(xs), max(ys)]


def main(tarball: str) -> None:
    with tarfile.open(tarball) as archive:
        manifest = json.load(archive.extractfile("package/package.json"))
        assert (manifest["name"], manifest["version"]) == (PACKAGE, VERSION), manifest["version"]
        source = archive.extractfile(SOURCE).read().decode()
    shapes = [(m.group(1), m.group(2), m.start()) for m in SHAPE.finditer(source)]
    # Each overseas department is drawn in its own frame: the last one declared before its path.
    frames = {
        code: [m.group(1) for m in FRAME.finditer(source, 0, start)][-1]
        for code, _, start in shapes
        if code in OVERSEAS
    }
    departments, regions, overseas = {}, {}, {}
    for code, d, _ in shapes:
        if f"FR-{code}" in REGIONS:
            regions[REGIONS[f"FR-{code}"]] = d
        elif code in frames:
            frame = [float(n) for n in frames[code].split()]
            overseas[code] = {"frame": frame, "d": d, "label": label_point(d)}
        else:
            departments[code] = {"d": d, "label": label_point(d)}
    assert len(departments) == 96 and len(regions) == 13 and len(overseas) == 5, (
        len(departments), len(regions), len(overseas))  # fmt: skip
    data = {
        "source": f"{PACKAGE} {VERSION} (dist/MapChart), MIT licence, DINUM",
        "metropole": {
            "bbox": bbox([item["d"] for item in departments.values()]),
            "departments": dict(sorted(departments.items())),
            "regions": dict(sorted(regions.items())),
        },
        "overseas": dict(sorted(overseas.items())),
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(departments)} departments, {len(regions)} regions, {len(overseas)} overseas")


if __name__ == "__main__":
    main(sys.argv[1])
