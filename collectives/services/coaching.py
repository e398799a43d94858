"""Coaching hours: every site-coaching session counts its duration against the site's budget (its wave's
hours per site unless the site has its own), per site and per CRPV; overbooking needs a reason.

"Used" hours are those of coaching sessions that have started; "planned" ones are still to come. Both count
against the budget when a new session is booked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from qic import text
from sites import journal
from sites.enums import EventKind
from sites.models import ResourceCentre, Site, SiteEvent

from ..enums import SessionKind
from ..models import Session, SessionSite

SIXTY = Decimal(60)


def hours(value) -> str:
    """Minutes or hours as French hours: Decimal("2.5") → "2,5"; 10.0 → "10" (`qic.text.number`)."""
    return text.number(Decimal(value), decimals=1)


def to_hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / SIXTY).quantize(Decimal("0.1"))


def _coaching_links(now, *, held: bool):
    links = SessionSite.objects.filter(
        site=OuterRef("pk"), session__kind=SessionKind.SITE_COACHING, session__cancelled_at__isnull=True
    )
    links = links.filter(session__starts_at__lte=now) if held else links.filter(session__starts_at__gt=now)
    total = links.order_by().values("site").annotate(total=Sum("session__duration_minutes")).values("total")
    return Coalesce(Subquery(total[:1], output_field=IntegerField()), Value(0))


def minutes_by_site(booked: dict[int, int], now=None) -> dict[int, tuple[int, int]]:
    """(used, planned) coaching minutes of a page of sites, given their booked minutes (the read model's
    `coaching_booked_minutes`, kept by the session services in the write's transaction).

    Only the sessions still to come are looked up (one query, from the index on the sessions' start): what
    is held depends on the hour, not on a write, so it cannot be stored; held = booked - still to come. Two
    lookups of every linked session before (1.8 + 1.3 ms for a page of 50 sites, 9,645 links)."""
    now = now or timezone.now()
    # A site with nothing booked has nothing to come: only the others are looked up (none: no query).
    booking = [site_id for site_id, total in booked.items() if total]
    planned = (
        dict(
            SessionSite.objects.filter(
                site__in=booking,
                session__kind=SessionKind.SITE_COACHING,
                session__cancelled_at__isnull=True,
                session__starts_at__gt=now,
            )
            .order_by()
            .values("site_id")
            .annotate(total=Sum("session__duration_minutes"))
            .values_list("site_id", "total")
        )
        if booking
        else {}
    )
    return {
        site_id: (max(total - planned.get(site_id, 0), 0), planned.get(site_id, 0))
        for site_id, total in booked.items()
    }


def held_minutes_grouped(*fields: str, now=None) -> list[tuple]:
    """Coaching minutes held so far, summed by these fields of the sites (e.g. "wave_id"): one grouped query
    for any number of sites (the open data's coaching hours by wave and region)."""
    now = now or timezone.now()
    return list(
        SessionSite.objects.filter(
            session__kind=SessionKind.SITE_COACHING,
            session__cancelled_at__isnull=True,
            session__starts_at__lte=now,
        )
        .order_by()
        .values_list(*(f"site__{name}" for name in fields))
        .annotate(minutes=Sum("session__duration_minutes"))
    )


def annotate_minutes(queryset: QuerySet, now=None) -> QuerySet:
    """`coaching_used_minutes` and `coaching_planned_minutes` on sites (two subqueries, one query)."""
    now = now or timezone.now()
    return queryset.annotate(
        coaching_used_minutes=_coaching_links(now, held=True),
        coaching_planned_minutes=_coaching_links(now, held=False),
    )


@dataclass
class Balance:
    """A site's coaching hours: budget, used, planned, left; over budget when used + planned exceed it."""

    site: Site
    budget: Decimal
    used_minutes: int
    planned_minutes: int

    @property
    def used(self) -> Decimal:
        return to_hours(self.used_minutes)

    @property
    def planned(self) -> Decimal:
        return to_hours(self.planned_minutes)

    @property
    def booked(self) -> Decimal:
        return to_hours(self.used_minutes + self.planned_minutes)

    @property
    def left(self) -> Decimal:
        return self.budget - self.booked

    @property
    def over_budget(self) -> bool:
        return self.booked > self.budget

    @property
    def overrun(self) -> Decimal:
        return max(Decimal(0), self.booked - self.budget)

    @property
    def percent_used(self) -> int:
        """Share of the budget booked (used + planned), capped at 100, for the gauge."""
        if not self.budget:
            return 100 if self.used_minutes + self.planned_minutes else 0
        return min(100, round(100 * self.booked / self.budget))

    @property
    def gauge_step(self) -> int:
        """The gauge's width in steps of 5 % (CSS classes, no inline style)."""
        return min(20, round(self.percent_used / 5))


def balance_of(site: Site) -> Balance:
    """The balance of a site annotated by `annotate_minutes` (or of any site, at the cost of one query)."""
    if hasattr(site, "coaching_used_minutes"):
        return Balance(site, site.coaching_budget, site.coaching_used_minutes, site.coaching_planned_minutes)
    return balance_and_next(site)[0]


def balance_and_next(site: Site, now=None) -> tuple[Balance, Session | None]:
    """The site's coaching balance and its next session (of any kind, not cancelled, not over), from one read
    of its sessions that are either coaching (to sum) or still to come: the site page's sessions card."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(session_sites__site=site, cancelled_at__isnull=True)
        .filter(Q(kind=SessionKind.SITE_COACHING) | Q(ends_at__gte=now))
        .only("pk", "kind", "title", "starts_at", "ends_at", "duration_minutes")
        .order_by("starts_at", "id")
    )
    used = planned = 0
    upcoming = None
    for session in sessions:
        if session.kind == SessionKind.SITE_COACHING:
            if session.starts_at <= now:
                used += session.duration_minutes
            else:
                planned += session.duration_minutes
        if upcoming is None and session.ends_at >= now:
            upcoming = session
    return Balance(site, site.coaching_budget, used, planned), upcoming


def coaching_sessions(site) -> QuerySet:
    return (
        Session.objects.coaching()
        .without_texts()
        .filter(session_sites__site=site)
        .prefetch_related("facilitators")
        .order_by("-starts_at", "-id")
    )


@dataclass
class BudgetCheck:
    budget: Decimal
    total_after: Decimal

    @property
    def over_budget(self) -> bool:
        return self.total_after > self.budget


def check_budget(site: Site, minutes: int, *, exclude: Session | None = None) -> BudgetCheck:
    """What the site's booked coaching would be with a session of `minutes` (replacing `exclude`)."""
    sessions = Session.objects.coaching().active().filter(session_sites__site=site)
    if exclude is not None and exclude.pk:
        sessions = sessions.exclude(pk=exclude.pk)
    booked = sessions.aggregate(total=Sum("duration_minutes"))["total"] or 0
    site = Site.objects.select_related("wave").get(pk=site.pk)
    return BudgetCheck(budget=site.coaching_budget, total_after=to_hours(booked + minutes))


def lock_site(site: Site) -> None:
    """Serialise budget checks of one site (PostgreSQL row lock; SQLite serialises writers anyway)."""
    list(Site.objects.select_for_update().filter(pk=site.pk).values_list("pk", flat=True))


def record_if_held(session: Session, now=None) -> bool:
    """Write a site's "coaching" journal entry once a coaching session has taken place (idempotent)."""
    now = now or timezone.now()
    if session.kind != SessionKind.SITE_COACHING or session.is_cancelled or session.starts_at > now:
        return False
    subject = f"{session._meta.label_lower}:{session.pk}"
    written = False
    for site in session.sites.select_related("wave"):
        if SiteEvent.objects.filter(site=site, kind=EventKind.COACHING, subject=subject).exists():
            continue
        balance = balance_of(site)
        summary = (
            f"Accompagnement de {hours(session.duration_hours)} h : « {session.title} » "
            f"({hours(balance.used)} h utilisées sur {hours(balance.budget)} h)"
        )
        journal.record(
            site, EventKind.COACHING, summary, actor=session.created_by, at=session.starts_at, subject=session
        )
        written = True
    return written


def record_held(now=None) -> int:
    """Journal entries of coaching sessions that took place since they were planned (run by Celery beat)."""
    now = now or timezone.now()
    recorded = 0
    recent = (
        Session.objects.coaching()
        .active()
        .without_texts()
        .filter(starts_at__lte=now, starts_at__gte=now - dt.timedelta(days=30))
    )
    for session in recent:
        recorded += record_if_held(session, now)
    return recorded


# --- Overview per CRPV --------------------------------------------------------------------------------------


@dataclass
class CentreTotals:
    centre: ResourceCentre | None
    balances: list

    @property
    def budget(self) -> Decimal:
        return sum((b.budget for b in self.balances), Decimal(0))

    @property
    def used(self) -> Decimal:
        return sum((b.used for b in self.balances), Decimal(0))

    @property
    def planned(self) -> Decimal:
        return sum((b.planned for b in self.balances), Decimal(0))

    @property
    def left(self) -> Decimal:
        return self.budget - self.used - self.planned

    @property
    def over_budget_count(self) -> int:
        return sum(1 for b in self.balances if b.over_budget)


def overview(sites: QuerySet, now=None) -> list[CentreTotals]:
    """The sites' balances grouped by the CRPV covering their region (three queries whatever the count)."""
    rows = list(annotate_minutes(sites.select_related("wave", "department__region"), now).order_by("name"))
    centres = list(ResourceCentre.objects.prefetch_related("regions").order_by("name"))
    by_region = {}
    for centre in centres:
        for region in centre.regions.all():
            by_region.setdefault(region.pk, centre)
    groups: dict[int | None, CentreTotals] = {}
    for site in rows:
        centre = by_region.get(site.department.region_id)
        key = centre.pk if centre else None
        groups.setdefault(key, CentreTotals(centre, [])).balances.append(balance_of(site))
    return sorted(groups.values(), key=lambda g: (g.centre is None, g.centre.name if g.centre else ""))
