"""Members of a site's collective and the three trinôme seats: who holds what, joins, departures, history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qic import text
from sites import journal, notifications
from sites.enums import EventKind, NotificationKind

from ..enums import TRINOME_SEATS, MemberRole
from ..models import Invitation, Membership


class MembershipError(Exception):
    """A change to the collective that the rules refuse; the message is shown to the user, in French."""


@dataclass
class Seat:
    """One trinôme seat as shown everywhere: its holder, or vacant, and the invitation sent to fill it."""

    role: MemberRole
    holder: Membership | None
    invitation: Invitation | None

    @property
    def label(self) -> str:
        return self.role.label

    @property
    def is_vacant(self) -> bool:
        return self.holder is None


def person_name(user) -> str:
    return user.get_full_name() or user.email


def collective(site) -> dict:
    """Everything the members page shows, in a fixed number of queries."""
    memberships = list(site.memberships.select_related("user").order_by("-started_on", "id"))
    current = [m for m in memberships if m.is_current]
    pending = list(site.invitations.pending().select_related("invited_by"))
    seats = [
        Seat(
            role=seat,
            holder=next((m for m in current if m.role == seat), None),
            invitation=next((i for i in pending if i.role == seat), None),
        )
        for seat in TRINOME_SEATS
    ]
    order = {role: index for index, role in enumerate(MemberRole.values)}
    return {
        "seats": seats,
        "members": sorted(current, key=lambda m: (order[m.role], m.user.last_name, m.user.first_name)),
        "history": sorted(
            (m for m in memberships if not m.is_current),
            key=lambda m: (m.ended_on, m.started_on),
            reverse=True,
        ),
        "pending_invitations": pending,
    }


def seats(site) -> list[Seat]:
    return collective(site)["seats"]


def current_seat_holders(site) -> dict[str, Membership]:
    """The current holder of each trinôme seat (a vacant seat is missing). Unordered: a seat has one current
    holder at most, and the memberships' default order (by the site's name) would join the sites."""
    return {m.role: m for m in site.memberships.current().seats().select_related("user").order_by()}


def trinome_user_ids(site) -> list[int]:
    """The people holding the site's seats now: who is told what concerns the site's trinôme."""
    return list(site.memberships.current().seats().values_list("user_id", flat=True))


def _tell_trinome_of_seat(site, summary: str, *, actor, subject, also=()) -> None:
    notifications.notify(
        NotificationKind.SEAT_CHANGED,
        [*trinome_user_ids(site), *also],
        title=summary,
        url=reverse("collectives:members", args=[site.slug]),
        site=site,
        actor=actor,
        subject=subject,
    )


def end_membership(membership: Membership, *, ended_on: dt.date | None = None, actor=None) -> Membership:
    """End a membership: it stays in the history; a seat becomes vacant."""
    ended_on = ended_on or timezone.localdate()
    if not membership.is_current:
        raise MembershipError("Cette participation est déjà terminée.")
    if ended_on < membership.started_on:
        raise MembershipError(
            f"La date de fin ne peut pas précéder le début ({text.date(membership.started_on)})."
        )
    if ended_on > timezone.localdate():
        raise MembershipError("La date de fin ne peut pas être dans le futur.")
    with transaction.atomic():
        # Locked and saved (not updated in bulk) so that two endings cannot cross and the audit log sees it.
        locked = (
            Membership.objects.select_for_update().filter(pk=membership.pk, ended_on__isnull=True).first()
        )
        if locked is None:
            raise MembershipError("Cette participation vient d’être terminée par quelqu’un d’autre.")
        locked.ended_on = ended_on
        locked.save(update_fields=["ended_on"])
        membership.ended_on = ended_on
        if membership.is_seat:
            from .agreement import withdraw_seat_signature

            withdraw_seat_signature(membership.site, membership.role)
            name, seat = person_name(membership.user), membership.get_role_display()
            summary = f"Fin du mandat de {name} au siège « {seat} »"
            _tell_trinome_of_seat(membership.site, summary, actor=actor, subject=membership)
        else:
            summary = f"{person_name(membership.user)} quitte le collectif ({membership.get_role_display()})"
        journal.record(membership.site, EventKind.MEMBER_LEFT, summary, actor=actor, subject=membership)
    return membership


def join(site, user, role: str, *, organisation: str = "", actor=None, succeeds: Membership | None = None):
    """Start a membership; a person already in the collective in another role changes role (history kept)."""
    with transaction.atomic():
        previous = site.memberships.current().filter(user=user).select_for_update().first()
        if previous is not None:
            if previous.role == role:
                raise MembershipError(f"{person_name(user)} est déjà membre du collectif dans ce rôle.")
            end_membership(previous, actor=actor)
        if role in TRINOME_SEATS and site.memberships.current().filter(role=role).exists():
            raise MembershipError(
                f"Le siège « {MemberRole(role).label} » a été attribué entre-temps à une autre personne."
            )
        membership = Membership.objects.create(
            site=site,
            user=user,
            role=role,
            organisation=organisation or user.organisation,
            started_on=timezone.localdate(),
        )
        label = MemberRole(role).label
        if succeeds is not None:
            summary = f"{person_name(user)} succède à {person_name(succeeds.user)} au siège « {label} »"
            journal.record(site, EventKind.SEAT_HANDOVER, summary, actor=actor or user, subject=membership)
            _tell_trinome_of_seat(site, summary, actor=actor or user, subject=membership)
        else:
            what = f"au siège « {label} » du trinôme" if role in TRINOME_SEATS else f"comme {label.lower()}"
            summary = f"{person_name(user)} rejoint le collectif {what}"
            journal.record(site, EventKind.MEMBER_JOINED, summary, actor=actor or user, subject=membership)
            if role in TRINOME_SEATS:
                _tell_trinome_of_seat(site, summary, actor=actor or user, subject=membership)
    return membership
