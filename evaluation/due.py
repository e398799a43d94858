"""What is due on each site: the next self-assessment, overdue measurements, a cycle left open, an unsigned
agreement, a vacant seat of the trinôme.

`due_by_site(sites)` reads it for any number of sites with a fixed number of queries (the site page, the list
of a CRPV's or the national team's sites, the weekly digest).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from collectives.enums import TRINOME_SEATS
from qic import text
from sites.enums import SiteStatus
from sites.models import SiteProgress

from .assessments import INTERVAL_MONTHS
from .models import EvaluationCycle, Indicator
from .services import add_months, next_measurement_due

# Sites that have started working: only they are expected to assess themselves, measure and sign.
WORKING = (SiteStatus.IN_TRAINING, SiteStatus.ACTIVE)


@dataclass(frozen=True)
class DueItem:
    kind: str  # "self_assessment", "measurement", "cycle", "agreement", "seat"
    text: str
    url: str
    on: dt.date | None = None  # when it was (or is) due
    overdue: bool = True

    @property
    def badge(self) -> str:
        return "warning" if self.overdue else "info"


def due_by_site(
    sites: QuerySet, *, today: dt.date | None = None, soon_days: int = 30
) -> dict[int, list[DueItem]]:
    """Each working site's due items, overdue first; items due within `soon_days` are listed as upcoming.

    Three queries whatever the number of sites: the sites with their stored progress facts (last
    self-assessment, agreement in force, seats held), their indicators, their open cycles.
    """
    rows = list(
        sites.filter(status__in=WORKING)
        .order_by()
        .values_list(
            "pk",
            "slug",
            "progress__last_assessed_on",
            "progress__agreement_in_force_since",
            "progress__seats_held",
        )
    )
    return _due(rows, today=today, soon_days=soon_days)


def _due(rows: list[tuple], *, today: dt.date | None, soon_days: int) -> dict[int, list[DueItem]]:
    """The due items of these sites, from their progress facts as (pk, slug, last self-assessment, agreement
    in force since, seats held): two queries (their indicators, their open cycles)."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=soon_days)
    ids = [pk for pk, *_ in rows]
    result: dict[int, list[DueItem]] = {pk: [] for pk in ids}
    slugs = {pk: slug for pk, slug, *_ in rows}
    held = {pk: SiteProgress.parse_seats(seats) for pk, *_, seats in rows}

    for pk, slug, last_assessed_on, agreement_since, _seats in rows:
        url = reverse("evaluation:assessments", args=[slug])
        if last_assessed_on is None:
            result[pk].append(DueItem("self_assessment", "Première auto-évaluation à faire", url))
        else:
            next_on = add_months(last_assessed_on, INTERVAL_MONTHS)
            if next_on <= soon:
                label = f"Auto-évaluation à faire (la dernière date du {text.date(last_assessed_on)})"
                result[pk].append(DueItem("self_assessment", label, url, next_on, next_on <= today))
        if agreement_since is None:
            url = reverse("collectives:agreement", args=[slug])
            result[pk].append(DueItem("agreement", "Entente de coopération pas encore signée", url))

    indicators = (
        Indicator.objects.filter(site__in=ids)
        .annotate(last_measured_on=Max("measurements__measured_on"))
        .only("pk", "site_id", "name", "baseline_on", "frequency")
    )
    for indicator in indicators:
        next_on = next_measurement_due(indicator, indicator.last_measured_on)
        if next_on <= soon:
            url = (
                reverse("evaluation:indicators", args=[slugs[indicator.site_id]])
                + f"#indicateur-{indicator.pk}"
            )
            label = f"Mesure de l’indicateur « {indicator.name} »"
            result[indicator.site_id].append(DueItem("measurement", label, url, next_on, next_on <= today))

    cycles = EvaluationCycle.objects.filter(site__in=ids, closed_at__isnull=True, ends_on__lt=today).only(
        "pk", "site_id", "title", "ends_on"
    )
    for cycle in cycles:
        url = reverse("evaluation:cycle_detail", args=[slugs[cycle.site_id], cycle.pk])
        label = f"Cycle d’évaluation « {cycle.title} » à clore"
        result[cycle.site_id].append(DueItem("cycle", label, url, cycle.ends_on))

    for pk in ids:
        for seat in TRINOME_SEATS:
            if seat.value not in held[pk]:
                url = reverse("collectives:members", args=[slugs[pk]])
                result[pk].append(DueItem("seat", f"Siège à pourvoir : {seat.label.lower()}", url))

    for items in result.values():
        items.sort(key=lambda item: (not item.overdue, item.on or dt.date.min))
    return result


def due_for_site(
    site, *, facts: SiteProgress | None = None, today: dt.date | None = None, soon_days: int = 30
) -> list[DueItem]:
    """One site's due items. `facts`: its progress row, when the caller read it with the site (the site
    page's `request.site`): two queries; without it, the site's status and facts are read too (three)."""
    if facts is None:
        return due_by_site(type(site).objects.filter(pk=site.pk), today=today, soon_days=soon_days).get(
            site.pk, []
        )
    if site.status not in WORKING:
        return []
    rows = [(site.pk, site.slug, facts.last_assessed_on, facts.agreement_in_force_since, facts.seats_held)]
    return _due(rows, today=today, soon_days=soon_days)[site.pk]
