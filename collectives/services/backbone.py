"""The backbone support structure: who carries each of the seven roles for a site, and the coverage."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from qic.locking import save_if_unchanged

from ..enums import BackboneRole
from ..guide import BACKBONE_HINTS
from ..models import BackboneAssignment, is_carried

FIELDS = {"person": "Personne", "organisation": "Organisation", "note": "Comment ce rôle est porté"}


@dataclass
class RoleCoverage:
    role: BackboneRole
    assignment: BackboneAssignment | None

    @property
    def label(self) -> str:
        return self.role.label

    @property
    def hint(self) -> str:
        return BACKBONE_HINTS[self.role]

    @property
    def is_carried(self) -> bool:
        return self.assignment is not None and self.assignment.is_carried

    @property
    def version(self) -> int:
        return self.assignment.version if self.assignment else 1


def coverage(site) -> dict:
    """The seven roles in order, each with who carries it, and the count of roles carried."""
    found = {a.role: a for a in site.backbone_assignments.select_related("person", "updated_by")}
    rows = [RoleCoverage(role, found.get(role)) for role in BackboneRole]
    carried = sum(1 for row in rows if row.is_carried)
    return {"rows": rows, "carried": carried, "total": len(rows), "percent": round(100 * carried / len(rows))}


def carried_count(site) -> dict:
    """The coverage's count alone (the site page's line): two columns of the site's assignments, without
    reading who carries them."""
    carried = sum(
        is_carried(person_id, organisation)
        for person_id, organisation in site.backbone_assignments.order_by().values_list(
            "person_id", "organisation"
        )
    )
    return {"carried": carried, "total": len(BackboneRole)}


def role_coverage(site, role: str) -> RoleCoverage:
    return RoleCoverage(BackboneRole(role), site.backbone_assignments.filter(role=role).first())


def save_assignment(site, role: str, *, person, organisation: str, note: str, expected_version: int, user):
    """Record who carries a role; refused with `EditConflict` if someone saved it since `expected_version`."""
    with transaction.atomic():
        assignment = site.backbone_assignments.filter(role=role).first()
        if assignment is None:
            try:
                with transaction.atomic():
                    assignment = BackboneAssignment.objects.create(site=site, role=role, updated_by=user)
            except IntegrityError:
                assignment = site.backbone_assignments.get(role=role)
        changes = {"person": person, "organisation": organisation.strip(), "note": note.strip()}
        return save_if_unchanged(assignment, expected_version, changes, user=user)
