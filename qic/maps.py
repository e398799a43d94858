"""The map of France drawn on the server as inline SVG, for pages and PDFs alike (as `charts.py`): departments
(overseas ones as insets, Paris and its inner ring enlarged) coloured by the category most of their sites are
in, their count written on them, the regions outlined.

The module knows the shapes only: callers pass counts per department code (INSEE: "01"…"95", "2A", "2B",
"971"…"976") and per category, and the departments' names. Colour is never the only carrier: each department
with sites shows its count and has a `<title>` ("Seine-Saint-Denis : 12 sites…"), and the page shows the
same figures in a table (`templates/includes/france_map.html`). The shapes are vendored from the DSFR's chart
package (`qic/geodata/README.md`: source, licence, how they were extracted).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from html import escape  # plain strings only: the standard library's (Django's adds lazy-text handling)
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe

from .charts import FONT, _paint, text_width
from .sanitize import xml_safe

GEODATA = Path(__file__).with_name("geodata") / "france.json"
CREDIT = "Fond de carte : Système de design de l’État, @gouvfr/dsfr-chart 2.0.4 (DINUM, licence MIT)"
EMPTY = "#EEEEEE"  # a department without sites (on screen: the theme's contrast grey)
# Paris and its inner ring (too small to read on the whole map): drawn again, enlarged, top right.
INNER_RING = ("75", "92", "93", "94")
OVERSEAS_ORDER = ("971", "972", "973", "976", "974")
LABEL_SIZE = 19
INSET_NAME_SIZE = 20


@functools.cache
def geometry() -> dict:
    """The vendored shapes: `metropole` (departments, regions, in a 1010 × 1010 frame) and `overseas`."""
    return json.loads(GEODATA.read_text(encoding="utf-8"))


def department_codes() -> list[str]:
    """Every department the map draws, metropolitan then overseas."""
    data = geometry()
    return [*data["metropole"]["departments"], *data["overseas"]]


@dataclass(frozen=True)
class Category:
    """What a department is coloured by: a status, a wave… (`key` as in the counts)."""

    key: str
    label: str
    color: str

    @property
    def swatch(self) -> SafeString:
        """The legend's square of this colour (themed on screen like the map)."""
        return _swatch(_paint(fill=self.color))


def _swatch(paint: str) -> SafeString:
    return mark_safe(  # noqa: S308 - colours and classes of this module only
        '<svg class="qic-map-legend__swatch" viewBox="0 0 14 14" width="14" height="14" aria-hidden="true" '
        f'focusable="false"><rect width="14" height="14" rx="2" {paint}/></svg>'
    )


EMPTY_SWATCH = _swatch(
    f'fill="{EMPTY}" class="qic-map__area--empty" stroke="currentColor" stroke-opacity="0.4"'
)


@dataclass
class Area:
    """One department's figures: its sites by category."""

    code: str
    name: str
    region: str
    counts: list[int]  # in the order of the map's categories
    url: str = ""
    total: int = field(init=False)  # its sites (read a few times per department while drawing)

    def __post_init__(self):
        self.total = sum(self.counts)


