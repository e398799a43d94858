"""Business logic of the evaluation cycles: writing them together, and closing them.

Closing a cycle is one transaction: its adjustments are applied to the change strategy through the vision
services (so each edit is a new strategy version, under the site's vision lock and optimistic locking), what
was learned is filed in the learning log (so that it can be searched), and the site's journal records it.
If any adjustment can no longer be applied (its change or action was edited or deleted since), nothing is
written and the trinôme is told which one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qic.locking import EditConflict, save_if_unchanged
from sites import journal
from sites.enums import EventKind
from vision import services as vision
from vision.models import Change, PartnerAction

from .enums import AdjustmentKind
from .models import Adjustment, EvaluationCycle, LearningEntry

# The cycle's fields a conflict compares (label shown next to both versions).
CYCLE_FIELDS = {
    "title": "Intitulé",
    "starts_on": "Début",
    "ends_on": "Fin",
    "planned": "Ce que nous avions prévu",
    "observed": "Ce que nous avons observé",
    "learned": "Ce que nous avons appris",
    "adjustments_summary": "Ce que nous ajustons",
}


class CycleCannotClose(Exception):
    """The cycle was not closed; `messages` say why, in French."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


@transaction.atomic
def save_cycle(form, *, site, user) -> EvaluationCycle:
    """Create a cycle, or save an edit only if nobody saved it since the form was opened (else
    `EditConflict`)."""
    cycle = form.save(commit=False)
    if cycle.pk is None:
        cycle.site = site
        cycle.updated_by = user
        cycle.save()
        return cycle
    if cycle.is_closed:
        raise CycleCannotClose(["Ce cycle est clos : il ne se modifie plus."])
    changes = {name: getattr(cycle, name) for name in CYCLE_FIELDS}
    return save_if_unchanged(cycle, form.cleaned_data.get("version") or 0, changes, user=user)


def _lock_open(cycle: EvaluationCycle, message: str) -> EvaluationCycle:
    """The cycle's row, locked until the end of the transaction; refused once closed (closing it meanwhile
    would leave an adjustment written after the closing unapplied)."""
    locked = EvaluationCycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.is_closed:
        raise CycleCannotClose([message])
    return locked


@transaction.atomic
def add_adjustment(form, *, cycle) -> Adjustment:
    _lock_open(cycle, "Ce cycle vient d’être clos : l’ajustement n’est pas ajouté.")
    adjustment = form.save(commit=False)
    adjustment.cycle = cycle
    adjustment.site_id = cycle.site_id
    item = adjustment.action if adjustment.kind == AdjustmentKind.ACTION_STATUS else adjustment.change
    if adjustment.kind in (AdjustmentKind.EDIT_CHANGE, AdjustmentKind.ACTION_STATUS) and item is not None:
        adjustment.based_on_version = item.version
    adjustment.save()
    return adjustment


@transaction.atomic
def delete_adjustment(adjustment: Adjustment) -> None:
    _lock_open(adjustment.cycle, "Ce cycle est clos : ses ajustements sont appliqués.")
    adjustment.delete()


