"""Optimistic locking: two people saving the same item never silently overwrite each other.

A model inherits `Versioned`; a form carries the `version` it was shown; the service saves with
`save_if_unchanged`, one conditional UPDATE (`... WHERE pk = %s AND version = %s`), so of two saves based on
the same version exactly one wins and the other raises `EditConflict` with the saved item, whatever the
database or the interleaving. Views show the conflict with `includes/edit_conflict.html` (both versions side
by side) and hand the form back with the user's text and the new version, so they can merge and save again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from .forms import SaysHiddenErrors

# Sent after `save_if_unchanged` applied its conditional UPDATE, which bypasses model signals (what is kept
# in step with a model, such as a site's stored facts, listens to it).
saved = Signal()


class Versioned(models.Model):
    """An editable item with a lock version and who last saved it."""

    version = models.PositiveIntegerField("version", default=1, editable=False)
    updated_at = models.DateTimeField("modifié le", default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="modifié par",
    )

    class Meta:
        abstract = True


@dataclass
class EditConflict(Exception):
    """The item changed (or disappeared) since the user loaded it: their save was not applied."""

    current: models.Model | None
    attempted: dict = field(default_factory=dict)

    def __str__(self):
        return "L’élément a été modifié par quelqu’un d’autre depuis son ouverture."


def save_if_unchanged(obj: Versioned, expected_version: int, changes: dict, *, user=None) -> Versioned:
    """Apply `changes` to `obj` only if its stored version is still `expected_version`; bump the version.

    Raises `EditConflict` (carrying the stored item, or None if it was deleted) otherwise.
    """
    model = type(obj)
    values = {**changes, "version": F("version") + 1, "updated_at": timezone.now()}
    if user is not None:
        values["updated_by"] = user
    with transaction.atomic():
        updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(**values)
        if not updated:
            raise EditConflict(current=model._default_manager.filter(pk=obj.pk).first(), attempted=changes)
        obj.refresh_from_db()
        saved.send(sender=model, instance=obj)
    return obj


def delete_if_unchanged(obj: Versioned, expected_version: int) -> None:
    """Delete `obj` only if nobody saved it since the user saw `expected_version`."""
    model = type(obj)
    deleted, _ = model._default_manager.filter(pk=obj.pk, version=expected_version).delete()
    if not deleted:
        raise EditConflict(current=model._default_manager.filter(pk=obj.pk).first(), attempted={})


class VersionedForm(SaysHiddenErrors):
    """A form that remembers which version of the item it was opened on."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def take_conflict(self, conflict: EditConflict) -> None:
        """After a conflict: keep the user's input, move the form to the saved version, explain why."""
        data = self.data.copy()
        data["version"] = str(conflict.current.version) if conflict.current is not None else "0"
        self.data = data
        self.add_error(
            None,
            "Votre enregistrement a été refusé : quelqu’un a modifié ce contenu pendant que vous l’écriviez. "
            "Comparez les deux versions ci-dessous, reprenez ce qu’il faut garder "
            "puis enregistrez à nouveau.",
        )


def _display(value) -> str:
    if value is None:
        return ""
    return str(value)


def conflict_rows(conflict: EditConflict, fields: dict[str, str]) -> list[dict]:
    """The compared versions, field by field: label, the user's value, the saved value, differ?."""
    rows = []
    for name, label in fields.items():
        mine = _display(conflict.attempted.get(name))
        theirs = _display(getattr(conflict.current, name, None)) if conflict.current is not None else ""
        rows.append({"name": name, "label": label, "mine": mine, "theirs": theirs, "differs": mine != theirs})
    return rows


def conflict_context(conflict: EditConflict, fields: dict[str, str]) -> dict:
    """Template context for `includes/edit_conflict.html`."""
    current = conflict.current
    rows = conflict_rows(conflict, fields)
    return {
        "conflict": {
            "rows": rows,
            # The same content saved twice (a double click, twenty identical submissions): nothing to merge.
            "identical": current is not None and not any(row["differs"] for row in rows),
            "deleted": current is None,
            "saved_by": getattr(current, "updated_by", None),
            "saved_at": getattr(current, "updated_at", None),
        }
    }