@dataclass
class FranceMap:
    """A drawn map and what the page shows with it: legend, table of the departments with sites."""

    svg: SafeString
    categories: list[Category]
    areas: list[Area]  # departments with at least one site, by code (the table's rows)
    legend_title: str
    map_id: str
    category_name: str  # what the categories are, in the table's caption: "statut", "vague"
    totals: list[int] = field(default_factory=list)
    selected: str = ""
    link_target: str = ""  # the hx-target of the table's department links (they swap that element with HTMX)
    credit: str = CREDIT
    empty_swatch: SafeString = EMPTY_SWATCH

    @property
    def total(self) -> int:
        return sum(self.totals)

    @property
    def legend(self) -> list[tuple[Category, int]]:
        return list(zip(self.categories, self.totals, strict=True))

    def table_rows(self) -> SafeString:
        """The table's rows, one per department with sites. Written here rather than in the template: a
        hundred departments × their categories through the template engine cost 12 ms a page (the rest of
        the dashboard's templates together, 7 ms)."""
        rows = []
        link_target, target = self.link_target, escape(self.link_target)
        for area in self.areas:
            current = area.code == self.selected
            name = escape(f"{area.name} ({area.code})")
            if area.url:
                url = escape(area.url)
                attributes = f'href="{url}"'
                if link_target:
                    attributes += f' hx-get="{url}" hx-target="{target}" hx-push-url="true"'
                    attributes += f' hx-indicator="{target}"'
                if current:
                    attributes += ' aria-current="true"'
                name = f"<a {attributes}>{name}</a>"
            row_class = ' class="qic-map-table__selected"' if current else ""
            counts = "".join(f'<td class="qic-num">{n}</td>' for n in area.counts)
            rows.append(
                f'<tr{row_class}><th scope="row">{name}</th><td>{escape(area.region)}</td>'
                f'<td class="qic-num"><strong>{area.total}</strong></td>{counts}</tr>'
            )
        return mark_safe("\n".join(rows))  # noqa: S308 - every value escaped above (counts are integers)


@functools.lru_cache(maxsize=4096)
def _text(value) -> str:
    """A text of the SVG (a name, a title, a link): without the characters XML cannot hold, escaped. Only
    the texts: the whole drawing (100 KiB of shapes) through the same filter cost 0.8 ms a map. The same
    texts come back on every map (the departments' ids and names, most titles): kept, 0.3 ms a map."""
    return escape(xml_safe(str(value)))


_PILL_PAINT = _paint(fill="white")


def _sites(n: int) -> str:
    return f"{n} site{'s' if n > 1 else ''}"


def _main_category(counts: list[int]) -> int | None:
    """The index of the category most of the department's sites are in (the first one on a tie)."""
    if not any(counts):
        return None
    return max(range(len(counts)), key=lambda i: (counts[i], -i))


def _count_label(x: float, y: float, n: int, scale: float = 1.0) -> str:
    """The department's count in a pill of the page's colour, readable on any fill."""
    size = LABEL_SIZE * scale
    text = str(n)
    width = max(text_width(text, size, bold=True) + 10 * scale, 24 * scale)
    height = 22 * scale
    return (
        f'<rect x="{x - width / 2:.1f}" y="{y - height / 2:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'rx="{height / 2:.1f}" {_PILL_PAINT} stroke="currentColor" '
        f'stroke-width="{scale:.1f}"/>'
        f'<text x="{x:.1f}" y="{y + size * 0.36:.1f}" text-anchor="middle" font-size="{size:.1f}" '
        f'font-weight="700" fill="currentColor">{n}</text>'
    )


class _Drawer:
    def __init__(
        self, areas: dict, categories: list[Category], names: dict[str, str], selected: str, map_id: str
    ):
        self.areas, self.categories, self.names, self.selected = areas, categories, names, selected
        self.map_id = map_id

    def title(self, code: str) -> str:
        area = self.areas.get(code)
        name = self.names.get(code, code)
        if area is None or not area.total:
            return f"{name} : aucun site"
        detail = ", ".join(
            f"{category.label} : {n}" for category, n in zip(self.categories, area.counts, strict=True) if n
        )
        return f"{name} : {_sites(area.total)} ({detail})"

    def department(
        self, code: str, d: str, label: tuple[float, float] | None, *, scale: float = 1.0, copy: bool = False
    ) -> str:
        """One department: its shape (a link when it has sites and a URL) and its count. Its `id` is the map's
        followed by its code; a `copy` (Paris and its inner ring at their place, too small: the enlarged ones
        are read) has none and is left out of the keyboard's path and of assistive tools."""
        ident = "" if copy else f' id="{_text(self.map_id)}-{_text(code)}"'
        hidden = ' tabindex="-1" aria-hidden="true"' if copy else ""
        area = self.areas.get(code)
        main = _main_category(area.counts) if area else None
        paint = _area_paint(None if main is None else self.categories[main].color)
        width = f"{0.8 * scale:.1f}"
        shape = f'<path d="{d}" {paint} stroke="#FFFFFF" stroke-width="{width}" stroke-linejoin="round"/>'
        if code == self.selected:
            shape += (
                f'<path d="{d}" fill="none" stroke="currentColor" stroke-width="{3.5 * scale:.1f}" '
                'stroke-linejoin="round" class="qic-map__selected"/>'
            )
        count = _count_label(*label, area.total, scale) if (label and area and area.total) else ""
        title = f"<title>{_text(self.title(code))}</title>"
        if area and area.total and area.url:
            current = ' aria-current="true"' if code == self.selected else ""
            return (
                f'<a href="{_text(area.url)}"{ident} class="qic-map__link"{current}{hidden}>'
                f"{title}{shape}{count}</a>"
            )
        return f"<g{ident}{hidden}>{title}{shape}{count}</g>"


