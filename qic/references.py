"""References that outlive what they point at: work people entered is never deleted with its subject.

A row that refers to an item which may be deleted (a comment or an indicator on a change of the strategy,
an adjustment on a change or a partner action) holds a foreign key `<name>` with `on_delete=SET_NULL`, plus
`<name>_ref`, the item's id kept for good, and optionally `<name>_title`, its label when it went. When the
item is deleted the row stays, detached and labelled; when a restored version brings the item back under its
old id, `relink` attaches the row to it again. Every such relation is found from the model's metadata, so a
new one only has to follow the naming.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


def kept_references(model) -> list[tuple[type[models.Model], str]]:
    """(referring model, foreign key name) of every relation to `model` that survives its deletion."""
    found = []
    for relation in model._meta.related_objects:
        if not relation.one_to_many or relation.on_delete is not models.SET_NULL:
            continue
        name = relation.field.name
        fields = {f.name for f in relation.related_model._meta.concrete_fields}
        if f"{name}_ref" in fields:
            found.append((relation.related_model, name))
    return found


def _has_title(model, name: str) -> bool:
    return any(f.name == f"{name}_title" for f in model._meta.concrete_fields)


def _save(row, values: dict) -> None:
    # Saved row by row (they are few), not updated in bulk: the audit log sees each one (`qic.audit`).
    for key, value in values.items():
        setattr(row, key, value)
    row.save(update_fields=list(values))


def detach(items: Iterable[models.Model]) -> None:
    """Before `items` are deleted (in the same transaction): the rows referring to them let go of them and
    keep their id and label."""
    for item in items:
        for model, name in kept_references(type(item)):
            values = {f"{name}_id": None, f"{name}_ref": item.pk}
            if _has_title(model, name):
                values[f"{name}_title"] = str(item)[:200]
            for row in model._default_manager.filter(**{name: item}):
                _save(row, values)


def relink(model, pks: Iterable[int]) -> None:
    """Rows detached from items of `model` whose ids are `pks` (back again) are attached to them again."""
    pks = list(pks)
    for referring, name in kept_references(model):
        for row in referring._default_manager.filter(**{f"{name}__isnull": True, f"{name}_ref__in": pks}):
            values = {f"{name}_id": getattr(row, f"{name}_ref")}
            if _has_title(referring, name):
                values[f"{name}_title"] = ""
            _save(row, values)


def attached(model, site, known: dict | None = None) -> dict[int, dict[str, int]]:
    """What deleting each of the site's `model` items would detach: item pk -> {plural label: count}.

    One query per kind of referring row, whatever the number of items (none included); `known` gives the
    counts the caller already holds ({referring model: {item pk: count}}), which are not queried again."""
    counts: dict[int, dict[str, int]] = {}
    for referring, name in kept_references(model):
        label = str(referring._meta.verbose_name_plural)
        if known and referring in known:
            for pk, n in known[referring].items():
                counts.setdefault(pk, {})[label] = n
            continue
        rows = (
            referring._default_manager.filter(**{f"{name}__site": site})
            .values_list(name)
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        for pk, n in rows:
            counts.setdefault(pk, {})[label] = n
    return counts


def describe(counts: dict[str, int]) -> str:
    """'2 indicateurs, 1 commentaire' (French, for a confirmation)."""
    parts = []
    for label, n in sorted(counts.items()):
        parts.append(f"{n} {label if n > 1 else label.rstrip('s')}")
    return ", ".join(parts)
