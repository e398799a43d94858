"""The one-page diagram of a change strategy: an SVG drawn on the server from a document snapshot.

Columns from left to right: direct changes, intermediate changes, ultimate changes, the vision; arrows for the
"contributes to" links. The layout is computed first (`layout`, plain geometry that tests check for overlaps),
then written as SVG (`render_svg`). The SVG is self-contained (no external reference, generic font family)
so the same string goes in the page, in the `.svg` download and in PDFs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from qic.sanitize import xml_safe

from .document import LEVELS, register_label

BOX_W = 236
COL_GAP = 76
MARGIN = 24
HEADER_H = 64
PAD = 10
TITLE_SIZE = 13
TITLE_LINE = 17
REGISTER_SIZE = 10
REGISTER_LINE = 14
BOX_GAP = 14
LEGEND_H = 44
# Average advance of a character of a sans-serif face, in em; slightly generous so lines never overflow.
CHAR_EM = 0.58
VISION_SIZE = 15
VISION_LINE = 20
FONT = "Marianne, Arial, Helvetica, sans-serif"

COLUMNS = [
    ("direct", "Changements directs", "connaissances"),
    ("intermediate", "Changements intermédiaires", "pratiques et comportements"),
    ("ultimate", "Changement ultime", "culture et mode de vie"),
    ("vision", "Vision", ""),
]
STYLE = {
    "direct": {"fill": "#e3e3fd", "stroke": "#6a6af4", "text": "#161616"},
    "intermediate": {"fill": "#c3fad5", "stroke": "#18753c", "text": "#161616"},
    "ultimate": {"fill": "#fee7fc", "stroke": "#a558a0", "text": "#161616"},
    "vision": {"fill": "#000091", "stroke": "#000091", "text": "#ffffff"},
}
EDGE_COLOR = "#666666"


def wrap(text: str, max_chars: int) -> list[str]:
    """Greedy word wrap; words longer than a line are cut with a hyphen."""
    lines: list[str] = []
    current = ""
    for word in " ".join((text or "").split()).split(" "):
        if not word:
            continue
        while len(word) > max_chars:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: max_chars - 1] + "-")
            word = word[max_chars - 1 :]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def chars_per_line(width: float, font_size: float) -> int:
    return max(8, int(width / (font_size * CHAR_EM)))


@dataclass
class Box:
    key: str  # "change:<id>" or "vision"
    column: int
    x: float
    y: float
    w: float
    h: float
    lines: list[str]
    kind: str
    register: str = ""
    tooltip: str = ""
    leads_nowhere: bool = False

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom
        )


@dataclass
class Edge:
    source: str
    target: str
    start: tuple[float, float] = (0, 0)
    end: tuple[float, float] = (0, 0)


@dataclass
class Layout:
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def box(self, key: str) -> Box:
        return next(b for b in self.boxes if b.key == key)


def _column_x(index: int) -> float:
    return MARGIN + index * (BOX_W + COL_GAP)


def layout(snap: dict) -> Layout:
    """Where every box and arrow goes, for this snapshot."""
    columns: list[list[Box]] = [[] for _ in COLUMNS]
    title_chars = chars_per_line(BOX_W - 2 * PAD, TITLE_SIZE)
    for change in snap["changes"]:
        if change["level"] not in LEVELS:
            continue
        column = LEVELS.index(change["level"])
        lines = wrap(change["title"], title_chars)
        height = PAD + REGISTER_LINE + 4 + len(lines) * TITLE_LINE + PAD
        tooltip = change["title"] + (f"\n{change['description']}" if change["description"] else "")
        columns[column].append(
            Box(
                key=f"change:{change['id']}",
                column=column,
                x=_column_x(column),
                y=0,
                w=BOX_W,
                h=height,
                lines=lines,
                kind=change["level"],
                register=register_label(change["register"]),
                tooltip=tooltip,
                leads_nowhere=not change["contributes_to"] and not change["to_vision"],
            )
        )
    vision = snap["vision"]
    statement = vision["statement"].strip() or "Vision à écrire"
    vision_lines = wrap(statement, chars_per_line(BOX_W - 2 * PAD, VISION_SIZE))
    horizon = f"Horizon {vision['horizon_year']}" if vision["horizon_year"] else ""
    vision_h = PAD + len(vision_lines) * VISION_LINE + (REGISTER_LINE + 6 if horizon else 0) + PAD + 4
    columns[3].append(
        Box("vision", 3, _column_x(3), 0, BOX_W, vision_h, vision_lines, "vision", horizon, statement)
    )

    heights = [sum(b.h for b in col) + BOX_GAP * max(0, len(col) - 1) for col in columns]
    content_h = max(max(heights), 120)
    targets = {
        f"change:{c['id']}": [f"change:{t}" for t in c["contributes_to"]]
        + (["vision"] if c["to_vision"] else [])
        for c in snap["changes"]
    }
    placed: dict[str, Box] = {}
    # From the vision leftwards: each column is ordered by the height of what its changes lead to (the
    # barycentre), the strategy's own order breaking ties, so that arrows run as straight as they can.
    for index in (3, 2, 1, 0):
        col = columns[index]
        if index < 2:
            order = {box.key: i for i, box in enumerate(col)}

            def weight(box, order=order):
                ys = [placed[t].y + placed[t].h / 2 for t in targets.get(box.key, []) if t in placed]
                return (0, sum(ys) / len(ys), order[box.key]) if ys else (1, 0, order[box.key])

            col.sort(key=weight)
        y = HEADER_H + (content_h - heights[index]) / 2
        for box in col:
            box.y = round(y, 1)
            y += box.h + BOX_GAP
            placed[box.key] = box
    boxes = [b for col in columns for b in col]
    result = Layout(
        width=_column_x(len(COLUMNS)) - COL_GAP + MARGIN,
        height=HEADER_H + content_h + 16 + LEGEND_H + MARGIN / 2,
        boxes=boxes,
    )
    by_key = {b.key: b for b in boxes}
    for change in snap["changes"]:
        source = f"change:{change['id']}"
        if source not in by_key:
            continue
        targets = [f"change:{t}" for t in change["contributes_to"]]
        if change["to_vision"]:
            targets.append("vision")
        result.edges.extend(Edge(source, t) for t in targets if t in by_key)
    _place_ports(result, by_key)
    return result


def _place_ports(result: Layout, by_key: dict[str, Box]) -> None:
    """Spread the arrows leaving (and reaching) a box along its edge, ordered by the other end's height."""
    outgoing: dict[str, list[Edge]] = {}
    incoming: dict[str, list[Edge]] = {}
    for edge in result.edges:
        outgoing.setdefault(edge.source, []).append(edge)
        incoming.setdefault(edge.target, []).append(edge)
    for key, edges in outgoing.items():
        box = by_key[key]
        edges.sort(key=lambda e: by_key[e.target].y + by_key[e.target].h / 2)
        for i, edge in enumerate(edges):
            edge.start = (box.right, round(box.y + box.h * (i + 1) / (len(edges) + 1), 1))
    for key, edges in incoming.items():
        box = by_key[key]
        edges.sort(key=lambda e: by_key[e.source].y + by_key[e.source].h / 2)
        for i, edge in enumerate(edges):
            edge.end = (box.x, round(box.y + box.h * (i + 1) / (len(edges) + 1), 1))


