"""Saving the document of a site: every save is checked, locked, applied and recorded as a new revision.

Each public function runs in one transaction that first locks the site's `Vision` row, so the saves of a site
are serialised and every revision is a consistent snapshot; each item save is conditional on the version the
person was shown (`qic.locking`), so two people never overwrite each other. Rule violations raise
`ValidationError` with French messages; a stale save raises `EditConflict`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from collectives.enums import TRINOME_SEATS
from collectives.models import Membership
from collectives.services.members import current_seat_holders
from qic import references
from qic.locking import EditConflict, delete_if_unchanged, save_if_unchanged
from sites import journal
from sites.enums import EventKind

from . import document, notices, rules
from .enums import ChangeLevel, FactorKind
from .models import Approval, Change, ChangeStrategy, Comment, ContextFactor, PartnerAction, Revision, Vision


class AdoptionRefused(ValidationError):
    """An approval that cannot be given (stale version, incomplete document, not a seat holder)."""


# The lock and the revision --------------------------------------------------------------------------------


def _lock(site) -> Vision:
    """The site's Vision row, created if needed, locked until the end of the transaction."""
    if not Vision.objects.filter(site=site).exists():
        try:
            with transaction.atomic():
                Vision.objects.create(site=site)
        except IntegrityError:
            pass  # created meanwhile by a concurrent save
    return Vision.objects.select_for_update().get(site=site)


def head(site, *, snapshot: bool = True) -> Revision | None:
    """The latest revision; without `snapshot`, the whole document it holds is left unread (its number, its
    date and its adoption are what most readers need)."""
    revisions = Revision.objects.filter(site=site)
    return (revisions if snapshot else revisions.defer("snapshot")).order_by("-number").first()


def _record(site, user, summary: str, *, restored_from: int | None = None) -> Revision | None:
    """Write the new state of the document as a revision (none if nothing changed)."""
    snap = document.snapshot(document.load(site))
    last = head(site)
    if last is not None and last.snapshot == snap:
        return None
    revision = Revision.objects.create(
        site=site,
        number=(last.number if last else 0) + 1,
        snapshot=snap,
        summary=summary[:300],
        author=user,
        created_at=timezone.now(),
        restored_from=restored_from,
    )
    notices.version_to_approve(site, revision, _seat_user_ids(current_seats(site)), author=user)
    return revision


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    return f"« {text[: limit - 1]}… »" if len(text) > limit else f"« {text} »"


def _next_position(queryset) -> int:
    current = queryset.aggregate(top=Max("position"))["top"]
    return 0 if current is None else current + 1


def _move(item, siblings, direction: str) -> bool:
    """Move an item one place up or down among its ordered siblings (positions renumbered, no lock bump)."""
    items = list(siblings.order_by("position", "id"))
    index = next((i for i, other in enumerate(items) if other.pk == item.pk), None)
    target = None if index is None else index + (-1 if direction == "up" else 1)
    if target is None or not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    changed = []
    for position, other in enumerate(items):
        if other.position != position:
            other.position = position
            changed.append(other)
    type(item).objects.bulk_update(changed, ["position"])
    return True


# Vision and narrative ------------------------------------------------------------------------------------


def save_statement(site, user, *, expected_version: int, statement: str, horizon_year: int) -> Vision:
    with transaction.atomic():
        vision = _lock(site)
        save_if_unchanged(
            vision,
            expected_version,
            {"statement": statement.strip(), "horizon_year": horizon_year},
            user=user,
        )
        _record(site, user, f"Vision modifiée (horizon {horizon_year})")
    return vision


def save_narrative(site, user, *, expected_version: int, narrative: str) -> ChangeStrategy:
    with transaction.atomic():
        _lock(site)
        strategy, _ = ChangeStrategy.objects.get_or_create(site=site)
        save_if_unchanged(strategy, expected_version, {"narrative": narrative.strip()}, user=user)
        _record(site, user, "Récit de la stratégie modifié")
    return strategy


# Context factors -----------------------------------------------------------------------------------------


def _factor_label(kind: str) -> str:
    return "Facteur positif" if kind == FactorKind.POSITIVE else "Facteur négatif"


