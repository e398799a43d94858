"""The facts of a site's progress that collectives owns (`sites.progress`): its trinôme (seats held,
handovers), its cooperation agreement (in force since, open draft) and its sessions (the last one attended,
the coaching minutes booked). Recomputed with grouped queries for any set of sites, on every write of their
models (in the transaction of the write).
"""

from __future__ import annotations

from django.db.models import Sum

from sites import progress

from .enums import TRINOME_SEATS, AgreementStatus, SessionKind
from .models import CooperationAgreement, Membership, Participant, Session, SessionSite

SEATS = [seat.value for seat in TRINOME_SEATS]
NO_TRINOME = {"seats_filled": 0, "seats_held": "", "handovers": 0}
NO_AGREEMENT = {"agreement_in_force_since": None, "agreement_draft_number": None}
NO_SESSION = {
    "last_session_at": None,
    "last_session_id": None,
    "last_session_title": "",
    "coaching_booked_minutes": 0,
}


def refresh_trinome(site_ids) -> None:
    held: dict[int, set] = {}
    handovers: dict[int, int] = {}
    rows = Membership.objects.filter(site__in=list(site_ids), role__in=SEATS).values_list(
        "site_id", "role", "ended_on"
    )
    for site_id, role, ended_on in rows.order_by():
        if ended_on is None:
            held.setdefault(site_id, set()).add(role)
        else:
            handovers[site_id] = handovers.get(site_id, 0) + 1
    facts = {}
    for site_id in held.keys() | handovers.keys():
        seats = held.get(site_id, set())
        facts[site_id] = {
            "seats_filled": len(seats),
            "seats_held": "".join(f"{seat}," for seat in SEATS if seat in seats),
            "handovers": handovers.get(site_id, 0),
        }
    progress.write(site_ids, facts, NO_TRINOME)


def refresh_agreement(site_ids) -> None:
    facts: dict[int, dict] = {}
    rows = (
        CooperationAgreement.objects.filter(
            site__in=list(site_ids), status__in=[AgreementStatus.IN_FORCE, AgreementStatus.DRAFT]
        )
        .order_by("number")  # the latest wins below
        .values_list("site_id", "status", "in_force_since", "number")
    )
    for site_id, status, since, number in rows:
        site = facts.setdefault(site_id, dict(NO_AGREEMENT))
        if status == AgreementStatus.IN_FORCE:
            site["agreement_in_force_since"] = since
        else:
            site["agreement_draft_number"] = number
    progress.write(site_ids, facts, NO_AGREEMENT)


def refresh_sessions(site_ids) -> None:
    ids = list(site_ids)
    facts: dict[int, dict] = {}
    attended = (
        Participant.objects.filter(site__in=ids, present=True, session__cancelled_at__isnull=True)
        .order_by()
        .values_list("site_id", "session__starts_at", "session_id", "session__title")
        .distinct()
    )
    last: dict[int, tuple] = {}
    for site_id, starts_at, session_id, title in attended:
        if site_id not in last or (starts_at, session_id) > last[site_id][:2]:
            last[site_id] = (starts_at, session_id, title)
    for site_id, (starts_at, session_id, title) in last.items():
        facts[site_id] = {
            "last_session_at": starts_at,
            "last_session_id": session_id,
            "last_session_title": title,
        }
    coaching = (
        SessionSite.objects.filter(
            site__in=ids, session__kind=SessionKind.SITE_COACHING, session__cancelled_at__isnull=True
        )
        .order_by()
        .values("site_id")
        .annotate(total=Sum("session__duration_minutes"))
        .values_list("site_id", "total")
    )
    for site_id, total in coaching:
        facts.setdefault(site_id, {})["coaching_booked_minutes"] = total or 0
    progress.write(ids, facts, NO_SESSION)


def refresh(site_ids) -> None:
    refresh_trinome(site_ids)
    refresh_agreement(site_ids)
    refresh_sessions(site_ids)


def _site(instance) -> list:
    return [instance.site_id]


def _session_sites(session) -> list:
    """The sites of a session: linked, or present through one of their members."""
    links = SessionSite.objects.filter(session_id=session.pk).values_list("site_id", flat=True)
    present = Participant.objects.filter(session_id=session.pk).values_list("site_id", flat=True)
    return list({*links, *present})


def connect() -> None:
    progress.register("collectives", refresh)
    progress.on_writes([Membership], _site, refresh_trinome, "trinome")
    progress.on_writes([CooperationAgreement], _site, refresh_agreement, "agreement")
    progress.on_writes([SessionSite, Participant], _site, refresh_sessions, "sessions")
    progress.on_writes([Session], _session_sites, refresh_sessions, "sessions")
