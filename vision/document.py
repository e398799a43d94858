"""A site's document (vision, context, strategy) as one snapshot: built from the rows, read back, compared.

A snapshot is plain JSON, the same for the live draft and for every saved revision, so the diagram, the
read-only view, the comparison and the restore all work from it. Items keep their row ids: two snapshots are
compared item by item.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass, field

from django.utils.safestring import mark_safe

from .enums import LEVEL_RANK, ActionStatus, ChangeLevel, ChangeRegister, FactorKind
from .models import Change, ChangeStrategy, ContextFactor, PartnerAction, Vision

SCHEMA = 1
LEVELS = [ChangeLevel.DIRECT, ChangeLevel.INTERMEDIATE, ChangeLevel.ULTIMATE]


@dataclass
class LiveDocument:
    """The rows of a site's document, loaded in a constant number of queries."""

    vision: Vision | None
    strategy: ChangeStrategy | None
    factors: list[ContextFactor]
    changes: list[Change]
    actions: list[PartnerAction]
    links: dict[int, list[int]] = field(default_factory=dict)  # change id -> ids it contributes to
    action_changes: dict[int, list[int]] = field(default_factory=dict)  # action id -> change ids

    def changes_at(self, level: str) -> list[Change]:
        return [c for c in self.changes if c.level == level]

    def factors_of(self, kind: str) -> list[ContextFactor]:
        return [f for f in self.factors if f.kind == kind]


def _change_order(change) -> tuple:
    return (LEVEL_RANK.get(change.level, 9), change.position, change.id)


def load(site, *, for_update: bool = False) -> LiveDocument:
    """Read the site's document rows (6 queries, whatever their number)."""
    link_model = Change.contributes_to.through
    action_link_model = PartnerAction.changes.through
    vision = Vision.objects.filter(site=site).select_related("updated_by").first()
    strategy = ChangeStrategy.objects.filter(site=site).select_related("updated_by").first()
    factors = list(ContextFactor.objects.filter(site=site).order_by("kind", "position", "id"))
    changes = sorted(Change.objects.filter(site=site).select_related("updated_by"), key=_change_order)
    actions = list(PartnerAction.objects.filter(site=site).order_by("position", "id"))
    links: dict[int, list[int]] = {c.id: [] for c in changes}
    order = {c.id: i for i, c in enumerate(changes)}
    for source, target in link_model.objects.filter(from_change__site=site).values_list(
        "from_change_id", "to_change_id"
    ):
        links.setdefault(source, []).append(target)
    for targets in links.values():
        targets.sort(key=lambda pk: order.get(pk, 0))
    action_changes: dict[int, list[int]] = {a.id: [] for a in actions}
    for action_id, change_id in action_link_model.objects.filter(partneraction__site=site).values_list(
        "partneraction_id", "change_id"
    ):
        action_changes.setdefault(action_id, []).append(change_id)
    for ids in action_changes.values():
        ids.sort(key=lambda pk: order.get(pk, 0))
    return LiveDocument(vision, strategy, factors, changes, actions, links, action_changes)


def snapshot(doc: LiveDocument) -> dict:
    """The document as JSON-ready data."""
    return {
        "schema": SCHEMA,
        "vision": {
            "statement": doc.vision.statement if doc.vision else "",
            "horizon_year": doc.vision.horizon_year if doc.vision else None,
        },
        "factors": [{"id": f.id, "kind": f.kind, "text": f.text} for f in doc.factors],
        "changes": [
            {
                "id": c.id,
                "level": c.level,
                "register": c.register,
                "title": c.title,
                "description": c.description,
                "contributes_to": list(doc.links.get(c.id, [])),
                "to_vision": c.contributes_to_vision,
            }
            for c in doc.changes
        ],
        "actions": [
            {
                "id": a.id,
                "name": a.name,
                "lead": a.lead_organisation,
                "status": a.status,
                "description": a.description,
                "changes": list(doc.action_changes.get(a.id, [])),
            }
            for a in doc.actions
        ],
        "narrative": doc.strategy.narrative if doc.strategy else "",
    }


def empty_snapshot() -> dict:
    return {
        "schema": SCHEMA,
        "vision": {"statement": "", "horizon_year": None},
        "factors": [],
        "changes": [],
        "actions": [],
        "narrative": "",
    }


# Reading a snapshot ---------------------------------------------------------------------------------------


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value or ""


def level_label(value: str) -> str:
    return _label(ChangeLevel, value)


def register_label(value: str) -> str:
    return _label(ChangeRegister, value)


