"""Roll-ups of the dashboard: totals by wave and by region, the mobilisation funnel, the alerts' counts.

The totals by wave, by region, the funnel and the alert counts are summed in Python from one grouped query
(`grouped`); the alerts' examples are three short lists. Whatever the number of sites.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, QuerySet, When

from collectives.enums import TRINOME_SEATS
from qic import aggregates
from sites.enums import FUNNEL_STAGES, SiteStatus
from sites.models import Wave

from . import alerts

STATUSES = list(SiteStatus)
ALERT_KEYS = [key for key, _ in alerts.CHOICES]


CONTINUUM_LEVELS = range(1, 8)  # the cooperation continuum (evaluation.enums.ContinuumLevel)


def _empty_row(key, label) -> dict:
    return {
        "key": key,
        "label": label,
        "total": 0,
        "trinome_complete": 0,
        "by_status": defaultdict(int),
        "by_continuum": defaultdict(int),
    }


def _finish(row: dict) -> dict:
    row["by_status"] = {status.value: row["by_status"][status.value] for status in STATUSES}
    row["statuses"] = [row["by_status"][status.value] for status in STATUSES]
    by_continuum = row.pop("by_continuum")
    row.update(_continuum([by_continuum[level] for level in CONTINUUM_LEVELS]))
    return row


def _continuum(counts: list[int]) -> dict:
    """Latest positions of a group's sites on the continuum: distribution, sites placed, average."""
    placed = sum(counts)
    weighted = sum(level * n for level, n in zip(CONTINUUM_LEVELS, counts, strict=True))
    return {
        "continuum": counts,
        "continuum_placed": placed,
        "continuum_average": round(weighted / placed, 1) if placed else None,
    }


@dataclass
class Totals:
    by_wave: list[dict]
    by_region: list[dict]
    overall: dict
    alert_counts: dict
    vision_due_by_wave: dict = field(default_factory=dict)  # {Wave: sites past the deadline without a vision}


def grouped(queryset: QuerySet) -> list[tuple]:
    """The sites grouped by wave, region, status, position on the cooperation continuum and furthest funnel
    stage, with each group's count of complete trinômes, silent sites and sites without an adopted vision: a
    few hundred rows at most, whatever the number of sites. Every total, the funnel and the alerts' counts are
    summed from them (`totals_of`, `funnel_of`)."""
    complete = Case(When(progress__seats_filled__gte=len(TRINOME_SEATS), then=1), default=0)
    stalled = Case(When(alerts.silence(), then=1), default=0)
    without_vision = Case(When(alerts.vision_adopted(), then=0), default=1)
    return list(
        queryset.order_by()
        .values_list(
            "wave_id",
            "department__region_id",
            "status",
            "progress__continuum_level",
            "progress__funnel_stage",
        )
        .annotate(  # integers as the database gives them (`qic.aggregates`): 518 rows on 2,000 sites
            n=aggregates.Count("pk"),
            n_complete=aggregates.Sum(complete),
            n_stalled=aggregates.Sum(stalled),
            n_without_vision=aggregates.Sum(without_vision),
        )
    )


def totals(queryset: QuerySet, waves: list[Wave], regions: dict[int, str]) -> Totals:
    """Sites by wave and by region (statuses, complete trinômes) and the alerts' counts, from one query."""
    return totals_of(grouped(queryset), waves, regions)


def totals_of(rows: list[tuple], waves: list[Wave], regions: dict[int, str]) -> Totals:
    wave_by_id = {wave.pk: wave for wave in waves}
    vision_cutoff = alerts.vision_cutoff()
    rows_by_wave, rows_by_region, alert_counts = {}, {}, dict.fromkeys(ALERT_KEYS, 0)
    vision_due_by_wave: dict[Wave, int] = {}
    for wave_id, region_id, status, level, _stage, n, n_complete, n_stalled, n_without_vision in rows:
        wave, region_name = wave_by_id[wave_id], regions.get(region_id, "?")
        for by, key, label in (
            (rows_by_wave, wave.number, wave.name),
            (rows_by_region, region_name, region_name),
        ):
            row = by.get(key)
            if row is None:
                row = by[key] = _empty_row(key, label)
            row["by_status"][status] += n
            if level:
                row["by_continuum"][level] += n
            row["total"] += n
            row["trinome_complete"] += n_complete
        if status in alerts.ONGOING:
            alert_counts[alerts.STALLED] += n_stalled
        if status in alerts.WITH_TRINOME:
            alert_counts[alerts.VACANT_SEAT] += n - n_complete
        started = wave.training_starts_on
        if status in alerts.TRAINED and started is not None and started <= vision_cutoff:
            # Past the deadline without an adopted vision (`alerts.condition`, as the table filters).
            due = n_without_vision if alerts.VISION_TRACKED else n
            alert_counts[alerts.VISION_DUE] += due
            vision_due_by_wave[wave] = vision_due_by_wave.get(wave, 0) + due
    by_wave = [_finish(rows_by_wave[number]) for number in sorted(rows_by_wave)]
    by_region = sorted((_finish(r) for r in rows_by_region.values()), key=lambda r: (-r["total"], r["label"]))
    return Totals(by_wave, by_region, overall(by_wave), alert_counts, vision_due_by_wave)


