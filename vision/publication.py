"""The site's public page (`/quartiers/<slug>/`): the trinôme's decision to publish it, and what it shows.

The decision has the shape of the vision's adoption (`services.approve`): a seat holder proposes (proposing is
agreeing), each other seat holder agrees, and the page is published when the three *current* seat holders
agreed; a vacant seat holds the publication back, as it holds an adoption back (the page speaks in the name of
the three seats). Removing is always allowed at once: any seat holder (or national staff, who answer for what
the platform publishes) withdraws a proposal or unpublishes the page. Every act locks the site's document row
(`services._lock`, the lock of the adoption), so two seats acting at once are served one after the other; the
proposal's number plays the part of the version a person was shown: agreeing to a proposal that has ended
since is refused with a French message. Audit: the rows are site data (`qic.audit`); the journal says it too.

The page shows only what the trinôme adopted or chose to show: the *adopted* vision and strategy (never the
draft), the organisations of the partners who joined the collective, the sessions marked public.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from collectives.enums import TRINOME_SEATS, MemberRole
from collectives.models import Membership, Session
from qic import access, text
from sites import journal
from sites.enums import EventKind

from . import notices, selectors
from .models import Publication, PublicationApproval
from .services import _lock as lock_document  # the adoption's lock: one act on a site's document at a time
from .services import current_seats

PUBLIC_SESSIONS = 10  # the next public sessions shown on the page


class PublicationRefused(ValidationError):
    """An act on the publication that cannot be done (ended proposal, already published…), said in French."""


@dataclass(frozen=True)
class Outcome:
    publication: Publication | None
    message: str


def latest(site) -> Publication | None:
    return Publication.objects.filter(site=site).select_related("ended_by").order_by("-number").first()


def is_published(site) -> bool:
    return Publication.objects.filter(site=site, published_at__isnull=False, ended_at__isnull=True).exists()


def _seat_of(user, seats: dict) -> str:
    seat = next((role for role, m in seats.items() if m.user_id == user.pk), None)
    if seat is None:
        raise PublicationRefused(
            "Vous n’occupez pas (ou plus) de siège du trinôme de ce site : seuls les titulaires actuels des "
            "trois sièges décident de la publication."
        )
    return seat


def _missing(publication: Publication, seats: dict) -> list[str]:
    """The seats whose current holder has not agreed yet (vacant seats included), by label."""
    agreed = set(publication.approvals.values_list("user_id", flat=True))
    return [seat.label for seat in TRINOME_SEATS if seat not in seats or seats[seat].user_id not in agreed]


def _waiting_for(missing: list[str]) -> str:
    return (
        "la publication attend l’accord "
        + text.plural(len(missing), "du siège", "des sièges", with_count=False)
        + " "
        + ", ".join(f"« {label} »" for label in missing)
        + "."
    )


def _publish_if_complete(site, publication: Publication, seats: dict, actor) -> bool:
    if _missing(publication, seats):
        return False
    publication.published_at = timezone.now()
    publication.save(update_fields=["published_at"])
    journal.record(
        site,
        EventKind.PAGE_PUBLISHED,
        "Page publique publiée : les trois sièges du trinôme ont donné leur accord",
        actor=actor,
        at=publication.published_at,
        subject=publication,
    )
    notices.page_published(site, publication, [m.user_id for m in seats.values()], actor=actor)
    return True


def propose(site, user) -> Outcome:
    """A seat holder proposes to publish the page (their agreement is the first)."""
    with transaction.atomic():
        lock_document(site)
        seats = current_seats(site)
        seat = _seat_of(user, seats)
        current = Publication.objects.filter(site=site, ended_at__isnull=True).first()
        if current is not None and current.published_at is not None:
            raise PublicationRefused("La page publique est déjà publiée.")
        if current is not None:
            # Two seats proposing at once: the second proposal is an agreement to the first.
            return _agree(site, current, user, seat, seats)
        last = Publication.objects.filter(site=site).order_by("-number").first()
        publication = Publication.objects.create(
            site=site, number=(last.number if last else 0) + 1, proposed_by=user, proposed_at=timezone.now()
        )
        PublicationApproval.objects.create(publication=publication, user=user, seat=seat)
        if _publish_if_complete(site, publication, seats, user):
            return Outcome(publication, "La page publique est publiée.")
        notices.publication_proposed(
            site, publication, [m.user_id for m in seats.values()], seats[seat], actor=user
        )
        missing = _missing(publication, seats)
    return Outcome(publication, f"Votre proposition est enregistrée : {_waiting_for(missing)}")


def approve(site, user, *, number: int) -> Outcome:
    """A seat holder agrees to the proposal they were shown; the third agreement publishes the page."""
    with transaction.atomic():
        lock_document(site)
        seats = current_seats(site)
        seat = _seat_of(user, seats)
        publication = Publication.objects.filter(site=site, number=number).select_related("ended_by").first()
        if publication is None:
            raise PublicationRefused("Cette proposition de publication n’existe pas.")
        if publication.ended_at is not None:
            when = text.date(publication.ended_at)
            if publication.published_at is not None:
                raise PublicationRefused(
                    f"Cette publication a été retirée le {when} : la page n’est plus publique. Proposez une "
                    "nouvelle publication si le trinôme le souhaite."
                )
            raise PublicationRefused(
                f"Cette proposition a été retirée le {when} : rien n’est publié. Proposez une nouvelle "
                "publication si le trinôme le souhaite."
            )
        if publication.published_at is not None:
            return Outcome(publication, "La page publique est déjà publiée.")
        return _agree(site, publication, user, seat, seats)


def _agree(site, publication: Publication, user, seat: str, seats: dict) -> Outcome:
    _, created = PublicationApproval.objects.get_or_create(
        publication=publication, user=user, defaults={"seat": seat}
    )
    notices.publication_agreed(publication, user)
    if _publish_if_complete(site, publication, seats, user):
        return Outcome(
            publication, "La page publique est publiée : les trois sièges du trinôme ont donné leur accord."
        )
    missing = _missing(publication, seats)
    if not created:
        return Outcome(publication, f"Votre accord était déjà enregistré ; {_waiting_for(missing)}")
    return Outcome(publication, f"Votre accord est enregistré ; {_waiting_for(missing)}")


def unpublish(site, user) -> Outcome:
    """Withdraw the proposal or unpublish the page, at once (always allowed to those who may)."""
    with transaction.atomic():
        lock_document(site)
        publication = Publication.objects.filter(site=site, ended_at__isnull=True).first()
        if publication is None:
            return Outcome(latest(site), "La page publique n’est pas publiée : il n’y a rien à retirer.")
        publication.ended_at, publication.ended_by = timezone.now(), user
        publication.save(update_fields=["ended_at", "ended_by"])
        was_published = publication.published_at is not None
        seat_ids = [m.user_id for m in current_seats(site).values()]
        if was_published:
            journal.record(
                site,
                EventKind.PAGE_UNPUBLISHED,
                "Page publique retirée : elle n’est plus visible sans connexion",
                actor=user,
                at=publication.ended_at,
                subject=publication,
            )
        notices.publication_ended(site, publication, seat_ids, was_published=was_published, actor=user)
    if was_published:
        return Outcome(publication, "La page publique est retirée : elle n’est plus visible sans connexion.")
    return Outcome(publication, "La proposition de publication est retirée : rien n’est publié.")


# The panel of the site page --------------------------------------------------------------------------------


def panel(site, site_access) -> dict:
    """The publication's state for the site page: everyone who reads the site sees it, seat holders act. One
    query, three while a proposal awaits agreements (the seats and their agreements are shown then only)."""
    publication = latest(site)
    if publication is None or (publication.ended_at is not None and publication.published_at is None):
        state = "none"
    elif publication.ended_at is not None:
        state = "unpublished"
    elif publication.published_at is not None:
        state = "published"
    else:
        state = "pending"
    rows, agreed = [], {}
    if state == "pending":
        seats = current_seats(site)
        agreed = {a.user_id: a for a in publication.approvals.all()}
        for seat in TRINOME_SEATS:
            holder = seats.get(seat)
            approval = agreed.get(holder.user_id) if holder else None
            rows.append({"label": seat.label, "holder": holder, "approval": approval})
    mine = site_access.membership if site_access.is_seat_holder else None
    return {
        "publication": publication,
        "publication_state": state,
        "seat_rows": rows,
        "can_propose": mine is not None and state in ("none", "unpublished"),
        "can_agree": mine is not None and state == "pending" and mine.user_id not in agreed,
        "can_unpublish": site_access.can_unpublish_page and state in ("pending", "published"),
        "public_url": settings.SITE_URL.rstrip("/") + reverse("public:site", kwargs={"slug": site.slug}),
    }


# The public page ------------------------------------------------------------------------------------------


def partner_organisations(site) -> list[str]:
    """The partners who joined: the organisations named by the collective's current partners (people who
    accepted an invitation as partner and are still members), never the people themselves."""
    names = (
        Membership.objects.current()
        .filter(site=site, role=MemberRole.PARTNER)
        .exclude(organisation="")
        .values_list("organisation", flat=True)
        .distinct()
    )
    return sorted({" ".join(name.split()) for name in names}, key=text.normalise)


def public_sessions(site, *, now=None) -> list:
    """The site's next sessions marked public (date, place and title only are read)."""
    return list(
        Session.objects.active()
        .filter(session_sites__site=site, is_public=True, ends_at__gte=now or timezone.now())
        .only("title", "starts_at", "ends_at", "place")
        .order_by("starts_at", "id")[:PUBLIC_SESSIONS]
    )


def page(site) -> dict:
    """What the public page shows, all of it adopted or chosen for showing."""
    vision, strategy = selectors.adopted(site)
    return {
        "vision": vision,
        "strategy": strategy,
        "svg": strategy.svg(title=f"Stratégie de changement adoptée — {site.name}") if strategy else "",
        "partners": partner_organisations(site),
        "sessions": public_sessions(site),
    }


def published_sites():
    return access.published_sites().select_related("department__region").order_by("name")


__all__ = [
    "Outcome",
    "PublicationRefused",
    "approve",
    "is_published",
    "latest",
    "page",
    "panel",
    "partner_organisations",
    "propose",
    "public_sessions",
    "published_sites",
    "unpublish",
]
