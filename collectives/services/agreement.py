"""The cooperation agreement (entente de coopération): drafts, edits without lost updates, signatures.

A site's agreement goes through numbered versions. At most one is a draft (being written) and at most one
is in force (signed by the three current seat holders). Editing while no draft exists opens one, copied
from the version in force, which stays readable and in force until the new draft is signed by all three seats.
Editing a draft withdraws the signatures it had collected: they were given to another text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from qic import text
from qic.locking import EditConflict, delete_if_unchanged, save_if_unchanged
from sites import journal, notifications
from sites.enums import EventKind, NotificationKind
from sites.models import Site

from ..enums import TRINOME_SEATS, AgreementPart, AgreementStatus, MemberRole
from ..models import (
    AgreementChange,
    AgreementSection,
    AgreementSignature,
    CooperationAgreement,
    CooperationSpace,
)
from .members import current_seat_holders, person_name

TEXT_PARTS = [p for p in AgreementPart if p != AgreementPart.SPACES]
SPACE_FIELDS = {
    "name": "Nom",
    "purpose": "Rôle et responsabilités",
    "frequency": "Fréquence",
    "participants": "Qui y participe",
    "decisions": "Ce qu’il décide",
}


class AgreementError(Exception):
    """A refused step (signing an incomplete text, signing twice...), with its French message."""


@dataclass
class Outcome:
    """What a save did besides saving: whether it opened a new draft or withdrew signatures."""

    agreement: CooperationAgreement
    opened_draft: bool = False
    withdrawn_signatures: int = 0


# One site's versions, latest first: the agreements' default order starts with the site's name, a join of
# the sites to sort the rows of a single site.
LATEST_FIRST = "-number"


def draft_of(site) -> CooperationAgreement | None:
    return site.agreements.filter(status=AgreementStatus.DRAFT).order_by(LATEST_FIRST).first()


def in_force(site) -> CooperationAgreement | None:
    return site.agreements.filter(status=AgreementStatus.IN_FORCE).order_by(LATEST_FIRST).first()


def current_versions(site) -> tuple[CooperationAgreement | None, CooperationAgreement | None]:
    """The site's open draft and its version in force (either may be None), in one query."""
    versions = list(
        site.agreements.filter(status__in=[AgreementStatus.DRAFT, AgreementStatus.IN_FORCE]).order_by(
            LATEST_FIRST
        )
    )
    draft = next((v for v in versions if v.status == AgreementStatus.DRAFT), None)
    return draft, next((v for v in versions if v.status == AgreementStatus.IN_FORCE), None)


def working_version(site) -> CooperationAgreement | None:
    """The version the editor shows: the draft if one is open, else the version in force."""
    draft, current = current_versions(site)
    return draft or current


def _lock_site(site) -> None:
    # Serialises the opening of drafts and the signatures of one site (SQLite serialises writes anyway).
    Site.objects.select_for_update().filter(pk=site.pk).first()