def add_factor(site, user, *, kind: str, text: str) -> ContextFactor:
    with transaction.atomic():
        _lock(site)
        factor = ContextFactor.objects.create(
            site=site,
            kind=kind,
            text=text.strip(),
            position=_next_position(ContextFactor.objects.filter(site=site, kind=kind)),
            updated_by=user,
        )
        _record(site, user, f"{_factor_label(kind)} ajouté : {_quote(text)}")
    return factor


def edit_factor(factor: ContextFactor, user, *, expected_version: int, text: str) -> ContextFactor:
    with transaction.atomic():
        _lock(factor.site)
        save_if_unchanged(factor, expected_version, {"text": text.strip()}, user=user)
        _record(factor.site, user, f"{_factor_label(factor.kind)} modifié : {_quote(text)}")
    return factor


def delete_factor(factor: ContextFactor, user, *, expected_version: int) -> None:
    with transaction.atomic():
        _lock(factor.site)
        delete_if_unchanged(factor, expected_version)
        _record(factor.site, user, f"{_factor_label(factor.kind)} supprimé : {_quote(factor.text)}")


def move_factor(factor: ContextFactor, user, *, direction: str) -> None:
    with transaction.atomic():
        _lock(factor.site)
        if _move(factor, ContextFactor.objects.filter(site=factor.site, kind=factor.kind), direction):
            _record(factor.site, user, f"{_factor_label(factor.kind)} déplacé : {_quote(factor.text)}")


# Changes and their links ---------------------------------------------------------------------------------


def site_graph(site, *, without: int | None = None) -> dict[int, list[int]]:
    """The site's "contributes to" links, optionally without the outgoing links of one change."""
    graph: dict[int, list[int]] = {}
    rows = Change.contributes_to.through.objects.filter(from_change__site=site)
    for source, target in rows.values_list("from_change_id", "to_change_id"):
        if source != without:
            graph.setdefault(source, []).append(target)
    return graph


def _check_change(site, change: Change, targets: list[Change], to_vision: bool) -> None:
    """Refuse links that break the method's rules, and a new level that breaks incoming links."""
    for target in targets:
        if target.site_id != site.pk:
            raise ValidationError(
                "Ce changement appartient à un autre site : un lien reste dans la stratégie du site."
            )
    rules.check_links(change, targets, to_vision, site_graph(site, without=change.pk))
    if change.pk:
        errors = []
        for contributor in change.contributors.all():
            error = rules.link_error(contributor, change, site_graph(site, without=contributor.pk))
            if error:
                errors.append(f"« {contributor.title} » contribue à ce changement. {error}")
        if errors:
            raise ValidationError(errors)


def add_change(site, user, *, level, register, title, description="", targets=(), to_vision=False) -> Change:
    with transaction.atomic():
        _lock(site)
        change = Change(
            site=site,
            level=level,
            register=register,
            title=title.strip(),
            description=description.strip(),
            contributes_to_vision=to_vision,
            position=_next_position(Change.objects.filter(site=site, level=level)),
            updated_by=user,
        )
        _check_change(site, change, list(targets), to_vision)
        change.save()
        change.contributes_to.set(targets)
        _record(site, user, f"{ChangeLevel(level).label} ajouté : {_quote(title)}")
    return change


def edit_change(
    change: Change, user, *, expected_version, level, register, title, description, targets, to_vision
) -> Change:
    site = change.site
    with transaction.atomic():
        _lock(site)
        values = {
            "level": level,
            "register": register,
            "title": title.strip(),
            "description": description.strip(),
            "contributes_to_vision": to_vision,
        }
        if level != change.level:
            values["position"] = _next_position(Change.objects.filter(site=site, level=level))
        save_if_unchanged(change, expected_version, values, user=user)
        # Checked after the conditional save: a stale form is told of the conflict first; a refusal
        # here rolls the save back with the transaction.
        _check_change(site, change, list(targets), to_vision)
        change.contributes_to.set(targets)
        _record(site, user, f"Changement modifié : {_quote(title)}")
    return change


def set_links(change: Change, user, *, expected_version: int, targets, to_vision: bool) -> Change:
    """Replace what a change contributes to (the quick link editor of the strategy)."""
    site = change.site
    with transaction.atomic():
        _lock(site)
        save_if_unchanged(change, expected_version, {"contributes_to_vision": to_vision}, user=user)
        _check_change(site, change, list(targets), to_vision)
        change.contributes_to.set(targets)
        _record(site, user, f"Liens modifiés : {_quote(change.title)}")
    return change