@functools.cache
def _area_paint(color: str | None) -> str:
    """A department's fill and classes: its category's colour, or the empty grey."""
    if color is None:
        return f'fill="{EMPTY}" class="qic-map__area qic-map__area--empty"'
    paint = _paint(fill=color)
    if "class=" not in paint:
        return paint + ' class="qic-map__area"'
    return paint.replace('class="', 'class="qic-map__area ')


def draw(
    areas: dict[str, Area],
    categories: list[Category],
    names: dict[str, str],
    *,
    map_id: str,
    title: str,
    desc: str,
    selected: str = "",
) -> SafeString:
    """The map as one SVG: metropolitan France (1010 × 1010), the overseas departments in a column on the left
    (over the sea, where the frame is empty), Paris and its inner ring enlarged top right."""
    data = geometry()
    metropole = data["metropole"]
    drawer = _Drawer(areas, categories, names, selected, map_id)
    linked = any(area.url and area.total for area in areas.values())
    mid = _text(map_id)
    # With links inside, the map is a group of links (an image's children are hidden from assistive tools).
    role = "group" if linked else "img"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qic-map" id="{mid}" role="{role}" '
        f'aria-labelledby="{mid}-title {mid}-desc" viewBox="0 0 1010 1010" width="100%" '
        f'preserveAspectRatio="xMidYMin meet" font-family="{FONT}">',
        f'<title id="{mid}-title">{_text(title)}</title>',
        f'<desc id="{mid}-desc">{_text(desc)}</desc>',
    ]
    for code, shape in metropole["departments"].items():
        small = code in INNER_RING
        parts.append(
            drawer.department(code, shape["d"], None if small else tuple(shape["label"]), copy=small)
        )
    regions = "".join(f'<path d="{d}"/>' for d in metropole["regions"].values())
    parts.append(
        '<g fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" '
        f'class="qic-map__regions" aria-hidden="true">{regions}</g>'
    )
    parts += _inner_ring_inset(drawer, metropole["departments"])
    parts += _overseas_insets(drawer, data["overseas"])
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through _text, or is a number


def _inset_frame(x: float, y: float, width: float, height: float, name: str, *, right: bool = False) -> str:
    """An inset's frame and its name under it (centred, or ending at its right edge; a line per "\\n")."""
    anchor, name_x = ("end", x + width) if right else ("middle", x + width / 2)
    top = y + height + INSET_NAME_SIZE + 3
    lines = "".join(
        f'<tspan x="{name_x:.1f}" y="{top + index * INSET_NAME_SIZE * 1.15:.1f}">{_text(line)}</tspan>'
        for index, line in enumerate(name.split("\n"))
    )
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="none" '
        'stroke="currentColor" stroke-opacity="0.45" stroke-width="1"/>'
        f'<text text-anchor="{anchor}" font-size="{INSET_NAME_SIZE}" fill="currentColor" aria-hidden="true">'
        f"{lines}</text>"
    )