def overall(rows: list[dict]) -> dict:
    total = sum(row["total"] for row in rows)
    by_status = {status.value: sum(row["by_status"][status.value] for row in rows) for status in STATUSES}
    return {
        "total": total,
        "trinome_complete": sum(row["trinome_complete"] for row in rows),
        "by_status": by_status,
        "statuses": [by_status[status.value] for status in STATUSES],
        "engaged": by_status[SiteStatus.IN_TRAINING] + by_status[SiteStatus.ACTIVE],
        **_continuum([sum(row["continuum"][i] for row in rows) for i in range(len(CONTINUUM_LEVELS))]),
    }


@dataclass
class FunnelStage:
    status: str
    label: str
    reached: int  # sites that got at least this far, whatever they became since
    current: int  # sites at this stage today
    share: int  # percentage of the first stage
    conversion: int | None  # percentage of the previous stage


def funnel(queryset: QuerySet, wave: Wave | None) -> dict | None:
    """The mobilisation funnel of one wave: interested → registering → in training → active."""
    if wave is None:
        return None
    return funnel_of(grouped(queryset.filter(wave=wave)), wave)


def funnel_of(rows: list[tuple], wave: Wave | None) -> dict | None:
    """The funnel of one wave, from `grouped` rows (those of other waves are left out)."""
    if wave is None:
        return None
    furthest, now = [0] * len(FUNNEL_STAGES), dict.fromkeys(SiteStatus.values, 0)
    for wave_id, _region, status, _level, stage, n, *_counts in rows:
        if wave_id == wave.pk:
            furthest[stage or 0] += n
            now[status] += n
    reached = [sum(furthest[index:]) for index in range(len(FUNNEL_STAGES))]
    stages = []
    for index, status in enumerate(FUNNEL_STAGES):
        previous = reached[index - 1] if index else None
        stages.append(
            FunnelStage(
                status=status.value,
                label=status.label,
                reached=reached[index],
                current=now[status.value],
                share=round(100 * reached[index] / reached[0]) if reached[0] else 0,
                conversion=round(100 * reached[index] / previous) if previous else None,
            )
        )
    return {
        "wave": wave,
        "stages": stages,
        "paused": now[SiteStatus.PAUSED],
        "withdrawn": now[SiteStatus.WITHDRAWN],
    }


def _first_waves(due_by_wave: dict, examples: int) -> list[int] | None:
    """The waves that hold the first `examples` sites whose vision is due, in order of training start (with
    any wave that started the same day as the last one needed): the examples are looked for there only,
    instead of sorting every due site of the programme."""
    ordered = sorted((wave for wave, n in due_by_wave.items() if n), key=lambda wave: wave.training_starts_on)
    if not ordered:
        return None  # nothing due: the plain query finds nothing (and the page makes the same queries)
    counted = 0
    for wave in ordered:
        counted += due_by_wave[wave]
        if counted >= examples:
            return [other.pk for other in ordered if other.training_starts_on <= wave.training_starts_on]
    return [wave.pk for wave in ordered]


def alert_summary(
    queryset: QuerySet, counts: dict, examples: int = 5, *, vision_due_by_wave: dict | None = None
) -> list[alerts.Alert]:
    """How many sites each alert concerns, and the first few of them (the longest silent first). An alert
    that concerns no site (its count, from the same rows as the totals) costs no query."""
    vision_due = queryset.filter(alerts.condition(alerts.VISION_DUE))
    waves = _first_waves(vision_due_by_wave or {}, examples)
    if waves is not None:
        vision_due = vision_due.filter(wave__in=waves)

    def first(key: str, sites: QuerySet) -> list:
        return list(sites[:examples]) if counts[key] else []

    stalled = first(
        alerts.STALLED,
        queryset.filter(alerts.condition(alerts.STALLED))
        .order_by("last_activity_at", "pk")  # never active first (NULL), then the longest silent
        .only("name", "slug", "last_activity_at", "created_at"),
    )
    vacant = first(
        alerts.VACANT_SEAT,
        queryset.filter(alerts.condition(alerts.VACANT_SEAT)).order_by("name", "pk").only("name", "slug"),
    )
    vision_due = first(
        alerts.VISION_DUE,
        vision_due.order_by("wave__training_starts_on", "name", "pk")
        .select_related(None)
        .only("name", "slug"),
    )
    days, months = settings.QIC_STALL_DAYS, settings.QIC_VISION_DUE_MONTHS
    return [
        alerts.Alert(
            alerts.STALLED,
            "Sans activité récente",
            f"Aucun événement au journal depuis plus de {days} jours.",
            counts[alerts.STALLED],
            stalled,
        ),
        alerts.Alert(
            alerts.VACANT_SEAT,
            "Siège du trinôme vacant",
            "Site en inscription, en formation ou actif dont un siège au moins est vacant.",
            counts[alerts.VACANT_SEAT],
            vacant,
        ),
        alerts.Alert(
            alerts.VISION_DUE,
            "Vision attendue",
            f"Formation commencée depuis plus de {months} mois, sans vision adoptée par le trinôme.",
            counts[alerts.VISION_DUE],
            vision_due,
            tracked=alerts.VISION_TRACKED,
        ),
    ]