def open_draft(site, user) -> tuple[CooperationAgreement, bool]:
    """The site's draft, opened now (as a copy of the version in force, if any) when there is none."""
    with transaction.atomic():
        _lock_site(site)
        draft = draft_of(site)
        if draft is not None:
            return draft, False
        base = in_force(site)
        number = (site.agreements.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = CooperationAgreement.objects.create(site=site, number=number, based_on=base, created_by=user)
        if base is None:
            AgreementSection.objects.bulk_create(
                AgreementSection(agreement=draft, part=part, updated_by=user) for part in AgreementPart
            )
        else:
            # Copies keep their lock version: a form opened on the version in force still saves cleanly
            # into the new draft unless someone changed that very item in between.
            AgreementSection.objects.bulk_create(
                AgreementSection(
                    agreement=draft,
                    part=s.part,
                    text=s.text,
                    version=s.version,
                    updated_at=s.updated_at,
                    updated_by_id=s.updated_by_id,
                )
                for s in base.sections.all()
            )
            CooperationSpace.objects.bulk_create(
                CooperationSpace(
                    agreement=draft,
                    uid=s.uid,
                    name=s.name,
                    purpose=s.purpose,
                    frequency=s.frequency,
                    participants=s.participants,
                    decisions=s.decisions,
                    position=s.position,
                    version=s.version,
                    updated_at=s.updated_at,
                    updated_by_id=s.updated_by_id,
                )
                for s in base.spaces.all()
            )
        _log(
            draft,
            user,
            f"Ouverture de la version {number}" + (f" (reprend la version {base.number})" if base else ""),
        )
    return draft, True


def _log(agreement, user, summary: str) -> None:
    AgreementChange.objects.create(agreement=agreement, author=user, summary=summary[:250])


def _withdraw(agreement, signatures, why: str) -> list[AgreementSignature]:
    """Signatures that no longer stand are withdrawn (and returned); the version's history keeps who had
    signed and when."""
    signatures = list(signatures.select_related("signed_by"))
    for signature in signatures:
        _log(
            agreement,
            None,
            f"Signature retirée ({why}) : {person_name(signature.signed_by)}, "
            f"siège « {signature.get_seat_display()} », signée le {text.date(signature.signed_on)}",
        )
    if signatures:
        AgreementSignature.objects.filter(pk__in=[s.pk for s in signatures]).delete()
    return signatures


def _withdraw_signatures(agreement, user) -> int:
    """An edit of a draft withdraws its signatures; those who had signed are told, to read it and sign again
    (they would otherwise believe they had signed)."""
    withdrawn = _withdraw(agreement, agreement.signatures.all(), "le texte a changé")
    _ask_to_sign(
        agreement,
        [s.signed_by_id for s in withdrawn if s.signed_by_id is not None],
        f"Entente de coopération (version {agreement.number})\u00a0: le texte a changé, votre signature est "
        "retirée. Relisez-le et signez de nouveau.",
        actor=user,
    )
    return len(withdrawn)


def _ask_to_sign(agreement, people: list, title: str, *, actor) -> None:
    """An item in "À faire" for each of these people, unless one is open already (one per person, version)."""
    waiting = set(people) - notifications.open_for(agreement, NotificationKind.AGREEMENT_TO_SIGN, people)
    notifications.notify(
        NotificationKind.AGREEMENT_TO_SIGN,
        waiting,
        title=title,
        url=reverse("collectives:agreement", args=[agreement.site.slug]),
        site=agreement.site,
        actor=actor,
        subject=agreement,
        action=True,
    )


def withdraw_seat_signature(site, seat: str) -> None:
    """A seat changed hands: its holder's signature of the pending draft no longer stands."""
    draft = draft_of(site)
    if draft is not None:
        _withdraw(draft, draft.signatures.filter(seat=seat), "le siège a changé de titulaire")


def signatures_to_withdraw(site) -> list[str]:
    """Who has signed the pending draft: an edit withdraws their signatures (the editor is told before)."""
    draft = draft_of(site)
    if draft is None:
        return []
    return [
        f"{person_name(s.signed_by)} ({s.get_seat_display()})"
        for s in draft.signatures.select_related("signed_by")
    ]


def section_for_edit(site, part: str) -> AgreementSection | None:
    version = working_version(site)
    return version.sections.filter(part=part).first() if version else None


def save_section(site, part: str, text: str, *, expected_version: int, user) -> Outcome:
    """Save one part's text if nobody saved it since `expected_version`; raises `EditConflict` otherwise."""
    with transaction.atomic():
        draft, opened = open_draft(site, user)
        section = draft.sections.get(part=part)
        save_if_unchanged(section, expected_version, {"text": text}, user=user)
        withdrawn = _withdraw_signatures(draft, user)
        _log(draft, user, f"« {AgreementPart(part).label} » modifiée")
    return Outcome(draft, opened, withdrawn)


def _space_in_draft(draft, uid):
    return draft.spaces.filter(uid=uid).first()


def add_space(site, data: dict, *, user) -> tuple[CooperationSpace, Outcome]:
    with transaction.atomic():
        draft, opened = open_draft(site, user)
        position = (draft.spaces.aggregate(p=Max("position"))["p"] or 0) + 1
        space = CooperationSpace.objects.create(agreement=draft, position=position, updated_by=user, **data)
        withdrawn = _withdraw_signatures(draft, user)
        _log(draft, user, f"Lieu de coopération « {space.name} » ajouté")
    return space, Outcome(draft, opened, withdrawn)


def update_space(site, space: CooperationSpace, data: dict, *, expected_version: int, user):
    """Save a space (found in any version of this site's agreement) into the draft, without lost update."""
    with transaction.atomic():
        draft, opened = open_draft(site, user)
        target = _space_in_draft(draft, space.uid)
        if target is None:
            raise EditConflict(current=None, attempted=data)
        save_if_unchanged(target, expected_version, data, user=user)
        withdrawn = _withdraw_signatures(draft, user)
        _log(draft, user, f"Lieu de coopération « {target.name} » modifié")
    return target, Outcome(draft, opened, withdrawn)


def delete_space(site, space: CooperationSpace, *, expected_version: int, user) -> Outcome:
    with transaction.atomic():
        draft, opened = open_draft(site, user)
        target = _space_in_draft(draft, space.uid)
        if target is None:
            raise EditConflict(current=None, attempted={})
        delete_if_unchanged(target, expected_version)
        withdrawn = _withdraw_signatures(draft, user)
        _log(draft, user, f"Lieu de coopération « {target.name} » supprimé")
    return Outcome(draft, opened, withdrawn)


def missing_parts(agreement: CooperationAgreement) -> list[str]:
    """The parts still empty: an agreement is signed only once each part says something."""
    texts = {s.part: s.text.strip() for s in agreement.sections.all()}
    has_spaces = agreement.spaces.exists()
    missing = []
    for part in AgreementPart:
        if part == AgreementPart.SPACES:
            if not has_spaces and not texts.get(part):
                missing.append(part.label)
        elif not texts.get(part):
            missing.append(part.label)
    return missing


def signature_board(agreement: CooperationAgreement | None, site) -> list[dict]:
    """Per seat: who holds it now, whether and by whom this version was signed."""
    holders = current_seat_holders(site)
    signed = {s.seat: s for s in agreement.signatures.select_related("signed_by")} if agreement else {}
    return [
        {"seat": seat, "label": seat.label, "holder": holders.get(seat), "signature": signed.get(seat)}
        for seat in TRINOME_SEATS
    ]


def content_stamp(agreement: CooperationAgreement) -> str:
    """What a signature signs, as a short digest: each part and each place of cooperation at its version (any
    edit bumps one, an added or removed place changes the set). The sign form carries the stamp of the text
    it showed; a different one at signing means the text changed meanwhile."""
    sections = sorted((section.part, section.version) for section in agreement.sections.all())  # prefetched
    spaces = sorted((space.pk, space.version) for space in agreement.spaces.all())
    return hashlib.sha256(repr((agreement.pk, sections, spaces)).encode()).hexdigest()[:16]


TEXT_CHANGED = (
    "Rien n’a été signé\u00a0: le texte de l’entente a changé depuis l’affichage de la page. "
    "Relisez-le, puis signez de nouveau."
)


def sign(site, user, *, seen_stamp: str | None = None) -> CooperationAgreement:
    """The user signs the draft for their seat; the third seat's signature puts it in force. `seen_stamp`, the
    `content_stamp` of the text the person was shown: a signature is refused if the text changed since (a
    seat signs what it read, not what someone saved a moment before)."""
    with transaction.atomic():
        _lock_site(site)
        draft = draft_of(site)
        if draft is None:
            raise AgreementError("Il n’y a pas de projet d’entente à signer.")
        if seen_stamp is not None and seen_stamp != content_stamp(draft):
            raise AgreementError(TEXT_CHANGED)
        membership = site.memberships.current().seats().filter(user=user).first()
        if membership is None:
            raise AgreementError("Seules les personnes qui occupent un siège du trinôme signent l’entente.")
        missing = missing_parts(draft)
        if missing:
            raise AgreementError(
                "Chaque partie doit être rédigée avant la signature. À compléter : "
                + ", ".join(missing)
                + "."
            )
        if draft.signatures.filter(seat=membership.role).exists():
            raise AgreementError("Votre siège a déjà signé cette version.")
        AgreementSignature.objects.create(agreement=draft, seat=membership.role, signed_by=user)
        journal.record(
            site,
            EventKind.AGREEMENT_SIGNED,
            f"{person_name(user)} signe l’entente de coopération (version {draft.number}) "
            f"pour le siège « {MemberRole(membership.role).label} »",
            actor=user,
            subject=draft,
        )
        holders = current_seat_holders(site)
        signed_by = dict(draft.signatures.values_list("seat", "signed_by"))
        notifications.close(draft, [NotificationKind.AGREEMENT_TO_SIGN], users=[user])
        if all(seat in holders and signed_by.get(seat) == holders[seat].user_id for seat in TRINOME_SEATS):
            _put_in_force(site, draft, user)
        else:
            waiting = [m.user_id for seat, m in holders.items() if signed_by.get(seat) != m.user_id]
            title = f"L’entente de coopération (version {draft.number}) attend votre signature"
            _ask_to_sign(draft, waiting, title, actor=user)
    return draft


def _put_in_force(site, draft, user) -> None:
    for previous in site.agreements.filter(status=AgreementStatus.IN_FORCE):
        previous.status, previous.superseded_at = AgreementStatus.SUPERSEDED, timezone.now()
        previous.save(update_fields=["status", "superseded_at"])
    draft.status = AgreementStatus.IN_FORCE
    draft.in_force_since = timezone.localdate()
    draft.save(update_fields=["status", "in_force_since"])
    journal.record(
        site,
        EventKind.AGREEMENT_SIGNED,
        f"Entente de coopération (version {draft.number}) en vigueur : "
        "signée par les trois sièges du trinôme",
        actor=user,
        subject=draft,
    )
    notifications.close(draft, [NotificationKind.AGREEMENT_TO_SIGN])
    # In force is the three seats' news, the last signer's too.
    notifications.notify(
        NotificationKind.AGREEMENT_SIGNED,
        [m.user_id for m in current_seat_holders(site).values()],
        title=f"L’entente de coopération (version {draft.number}) est signée et en vigueur",
        url=reverse("collectives:agreement_version", args=[site.slug, draft.number]),
        site=site,
        actor=user,
        subject=draft,
        include_actor=True,
    )


def versions(site) -> list[CooperationAgreement]:
    """Every version with its authors (those who changed it) and signatures, in three queries."""
    agreements = list(
        site.agreements.select_related("created_by").prefetch_related(
            "signatures__signed_by", "changes__author"
        )
    )
    for agreement in agreements:
        authors = []
        for change in sorted(agreement.changes.all(), key=lambda c: c.at):
            if change.author is not None and change.author not in authors:
                authors.append(change.author)
        agreement.authors = authors
    return agreements