def _text(x, y, content, *, size, fill, weight="normal", anchor="start", extra="") -> str:
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
        f'text-anchor="{anchor}"{extra}>{escape(content)}</text>'
    )


def render_svg(snap: dict, *, title: str = "Stratégie de changement", id_prefix: str | None = None) -> str:
    """The diagram as a standalone SVG document (a string, safe to embed: every text is escaped, and
    characters XML cannot hold are removed)."""
    geometry = layout(snap)
    prefix = id_prefix or "qic" + hashlib.sha1(repr(snap).encode()).hexdigest()[:8]  # noqa: S324 - ids only
    marker = f"{prefix}-arrow"
    count = len(snap["changes"])
    desc = (
        f"{count} changement{'s' if count > 1 else ''} en colonnes (directs, intermédiaires, ultime) "
        "menant à "
        "la vision ; une flèche va de chaque changement à ce à quoi il contribue. La liste qui accompagne le "
        "schéma en donne l’équivalent textuel."
    )
    w, h = geometry.width, geometry.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:g} {h:g}" width="{w:g}" height="{h:g}" '
        f'role="img" aria-labelledby="{prefix}-title {prefix}-desc" font-family="{FONT}" '
        'class="qic-diagram__svg">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{EDGE_COLOR}"/></marker></defs>',
        f'<rect x="0" y="0" width="{w:g}" height="{h:g}" fill="#ffffff"/>',
    ]
    for index, (kind, label, focus) in enumerate(COLUMNS):
        x = _column_x(index)
        out.append(
            f'<rect x="{x:g}" y="{MARGIN / 2:g}" width="{BOX_W}" height="4" fill="{STYLE[kind]["stroke"]}"/>'
        )
        out.append(_text(x, MARGIN / 2 + 24, label, size=15, fill="#161616", weight="bold"))
        if focus:
            out.append(_text(x, MARGIN / 2 + 42, focus.capitalize(), size=12, fill="#3a3a3a"))
    out.append(f'<g fill="none" stroke="{EDGE_COLOR}" stroke-width="1.4">')
    for edge in geometry.edges:
        (x1, y1), (x2, y2) = edge.start, edge.end
        bend = max(24.0, (x2 - x1) / 2)
        out.append(
            f'<path d="M{x1:g},{y1:g} C{x1 + bend:g},{y1:g} {x2 - bend:g},{y2:g} {x2 - 2:g},{y2:g}" '
            f'marker-end="url(#{marker})"/>'
        )
    out.append("</g>")
    for box in geometry.boxes:
        out.append(_box_svg(box))
    legend_y = h - LEGEND_H
    out.append(
        f'<g font-size="12" fill="#3a3a3a"><path d="M{MARGIN:g},{legend_y + 14:g} h40" stroke="{EDGE_COLOR}" '
        f'stroke-width="1.4" marker-end="url(#{marker})"/>'
        + _text(MARGIN + 50, legend_y + 18, "contribue à", size=12, fill="#3a3a3a")
        + f'<rect x="{MARGIN + 150:g}" y="{legend_y + 6:g}" width="28" height="16" fill="#ffffff" '
        'stroke="#ce0500" stroke-width="1.6" stroke-dasharray="4 3"/>'
        + _text(MARGIN + 186, legend_y + 18, "ne mène encore nulle part", size=12, fill="#3a3a3a")
        + "</g>"
    )
    out.append("</svg>")
    # Typed text may hold characters XML cannot (older data, imports): the file must always open.
    return xml_safe("\n".join(out))