def close_cycle(cycle: EvaluationCycle, user, *, expected_version: int, now=None) -> EvaluationCycle:
    """Close the cycle (at `now`, by default the present moment): apply its adjustments to the strategy,
    file the learning, record the event."""
    with transaction.atomic():
        locked = EvaluationCycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.is_closed:
            raise CycleCannotClose(["Ce cycle est déjà clos."])
        if locked.version != expected_version:
            raise CycleCannotClose(
                [
                    "Ce cycle a été modifié pendant que vous le lisiez : relisez-le avant de le clore.",
                ]
            )
        missing = [
            label
            for name, label in (
                ("observed", "ce que vous avez observé"),
                ("learned", "ce que vous avez appris"),
            )
            if not getattr(locked, name).strip()
        ]
        if missing:
            raise CycleCannotClose([f"Avant de clore le cycle, écrivez {' et '.join(missing)}."])
        adjustments = list(locked.adjustment_items.select_related("change", "action"))
        errors = []
        for adjustment in adjustments:
            try:
                _apply(adjustment, user)
            except EditConflict:
                errors.append(
                    f"« {adjustment.target_label} » a été modifié dans la stratégie depuis que l’ajustement "
                    "a été écrit : supprimez l’ajustement et écrivez-le à nouveau sur la version actuelle."
                )
            except ValidationError as error:
                errors.append(f"« {adjustment.target_label} » : {' '.join(error.messages)}")
            except _Vanished:
                errors.append(
                    f"L’élément visé par l’ajustement « {adjustment.get_kind_display()} » a été supprimé "
                    "de la stratégie : supprimez cet ajustement."
                )
        if errors:
            transaction.set_rollback(True)
            raise CycleCannotClose(errors)
        now = now or timezone.now()
        learning = LearningEntry(
            site=locked.site,
            title=f"Cycle d’évaluation : {locked.title}"[:200],
            # The cycle's end, or the day it closed when it closed early (a learning is dated once lived).
            occurred_on=min(locked.ends_on, timezone.localdate(now)),
            what_happened=locked.observed,
            what_we_learned=locked.learned,
            what_we_change=locked.adjustments_summary,
            tags=",cycle d’évaluation,",
            author=user,
        )
        learning.save()
        save_if_unchanged(
            locked, expected_version, {"closed_at": now, "closed_by": user, "learning": learning}, user=user
        )
        edits = sum(1 for a in adjustments if a.edits_strategy)
        summary = f"Cycle d’évaluation clos : « {locked.title} »"
        if edits:
            plural = "s" if edits > 1 else ""
            summary += f", {edits} ajustement{plural} de la stratégie appliqué{plural}"
        journal.record(locked.site, EventKind.EVALUATION_CYCLE, summary, actor=user, at=now, subject=locked)
    return locked


class _Vanished(Exception):
    pass


def _apply(adjustment: Adjustment, user) -> None:
    """Write one adjustment into the strategy through the vision services (each write is a new version)."""
    site = adjustment.cycle.site
    kind = adjustment.kind
    if kind == AdjustmentKind.LINK:
        adjustment.applied_at = timezone.now()
        adjustment.save(update_fields=["applied_at"])
        return
    if kind == AdjustmentKind.EDIT_CHANGE:
        change = Change.objects.filter(pk=adjustment.change_id, site=site).first()
        if change is None:
            raise _Vanished
        vision.edit_change(
            change,
            user,
            expected_version=adjustment.based_on_version,
            level=change.level,
            register=change.register,
            title=adjustment.title or change.title,
            description=adjustment.description or change.description,
            targets=list(change.contributes_to.all()),
            to_vision=change.contributes_to_vision,
        )
    elif kind == AdjustmentKind.ADD_CHANGE:
        targets = [adjustment.change] if adjustment.change_id else []
        if adjustment.change_id and not Change.objects.filter(pk=adjustment.change_id, site=site).exists():
            raise _Vanished
        created = vision.add_change(
            site,
            user,
            level=adjustment.level,
            register=adjustment.register,
            title=adjustment.title,
            description=adjustment.description,
            targets=targets,
        )
        adjustment.change = created
    elif kind == AdjustmentKind.ACTION_STATUS:
        action = PartnerAction.objects.filter(pk=adjustment.action_id, site=site).first()
        if action is None:
            raise _Vanished
        vision.edit_action(
            action,
            user,
            expected_version=adjustment.based_on_version,
            name=action.name,
            lead_organisation=action.lead_organisation,
            status=adjustment.status,
            description=action.description,
            changes=list(action.changes.all()),
        )
    adjustment.applied_at = timezone.now()
    adjustment.revision = vision.head(site, snapshot=False)
    adjustment.save(update_fields=["applied_at", "revision", "change"])


def cycles_of(site):
    """The site's cycles for their list, open ones first: title, dates and how many adjustments (one query;
    their four texts, up to 5,000 characters each, are read on each cycle's page)."""
    from django.db.models import Count, F

    return list(
        site.evaluation_cycles.order_by(F("closed_at").desc(nulls_first=True), "-starts_on", "-id")
        .only("site_id", "title", "starts_on", "ends_on", "closed_at")
        .annotate(adjustment_count=Count("adjustment_items"))
    )