def status_label(value: str) -> str:
    return _label(ActionStatus, value)


def chain(snap: dict) -> dict:
    """The strategy as a tree for reading: the vision, then ultimate changes and what contributes to them.

    Used for the text equivalent of the diagram: every change appears under each change it contributes to;
    changes that lead nowhere are listed apart.
    """
    changes = {c["id"]: c for c in snap["changes"]}
    contributors: dict[int, list[dict]] = {pk: [] for pk in changes}
    for c in snap["changes"]:
        for target in c["contributes_to"]:
            if target in contributors:
                contributors[target].append(c)

    def node(change, seen):
        children = [] if change["id"] in seen else contributors[change["id"]]
        return {
            "change": change,
            "level": level_label(change["level"]),
            "register": register_label(change["register"]),
            "children": [node(child, seen | {change["id"]}) for child in children],
        }

    to_vision = [c for c in snap["changes"] if c["to_vision"]]
    dangling = [
        c
        for c in snap["changes"]
        if not c["contributes_to"] and not (c["to_vision"] and c["level"] == "ultimate")
    ]
    return {"roots": [node(c, frozenset()) for c in to_vision], "dangling": dangling}


# Comparing two snapshots ----------------------------------------------------------------------------------


def word_diff(old: str, new: str) -> tuple[str, str]:
    """Both texts as HTML, removed words marked <del> on the left and added words <ins> on the right."""
    a, b = (old or "").split(" "), (new or "").split(" ")
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = html.escape(" ".join(a[i1:i2])), html.escape(" ".join(b[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
        else:
            if old_part:
                left.append(f"<del>{old_part}</del>")
            if new_part:
                right.append(f"<ins>{new_part}</ins>")
    return mark_safe(" ".join(left)), mark_safe(" ".join(right))  # noqa: S308 - parts escaped above


@dataclass
class DiffRow:
    label: str
    status: str  # "added", "removed", "changed"
    left: str = ""
    right: str = ""
    details: list = field(default_factory=list)
    item_id: int | None = None

    @property
    def status_label(self) -> str:
        return {"added": "ajouté", "removed": "supprimé", "changed": "modifié"}[self.status]


@dataclass
class DiffSection:
    title: str
    rows: list[DiffRow]
    unchanged: int = 0


def _text_row(label, old, new) -> DiffRow | None:
    if (old or "") == (new or ""):
        return None
    left, right = word_diff(old or "", new or "")
    return DiffRow(label, "changed", left, right)


def _change_title(changes: dict, pk) -> str:
    return changes[pk]["title"] if pk in changes else "(changement supprimé)"


def _links_text(change: dict, titles: dict) -> list[str]:
    parts = [f"« {_change_title(titles, pk)} »" for pk in change["contributes_to"]]
    if change["to_vision"]:
        parts.append("la vision")
    return parts


def _item_text(kind: str, item: dict, titles: dict) -> str:
    if kind == "factor":
        return item["text"]
    if kind == "change":
        lines = [f"{level_label(item['level'])} · {register_label(item['register'])}", item["title"]]
        if item["description"]:
            lines.append(item["description"])
        links = _links_text(item, titles)
        if links:
            lines.append("Contribue à : " + ", ".join(links))
        return "\n".join(lines)
    lines = [item["name"], f"{item['lead']} · {status_label(item['status'])}"]
    if item["description"]:
        lines.append(item["description"])
    if item["changes"]:
        lines.append("Sert : " + ", ".join(f"« {_change_title(titles, pk)} »" for pk in item["changes"]))
    return "\n".join(lines)


def _item_details(kind: str, old: dict, new: dict, old_titles: dict, new_titles: dict) -> list[DiffRow]:
    """Field-by-field differences of one item present in both versions."""
    rows = []
    if kind == "factor":
        row = _text_row("Texte", old["text"], new["text"])
        return [row] if row else []
    if kind == "change":
        fields = [
            ("Niveau", level_label(old["level"]), level_label(new["level"])),
            ("Registre", register_label(old["register"]), register_label(new["register"])),
            ("Intitulé", old["title"], new["title"]),
            ("Description", old["description"], new["description"]),
            (
                "Contribue à",
                # Sorted: reordering the strategy is not a change of what a change leads to.
                ", ".join(sorted(_links_text(old, old_titles))) or "(rien)",
                ", ".join(sorted(_links_text(new, new_titles))) or "(rien)",
            ),
        ]
    else:
        fields = [
            ("Nom", old["name"], new["name"]),
            ("Structure porteuse", old["lead"], new["lead"]),
            ("État", status_label(old["status"]), status_label(new["status"])),
            ("Description", old["description"], new["description"]),
            (
                "Changements servis",
                ", ".join(sorted(f"« {_change_title(old_titles, pk)} »" for pk in old["changes"]))
                or "(aucun)",
                ", ".join(sorted(f"« {_change_title(new_titles, pk)} »" for pk in new["changes"]))
                or "(aucun)",
            ),
        ]
    for label, a, b in fields:
        row = _text_row(label, a, b)
        if row:
            rows.append(row)
    return rows


def _items_section(title, kind, old_items, new_items, old_titles, new_titles, label_of) -> DiffSection:
    old_by_id = {i["id"]: i for i in old_items}
    new_by_id = {i["id"]: i for i in new_items}
    rows, unchanged = [], 0
    for item in new_items:
        before = old_by_id.get(item["id"])
        if before is None:
            text = html.escape(_item_text(kind, item, new_titles))
            added = mark_safe(f"<ins>{text}</ins>")  # noqa: S308 - escaped above
            rows.append(DiffRow(label_of(item), "added", "", added, item_id=item["id"]))
            continue
        details = _item_details(kind, before, item, old_titles, new_titles)
        if details:
            rows.append(DiffRow(label_of(item), "changed", details=details, item_id=item["id"]))
        else:
            unchanged += 1
    for item in old_items:
        if item["id"] not in new_by_id:
            text = html.escape(_item_text(kind, item, old_titles))
            removed = mark_safe(f"<del>{text}</del>")  # noqa: S308 - escaped above
            rows.append(DiffRow(label_of(item), "removed", removed, "", item_id=item["id"]))
    return DiffSection(title, rows, unchanged)


def compare(old: dict, new: dict) -> list[DiffSection]:
    """What differs between two snapshots, section by section, for a side-by-side reading."""
    sections = []
    vision_rows = [
        _text_row("Énoncé", old["vision"]["statement"], new["vision"]["statement"]),
        _text_row(
            "Horizon", str(old["vision"]["horizon_year"] or ""), str(new["vision"]["horizon_year"] or "")
        ),
    ]
    sections.append(
        DiffSection("Vision", [r for r in vision_rows if r], 2 - sum(1 for r in vision_rows if r))
    )
    for kind in FactorKind:
        title = "Facteurs positifs" if kind == FactorKind.POSITIVE else "Facteurs négatifs"
        sections.append(
            _items_section(
                title,
                "factor",
                [f for f in old["factors"] if f["kind"] == kind],
                [f for f in new["factors"] if f["kind"] == kind],
                {},
                {},
                lambda item: "Facteur",
            )
        )
    old_titles = {c["id"]: c for c in old["changes"]}
    new_titles = {c["id"]: c for c in new["changes"]}
    for level in LEVELS:
        sections.append(
            _items_section(
                level.plural,
                "change",
                [c for c in old["changes"] if c["level"] == level],
                [c for c in new["changes"] if c["level"] == level],
                old_titles,
                new_titles,
                lambda item: item["title"],
            )
        )
    # A change that moved to another level shows in both level sections: fold it into one "changed" row.
    _fold_moved_changes(sections, old_titles, new_titles)
    sections.append(
        _items_section(
            "Actions des partenaires",
            "action",
            old["actions"],
            new["actions"],
            old_titles,
            new_titles,
            lambda item: item["name"],
        )
    )
    narrative = _text_row("Récit", old["narrative"], new["narrative"])
    sections.append(DiffSection("Récit", [narrative] if narrative else [], 0 if narrative else 1))
    return sections


def _fold_moved_changes(sections, old_titles, new_titles):
    moved = {
        pk
        for pk in old_titles.keys() & new_titles.keys()
        if old_titles[pk]["level"] != new_titles[pk]["level"]
    }
    if not moved:
        return
    for section in sections:
        kept = []
        for row in section.rows:
            if row.item_id in moved and row.status == "removed":
                continue  # shown once, under its new level, as a modified change
            if row.item_id in moved and row.status == "added":
                old, new = old_titles[row.item_id], new_titles[row.item_id]
                details = _item_details("change", old, new, old_titles, new_titles)
                row = DiffRow(row.label, "changed", details=details, item_id=row.item_id)
            kept.append(row)
        section.rows = kept


def has_differences(sections: list[DiffSection]) -> bool:
    return any(section.rows for section in sections)


__all__ = ["LEVELS", "LiveDocument", "chain", "compare", "empty_snapshot", "load", "snapshot", "word_diff"]