def delete_change(change: Change, user, *, expected_version: int) -> None:
    site = change.site
    with transaction.atomic():
        _lock(site)
        # Comments, indicators (with their measurements) and adjustments outlive the change: detached, they
        # keep its id and title, and find it again if a restored version brings it back.
        references.detach([change])
        delete_if_unchanged(change, expected_version)
        _record(site, user, f"Changement supprimé : {_quote(change.title)}")


def move_change(change: Change, user, *, direction: str) -> None:
    site = change.site
    with transaction.atomic():
        _lock(site)
        if _move(change, Change.objects.filter(site=site, level=change.level), direction):
            _record(site, user, f"Changement déplacé : {_quote(change.title)}")


# Partner actions ----------------------------------------------------------------------------------------


def _check_served(site, changes) -> None:
    if any(c.site_id != site.pk for c in changes):
        raise ValidationError("Une action sert les changements de son propre site.")


def add_action(site, user, *, name, lead_organisation, status, description="", changes=()) -> PartnerAction:
    with transaction.atomic():
        _lock(site)
        _check_served(site, changes)
        action = PartnerAction.objects.create(
            site=site,
            name=name.strip(),
            lead_organisation=lead_organisation.strip(),
            status=status,
            description=description.strip(),
            position=_next_position(PartnerAction.objects.filter(site=site)),
            updated_by=user,
        )
        action.changes.set(changes)
        _record(site, user, f"Action ajoutée : {_quote(name)}")
    return action


def edit_action(
    action: PartnerAction, user, *, expected_version, name, lead_organisation, status, description, changes
) -> PartnerAction:
    site = action.site
    with transaction.atomic():
        _lock(site)
        _check_served(site, changes)
        values = {
            "name": name.strip(),
            "lead_organisation": lead_organisation.strip(),
            "status": status,
            "description": description.strip(),
        }
        save_if_unchanged(action, expected_version, values, user=user)
        action.changes.set(changes)
        _record(site, user, f"Action modifiée : {_quote(name)}")
    return action


def delete_action(action: PartnerAction, user, *, expected_version: int) -> None:
    with transaction.atomic():
        _lock(action.site)
        references.detach([action])
        delete_if_unchanged(action, expected_version)
        _record(action.site, user, f"Action supprimée : {_quote(action.name)}")


# History -------------------------------------------------------------------------------------------------