def _inner_ring_inset(drawer: _Drawer, departments: dict) -> list[str]:
    """Paris and its inner ring, enlarged in a frame top right; their place on the map is outlined."""
    from_x, from_y, to_x, to_y = 476.0, 218.0, 528.0, 258.0  # the inner ring's box on the map
    zoom = 3.5
    width, height = (to_x - from_x) * zoom, (to_y - from_y) * zoom
    x, y = 1004 - width, 6.0
    parts = [
        f'<rect x="{from_x:.0f}" y="{from_y:.0f}" width="{to_x - from_x:.0f}" height="{to_y - from_y:.0f}" '
        'fill="none" stroke="currentColor" stroke-opacity="0.6" stroke-dasharray="3 2" aria-hidden="true"/>',
        _inset_frame(x, y, width, height, "Paris et\npetite couronne", right=True),
        f'<g transform="translate({x - from_x * zoom:.1f} {y - from_y * zoom:.1f}) scale({zoom})">',
    ]
    for code in INNER_RING:
        lx, ly = departments[code]["label"]
        parts.append(drawer.department(code, departments[code]["d"], (lx, ly), scale=1 / zoom))
    parts.append("</g>")
    return parts


def _overseas_insets(drawer: _Drawer, overseas: dict) -> list[str]:
    """The five overseas departments one above the other over the Atlantic, left, each enlarged to the same
    height (the frame is empty there from below Brittany down)."""
    height, step, x, y = 96.0, 128.0, 8.0, 378.0
    parts = []
    for code in OVERSEAS_ORDER:
        shape = overseas[code]
        _, _, frame_w, frame_h = shape["frame"]
        zoom = height / frame_h
        width = frame_w * zoom
        parts.append(_inset_frame(x, y, width, height, drawer.names.get(code, code)))
        parts.append(f'<g transform="translate({x:.1f} {y:.1f}) scale({zoom:.3f})">')
        parts.append(drawer.department(code, shape["d"], tuple(shape["label"]), scale=1 / zoom))
        parts.append("</g>")
        y += step
    return parts


def france_map(
    counts: dict[str, dict[str, int]],
    categories: list[Category],
    *,
    names: dict[str, str],
    regions: dict[str, str] | None = None,
    map_id: str,
    title: str,
    legend_title: str,
    category_name: str,
    url: str = "",
    selected: str = "",
) -> FranceMap:
    """The map of `counts` ({department code: {category key: sites}}), each department coloured by the
    category most of its sites are in. `names` and `regions` ({department code: name}) name the departments
    in the titles and the table; `url`, a pattern with "{code}", makes each department with sites a link."""
    regions = regions or {}
    keys = [category.key for category in categories]
    areas = {}
    for code in sorted(counts, key=_code_order):
        by_key = counts[code]
        row = [by_key.get(key, 0) for key in keys]
        if sum(row):
            areas[code] = Area(
                code=code,
                name=names.get(code, code),
                region=regions.get(code, ""),
                counts=row,
                url=url.replace("{code}", code) if url else "",
            )
    totals = [sum(area.counts[i] for area in areas.values()) for i in range(len(keys))]
    described = sorted(areas.values(), key=lambda area: -area.total)[:8]
    desc = (
        (
            f"{_sites(sum(totals))} dans {len(areas)} département{'s' if len(areas) > 1 else ''}. "
            + "Les plus nombreux : "
            + "; ".join(f"{area.name} ({_sites(area.total)})" for area in described)
            + ". Le détail par département est dans le tableau qui suit."
        )
        if areas
        else "Aucun site."
    )
    svg = draw(areas, categories, names, map_id=map_id, title=title, desc=desc, selected=selected)
    return FranceMap(
        svg=svg,
        categories=categories,
        areas=list(areas.values()),
        legend_title=legend_title,
        map_id=map_id,
        category_name=category_name,
        totals=totals,
        selected=selected,
    )


def _code_order(code: str) -> tuple[int, str]:
    """Departments in the INSEE order: 01…19, 2A, 2B, 21…95, 971…976."""
    return (int(code.replace("A", "0").replace("B", "0")), code)
