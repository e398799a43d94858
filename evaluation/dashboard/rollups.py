"""Roll-ups of the dashboard: totals by wave and by region, the mobilisation funnel, the alerts' counts.

The totals by wave, by region, the funnel and the alert counts are summed in Python from one grouped query
(`grouped`); the alerts' examples are three short lists. Whatever the number of sites.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, F, QuerySet, Sum, When

from collectives.enums import TRINOME_SEATS
from sites.enums import FUNNEL_STAGES, SiteStatus
from sites.models import Wave

from . import alerts

STATUSES = list(SiteStatus)
ALERT_KEYS = [key for key, _ in alerts.CHOICES]


ALL_WAVES = None  # `grouped(..., funnel_waves=ALL_WAVES)`: every wave's funnel stages


def _empty_row(key, label) -> dict:
    return {
        "key": key,
        "label": label,
        "total": 0,
        "trinome_complete": 0,
        "by_status": defaultdict(int),
        "continuum_placed": 0,
        "continuum_sum": 0,
    }


def _finish(row: dict) -> dict:
    row["by_status"] = {status.value: row["by_status"][status.value] for status in STATUSES}
    row["statuses"] = [row["by_status"][status.value] for status in STATUSES]
    row.update(_continuum(row["continuum_placed"], row.pop("continuum_sum")))
    return row


def _continuum(placed: int, levels: int) -> dict:
    """A group's sites placed on the cooperation continuum (their latest position) and their average level."""
    return {"continuum_placed": placed, "continuum_average": round(levels / placed, 1) if placed else None}


@dataclass
class Totals:
    by_wave: list[dict]
    by_region: list[dict]
    overall: dict
    alert_counts: dict
    vision_due_by_wave: dict = field(default_factory=dict)  # {Wave: sites past the deadline without a vision}


def grouped(queryset: QuerySet, *, funnel_waves: Collection[int] | None = ALL_WAVES) -> list[tuple]:
    """The sites grouped by wave, department (with its region), status and, for the sites of
    `funnel_waves` (every wave by default), the furthest funnel stage; with each group's count of complete
    trinômes, silent sites, sites without an adopted vision, and its sites placed on the cooperation
    continuum with the sum of their levels. Every total, the funnel, the alerts' counts and the map of
    France are summed from these rows (`totals_of`, `funnel_of`, `department_rows`): a few hundred rows
    whatever the number of sites, one query for the whole screen.

    Row: (wave_id, department code, region code, status, stage, sites, complete, stalled, without vision,
    placed, levels' sum)."""
    complete = Case(When(progress__seats_filled__gte=len(TRINOME_SEATS), then=1), default=0)
    stalled = Case(When(alerts.silence(), then=1), default=0)
    without_vision = Case(When(alerts.vision_adopted(), then=0), default=1)
    if funnel_waves is ALL_WAVES:
        stage = F("progress__funnel_stage")
    else:  # the other waves' sites are not split by stage: fewer groups
        stage = Case(When(wave_id__in=list(funnel_waves), then=F("progress__funnel_stage")))
    return list(
        queryset.order_by()
        .annotate(stage=stage)
        .values_list("wave_id", "department__code", "department__region__code", "status", "stage")
        .annotate(
            n=Count("pk"),
            n_complete=Sum(complete),
            n_stalled=Sum(stalled),
            n_without_vision=Sum(without_vision),
            n_placed=Count("progress__continuum_level"),
            level_sum=Sum("progress__continuum_level"),
        )
    )


def department_rows(rows: list[tuple], waves: list[Wave]) -> list[tuple[str, str, int, int]]:
    """The map's rows (`sites.geography.site_map`) from `grouped` rows: (department code, status, wave
    number, sites), sorted."""
    number = {wave.pk: wave.number for wave in waves}
    counts: dict[tuple, int] = defaultdict(int)
    for wave_id, code, _region, status, _stage, n, *_counts in rows:
        counts[code, status, number[wave_id]] += n
    return sorted((*key, n) for key, n in counts.items())


def totals(queryset: QuerySet, waves: list[Wave], regions: dict[str, str]) -> Totals:
    """Sites by wave and by region (statuses, complete trinômes) and the alerts' counts, from one query."""
    return totals_of(grouped(queryset, funnel_waves=()), waves, regions)


def totals_of(rows: list[tuple], waves: list[Wave], regions: dict[str, str]) -> Totals:
    """`regions`: each region's name by its code."""
    wave_by_id = {wave.pk: wave for wave in waves}
    vision_cutoff = alerts.vision_cutoff()
    rows_by_wave, rows_by_region, alert_counts = {}, {}, dict.fromkeys(ALERT_KEYS, 0)
    vision_due_by_wave: dict[Wave, int] = {}
    for wave_id, _code, region, status, _stage, n, n_complete, n_stalled, no_vision, *continuum in rows:
        placed, levels = continuum
        wave, region_name = wave_by_id[wave_id], regions.get(region, "?")
        for by, key, label in (
            (rows_by_wave, wave.number, wave.name),
            (rows_by_region, region_name, region_name),
        ):
            group = by.get(key)
            if group is None:
                group = by[key] = _empty_row(key, label)
            group["by_status"][status] += n
            group["continuum_placed"] += placed
            group["continuum_sum"] += levels or 0
            group["total"] += n
            group["trinome_complete"] += n_complete
        if status in alerts.ONGOING:
            alert_counts[alerts.STALLED] += n_stalled
        if status in alerts.WITH_TRINOME:
            alert_counts[alerts.VACANT_SEAT] += n - n_complete
        started = wave.training_starts_on
        if status in alerts.TRAINED and started is not None and started <= vision_cutoff:
            # Past the deadline without an adopted vision (`alerts.condition`, as the table filters).
            due = no_vision if alerts.VISION_TRACKED else n
            alert_counts[alerts.VISION_DUE] += due
            vision_due_by_wave[wave] = vision_due_by_wave.get(wave, 0) + due
    levels = sum(row["continuum_sum"] for row in rows_by_wave.values())
    by_wave = [_finish(rows_by_wave[number]) for number in sorted(rows_by_wave)]
    by_region = sorted((_finish(r) for r in rows_by_region.values()), key=lambda r: (-r["total"], r["label"]))
    return Totals(by_wave, by_region, overall(by_wave, levels), alert_counts, vision_due_by_wave)


def overall(rows: list[dict], levels: int) -> dict:
    """The whole selection, from its finished rows by wave (and the sum of its sites' continuum levels)."""
    total = sum(row["total"] for row in rows)
    by_status = {status.value: sum(row["by_status"][status.value] for row in rows) for status in STATUSES}
    return {
        "total": total,
        "trinome_complete": sum(row["trinome_complete"] for row in rows),
        "by_status": by_status,
        "statuses": [by_status[status.value] for status in STATUSES],
        "engaged": by_status[SiteStatus.IN_TRAINING] + by_status[SiteStatus.ACTIVE],
        **_continuum(sum(row["continuum_placed"] for row in rows), levels),
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
    return funnel_of(grouped(queryset.filter(wave=wave), funnel_waves=[wave.pk]), wave)


def funnel_of(rows: list[tuple], wave: Wave | None) -> dict | None:
    """The funnel of one wave, from `grouped` rows (those of other waves are left out)."""
    if wave is None:
        return None
    furthest, now = [0] * len(FUNNEL_STAGES), dict.fromkeys(SiteStatus.values, 0)
    for wave_id, _code, _region, status, stage, n, *_counts in rows:
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