def _sync(model, site, wanted: list[dict], to_fields, *, existing: dict | None = None) -> dict[int, object]:
    """Make rows of `model` match `wanted` (snapshot items, in order); return snapshot id -> row.

    Rows are taken from (and removed from) `existing`; what is left there is for the caller to delete.
    """
    existing = {obj.pk: obj for obj in model.objects.filter(site=site)} if existing is None else existing
    ids = [item["id"] for item in wanted]
    taken = set(model.objects.filter(pk__in=ids).exclude(site=site).values_list("pk", flat=True))
    rows = {}
    for position, item in enumerate(wanted):
        values = {**to_fields(item), "position": position}
        obj = existing.pop(item["id"], None)
        if obj is None:
            # A deleted item comes back under its old id when it is free, so history keeps following it.
            obj = model.objects.create(pk=None if item["id"] in taken else item["id"], site=site, **values)
        elif any(getattr(obj, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(obj, key, value)
            obj.version += 1
            obj.updated_at = timezone.now()
            obj.save()
        rows[item["id"]] = obj
    return rows


def _change_fields(item: dict) -> dict:
    return {
        "level": item["level"],
        "register": item["register"],
        "title": item["title"],
        "description": item["description"],
        "contributes_to_vision": item["to_vision"],
    }


def _action_fields(item: dict) -> dict:
    return {
        "name": item["name"],
        "lead_organisation": item["lead"],
        "status": item["status"],
        "description": item["description"],
    }


def restore_removes(site, snap: dict) -> list[dict]:
    """What restoring the version whose snapshot is `snap` takes out of the current document (its confirmation
    says it): the changes and actions that version does not have, each with the work attached to it that
    stays kept (named by their titles: not their descriptions)."""
    removed = []
    for model, key, label in ((Change, "changes", "Changement"), (PartnerAction, "actions", "Action")):
        kept_ids = {item["id"] for item in snap[key]}
        attached = references.attached(model, site)
        removed += [
            {"label": label, "title": str(item), "kept": references.describe(attached.get(item.pk, {}))}
            for item in model.objects.filter(site=site).defer("description")
            if item.pk not in kept_ids
        ]
    return removed


class RestoreRefused(Exception):
    """The document changed since the restoration was confirmed (what it removes is not the list read)."""

    def __str__(self):
        return (
            "Rien n’a été restauré\u00a0: le brouillon a changé depuis l’affichage de cette page. Relisez ce "
            "que la restauration retirerait, puis confirmez de nouveau."
        )


def restore(site, user, number: int, *, seen_head: int | None = None) -> Revision:
    """Bring back an old revision as a new revision (nothing is lost: the replaced state stays in history).
    `seen_head`: the latest revision when its confirmation was shown; a newer one (every edit writes one)
    would remove work unseen: `RestoreRefused`."""
    with transaction.atomic():
        vision = _lock(site)
        current = head(site, snapshot=False)
        if seen_head is not None and (current.number if current else 0) != seen_head:
            raise RestoreRefused
        old = Revision.objects.get(site=site, number=number)
        snap = old.snapshot
        Vision.objects.filter(pk=vision.pk).update(
            statement=snap["vision"]["statement"],
            horizon_year=snap["vision"]["horizon_year"],
            version=vision.version + 1,
            updated_at=timezone.now(),
            updated_by=user,
        )
        strategy, _ = ChangeStrategy.objects.get_or_create(site=site)
        if strategy.narrative != snap["narrative"]:
            ChangeStrategy.objects.filter(pk=strategy.pk).update(
                narrative=snap["narrative"], version=strategy.version + 1, updated_at=timezone.now()
            )
        factors = {f.pk: f for f in ContextFactor.objects.filter(site=site)}
        for kind in FactorKind:
            wanted = [f for f in snap["factors"] if f["kind"] == kind]
            _sync(
                ContextFactor,
                site,
                wanted,
                lambda i: {"kind": i["kind"], "text": i["text"]},
                existing=factors,
            )
        ContextFactor.objects.filter(pk__in=list(factors)).delete()
        leftover = {c.pk: c for c in Change.objects.filter(site=site)}
        changes = {}
        for level in document.LEVELS:
            wanted = [c for c in snap["changes"] if c["level"] == level]
            changes.update(_sync(Change, site, wanted, _change_fields, existing=leftover))
        # What people attached to the changes this version does not have is kept, detached (`qic.references`).
        references.detach(leftover.values())
        Change.objects.filter(pk__in=list(leftover)).delete()
        link_model = Change.contributes_to.through
        link_model.objects.filter(from_change__site=site).delete()
        link_model.objects.bulk_create(
            link_model(from_change_id=changes[c["id"]].pk, to_change_id=changes[t].pk)
            for c in snap["changes"]
            for t in c["contributes_to"]
            if t in changes
        )
        references.relink(Change, [c.pk for c in changes.values()])
        actions = _sync(PartnerAction, site, snap["actions"], _action_fields)
        removed = PartnerAction.objects.filter(site=site).exclude(pk__in=[a.pk for a in actions.values()])
        references.detach(removed)
        removed.delete()
        references.relink(PartnerAction, [a.pk for a in actions.values()])
        action_link = PartnerAction.changes.through
        action_link.objects.filter(partneraction__site=site).delete()
        action_link.objects.bulk_create(
            action_link(partneraction_id=actions[a["id"]].pk, change_id=changes[c].pk)
            for a in snap["actions"]
            for c in a["changes"]
            if c in changes
        )
        revision = _record(site, user, f"Version {number} restaurée", restored_from=number)
    return revision or head(site)


# Adoption ------------------------------------------------------------------------------------------------


def _seat_user_ids(seats: dict[str, Membership]) -> list[int]:
    return [m.user_id for m in seats.values()]


current_seats = current_seat_holders  # the current holder of each trinôme seat (a vacant one is missing)


def approve(site, user, *, number: int) -> Revision:
    """A seat holder approves the latest revision; the third approval adopts it."""
    with transaction.atomic():
        _lock(site)
        latest = head(site)
        if latest is None or latest.number != number:
            raise AdoptionRefused(
                f"La version {number} n’est plus la dernière : relisez la version "
                f"{latest.number if latest else ''} avant de l’approuver."
            )
        seats = current_seats(site)
        seat = next((role for role, m in seats.items() if m.user_id == user.pk), None)
        if seat is None:
            raise PermissionDenied
        if latest.is_adopted:
            raise AdoptionRefused(f"La version {number} est déjà adoptée.")
        problems = rules.document_problems(latest.snapshot)
        if problems:
            raise AdoptionRefused(problems)
        _, created = Approval.objects.get_or_create(revision=latest, user=user, defaults={"seat": seat})
        notices.approval_given(latest, user)
        if not _adopt_if_complete(site, latest, seats, user) and created:
            notices.version_approved(site, latest, _seat_user_ids(seats), seats[seat], actor=user)
    return latest


def withdraw_approval(site, user, *, number: int) -> str | None:
    """Withdraw this person's approval of a version not yet adopted. None when withdrawn, else why nothing
    was (the third approval adopted it meanwhile, or there was nothing to withdraw)."""
    with transaction.atomic():
        _lock(site)
        withdrawn, _ = Approval.objects.filter(
            revision__site=site, revision__number=number, revision__adopted_at__isnull=True, user=user
        ).delete()
        if withdrawn:
            return None
        if Revision.objects.filter(site=site, number=number, adopted_at__isnull=False).exists():
            return f"La version {number} est déjà adoptée\u00a0: votre approbation ne peut plus être retirée."
        return "Vous n’aviez pas approuvé cette version\u00a0: il n’y avait rien à retirer."


def _adopt_if_complete(site, revision: Revision, seats: dict, actor) -> bool:
    if len(seats) < len(TRINOME_SEATS):
        return False
    approved = set(revision.approvals.values_list("user_id", flat=True))
    if not all(m.user_id in approved for m in seats.values()):
        return False
    now = timezone.now()
    revision.adopted_at = now
    revision.adopted_with_strategy = bool(revision.snapshot["changes"])
    revision.save(update_fields=["adopted_at", "adopted_with_strategy"])
    journal.record(
        site,
        EventKind.VISION_ADOPTED,
        f"Vision adoptée par le trinôme (version {revision.number}) : "
        + _quote(revision.snapshot["vision"]["statement"], 200),
        actor=actor,
        at=now,
        subject=revision,
    )
    if revision.adopted_with_strategy:
        count = len(revision.snapshot["changes"])
        journal.record(
            site,
            EventKind.STRATEGY_ADOPTED,
            f"Stratégie de changement adoptée par le trinôme (version {revision.number}, "
            f"{count} changements)",
            actor=actor,
            at=now,
            subject=revision,
        )
    notices.vision_adopted(site, revision, _seat_user_ids(seats), actor=actor)
    return True


# Comments ------------------------------------------------------------------------------------------------


def add_comment(site, user, *, body: str, change: Change | None = None) -> Comment:
    if change is not None and change.site_id != site.pk:
        raise ValidationError("Ce changement appartient à un autre site.")
    with transaction.atomic():
        comment = Comment.objects.create(
            site=site, change=change, change_ref=change.pk if change else None, author=user, body=body.strip()
        )
        thread = Comment.objects.filter(site=site, change=change).exclude(pk=comment.pk)
        earlier = set(thread.values_list("author", flat=True))
        notices.comment_added(
            site, comment, _seat_user_ids(current_seats(site)), earlier, _quote(comment.body)
        )
    return comment


def resolve_comment(comment: Comment, user, *, resolved: bool = True) -> Comment:
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(
            resolved_at=timezone.now() if resolved else None, resolved_by=user if resolved else None
        )
        if resolved:
            notices.comment_resolved(comment)
    comment.refresh_from_db()
    return comment


__all__ = [
    "AdoptionRefused",
    "EditConflict",
    "add_action",
    "add_change",
    "add_comment",
    "add_factor",
    "approve",
    "current_seats",
    "delete_action",
    "delete_change",
    "delete_factor",
    "edit_action",
    "edit_change",
    "edit_factor",
    "head",
    "move_change",
    "move_factor",
    "resolve_comment",
    "restore",
    "restore_removes",
    "save_narrative",
    "save_statement",
    "set_links",
    "withdraw_approval",
]