def _box_svg(box: Box) -> str:
    style = STYLE[box.kind]
    stroke, dash = style["stroke"], ""
    if box.leads_nowhere:
        stroke, dash = "#ce0500", ' stroke-dasharray="5 3"'
    parts = [
        f'<g class="qic-diagram__box" data-key={quoteattr(box.key)}>',
        f"<title>{escape(box.tooltip)}</title>",
        f'<rect x="{box.x:g}" y="{box.y:g}" width="{box.w:g}" height="{box.h:g}" rx="4" '
        f'fill="{style["fill"]}" '
        f'stroke="{stroke}" stroke-width="1.6"{dash}/>',
    ]
    x = box.x + PAD
    if box.kind == "vision":
        y = box.y + PAD + VISION_SIZE
        for line in box.lines:
            parts.append(_text(x, y, line, size=VISION_SIZE, fill=style["text"], weight="bold"))
            y += VISION_LINE
        if box.register:
            parts.append(_text(x, y + 6, box.register, size=12, fill=style["text"]))
    else:
        y = box.y + PAD + REGISTER_SIZE
        parts.append(
            _text(
                x, y, box.register.upper(), size=REGISTER_SIZE, fill="#3a3a3a", extra=' letter-spacing="0.4"'
            )
        )
        y += 4 + TITLE_LINE
        for line in box.lines:
            parts.append(_text(x, y - 3, line, size=TITLE_SIZE, fill=style["text"]))
            y += TITLE_LINE
    parts.append("</g>")
    return "".join(parts)


__all__ = ["Box", "Layout", "layout", "render_svg", "wrap"]
