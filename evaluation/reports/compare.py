"""What moved between two reports of the same scope, read from their snapshots (statuses, adoptions,
continuum levels, conditions, coaching hours): per site, and as distributions for the whole scope."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

UP, DOWN, CHANGED = "up", "down", "changed"
MAX_SITE_CHANGES = 500


@dataclass
class FactChange:
    key: str
    label: str
    before: object
    after: object
    direction: str  # up, down or changed
    unit: str = ""


@dataclass
class SiteChanges:
    id: int
    name: str
    changes: list[FactChange]


@dataclass
class Comparison:
    older: dict
    newer: dict
    sites: list[SiteChanges] = field(default_factory=list)
    entered: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    summary: list[dict] = field(default_factory=list)  # per fact: sites changed, up, down
    distributions: list[dict] = field(default_factory=list)  # ordinal facts: counts per level, before/after
    totals: list[dict] = field(default_factory=list)  # numeric facts: sum before/after
    truncated: int = 0

    @property
    def changed_sites(self) -> int:
        return len(self.sites) + self.truncated


def _direction(definition: dict, before, after) -> str:
    kind = definition["kind"]
    levels = definition["levels"]
    if kind == "ordinal" and before in levels and after in levels:
        return UP if levels.index(after) > levels.index(before) else DOWN
    if kind == "bool":
        return UP if after and not before else DOWN
    if kind == "number" and before is not None and after is not None:
        return UP if after > before else DOWN
    return CHANGED


def _comparable(older: dict, newer: dict) -> list[dict]:
    """Facts that both snapshots hold (a family that landed in between is compared from its first report)."""
    before = {d["key"]: d for d in older["facts"] if d["available"]}
    return [d for d in newer["facts"] if d["available"] and d["key"] in before]


def compare(older: dict, newer: dict) -> Comparison:
    """Changes from `older` to `newer` (two snapshots of the same scope)."""
    result = Comparison(older=older, newer=newer)
    definitions = _comparable(older, newer)
    old_sites = {s["id"]: s for s in older["sites"]}
    new_sites = {s["id"]: s for s in newer["sites"]}
    result.entered = sorted(s["name"] for pk, s in new_sites.items() if pk not in old_sites)
    result.left = sorted(s["name"] for pk, s in old_sites.items() if pk not in new_sites)
    counters = {d["key"]: Counter() for d in definitions}
    for pk, site in sorted(new_sites.items(), key=lambda item: item[1]["name"]):
        previous = old_sites.get(pk)
        if previous is None:
            continue
        changes = []
        for definition in definitions:
            key = definition["key"]
            before, after = previous["facts"].get(key), site["facts"].get(key)
            if before == after:
                continue
            direction = _direction(definition, before, after)
            counters[key][direction] += 1
            changes.append(FactChange(key, definition["label"], before, after, direction, definition["unit"]))
        if changes:
            if len(result.sites) < MAX_SITE_CHANGES:
                result.sites.append(SiteChanges(pk, site["name"], changes))
            else:
                result.truncated += 1
    for definition in definitions:
        key = definition["key"]
        counts = counters[key]
        result.summary.append(
            {
                "label": definition["label"],
                "kind": definition["kind"],
                "changed": sum(counts.values()),
                "up": counts[UP],
                "down": counts[DOWN],
            }
        )
        if definition["kind"] == "ordinal":
            before = Counter(s["facts"].get(key) for s in older["sites"])
            after = Counter(s["facts"].get(key) for s in newer["sites"])
            levels = definition["levels"] or sorted({*before, *after} - {None}, key=str)
            result.distributions.append(
                {
                    "label": definition["label"],
                    "levels": [
                        {"level": level, "before": before.get(level, 0), "after": after.get(level, 0)}
                        for level in levels
                    ],
                }
            )
        elif definition["kind"] == "number":
            result.totals.append(
                {
                    "label": definition["label"],
                    "unit": definition["unit"],
                    "before": sum(s["facts"].get(key) or 0 for s in older["sites"]),
                    "after": sum(s["facts"].get(key) or 0 for s in newer["sites"]),
                }
            )
    return result


def compare_reports(first, second) -> Comparison:
    """Compare two finished reports, the older one first whatever the order given."""
    older, newer = sorted((first, second), key=lambda r: (r.data_date, r.pk))
    return compare(older.snapshot, newer.snapshot)
