"""The facts of a site's progress that collectives owns (`sites.progress`): its trinôme (seats held,
handovers), its cooperation agreement (in force since, open draft) and its sessions (the last one attended,
the coaching minutes booked). Recomputed in one `UPDATE` per group of facts, on every write of their models.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat

from sites import progress

from .enums import TRINOME_SEATS, AgreementStatus, SessionKind
from .models import CooperationAgreement, Membership, Participant, Session, SessionSite


def _count(queryset, field: str = "pk"):
    rows = queryset.order_by().values("site").annotate(n=Count(field)).values("n")
    return Coalesce(Subquery(rows[:1], output_field=IntegerField()), Value(0))


def refresh_trinome(site_ids) -> None:
    seats = Membership.objects.filter(site=OuterRef("site_id"), role__in=TRINOME_SEATS)
    current = seats.filter(ended_on__isnull=True)
    held = [
        Case(When(Exists(current.filter(role=seat)), then=Value(f"{seat.value},")), default=Value(""))
        for seat in TRINOME_SEATS
    ]
    progress.refresh(
        site_ids,
        seats_filled=_count(current, "role"),
        seats_held=Concat(*held, output_field=CharField()),
        handovers=_count(seats.filter(ended_on__isnull=False)),
    )


def refresh_agreement(site_ids) -> None:
    versions = CooperationAgreement.objects.filter(site=OuterRef("site_id")).order_by("-number")
    in_force = versions.filter(status=AgreementStatus.IN_FORCE).values("in_force_since")[:1]
    draft = versions.filter(status=AgreementStatus.DRAFT).values("number")[:1]
    progress.refresh(
        site_ids,
        agreement_in_force_since=Subquery(in_force),
        agreement_draft_number=Subquery(draft),
    )


def refresh_sessions(site_ids) -> None:
    attended = Participant.objects.filter(
        site=OuterRef("site_id"), present=True, session__cancelled_at__isnull=True
    ).order_by("-session__starts_at", "-session_id")
    coaching = (
        SessionSite.objects.filter(
            site=OuterRef("site_id"),
            session__kind=SessionKind.SITE_COACHING,
            session__cancelled_at__isnull=True,
        )
        .order_by()
        .values("site")
        .annotate(total=Sum("session__duration_minutes"))
        .values("total")
    )
    progress.refresh(
        site_ids,
        last_session_at=Subquery(attended.values("session__starts_at")[:1]),
        last_session_id=Subquery(attended.values("session_id")[:1]),
        last_session_title=Coalesce(Subquery(attended.values("session__title")[:1]), Value("")),
        coaching_booked_minutes=Coalesce(Subquery(coaching[:1], output_field=IntegerField()), Value(0)),
    )


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
