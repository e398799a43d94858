"""Roll-ups of the dashboard: totals by wave and by region, the mobilisation funnel, the alerts' counts.

Each roll-up is one aggregate query over the filtered sites, whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from ..enums import FUNNEL_STAGES, SiteStatus
from ..models import SiteStatusChange, Wave
from . import alerts

STATUSES = list(SiteStatus)


def _status_counts() -> dict:
    counts = {status.value: Count("pk", filter=Q(status=status)) for status in STATUSES}
    counts["total"] = Count("pk")
    counts["trinome_complete"] = Count("pk", filter=Q(seats_filled=3))
    return counts


def _rows(queryset: QuerySet, key: str, label: str) -> list[dict]:
    rows = []
    for row in queryset.order_by().values(key, label).annotate(**_status_counts()).order_by(key):
        rows.append(
            {
                "key": row[key],
                "label": row[label],
                "total": row["total"],
                "trinome_complete": row["trinome_complete"],
                "statuses": [row[status.value] for status in STATUSES],
                "by_status": {status.value: row[status.value] for status in STATUSES},
            }
        )
    return rows


def totals_by_wave(queryset: QuerySet) -> list[dict]:
    return _rows(queryset, "wave__number", "wave__name")


def totals_by_region(queryset: QuerySet) -> list[dict]:
    rows = _rows(queryset, "department__region__name", "department__region__name")
    return sorted(rows, key=lambda row: (-row["total"], row["label"]))


def overall(rows: list[dict]) -> dict:
    total = sum(row["total"] for row in rows)
    by_status = {status.value: sum(row["by_status"][status.value] for row in rows) for status in STATUSES}
    return {
        "total": total,
        "trinome_complete": sum(row["trinome_complete"] for row in rows),
        "by_status": by_status,
        "statuses": [by_status[status.value] for status in STATUSES],
        "engaged": by_status[SiteStatus.IN_TRAINING] + by_status[SiteStatus.ACTIVE],
    }


@dataclass
class FunnelStage:
    status: str
    label: str
    reached: int  # sites that got at least this far, whatever they became since
    current: int  # sites at this stage today
    share: int  # percentage of the first stage
    conversion: int | None  # percentage of the previous stage


def _reached(stage_index: int) -> Q:
    later = [s.value for s in FUNNEL_STAGES[stage_index:]]
    if stage_index <= FUNNEL_STAGES.index(SiteStatus.IN_TRAINING):
        later.append(SiteStatus.PAUSED.value)  # a paused site had started its training
    history = SiteStatusChange.objects.filter(site=OuterRef("pk"), to_status__in=later)
    return Q(status__in=later) | Q(Exists(history))


def funnel(queryset: QuerySet, wave: Wave | None) -> dict | None:
    """The mobilisation funnel of one wave: interested → registering → in training → active."""
    if wave is None:
        return None
    counts = {f"reached_{i}": Count("pk", filter=_reached(i)) for i in range(1, len(FUNNEL_STAGES))}
    counts.update({f"now_{s.value}": Count("pk", filter=Q(status=s)) for s in STATUSES})
    counts["total"] = Count("pk")
    row = queryset.filter(wave=wave).order_by().aggregate(**counts)
    reached = [row["total"]] + [row[f"reached_{i}"] for i in range(1, len(FUNNEL_STAGES))]
    stages = []
    for index, status in enumerate(FUNNEL_STAGES):
        previous = reached[index - 1] if index else None
        stages.append(
            FunnelStage(
                status=status.value,
                label=status.label,
                reached=reached[index],
                current=row[f"now_{status.value}"],
                share=round(100 * reached[index] / reached[0]) if reached[0] else 0,
                conversion=round(100 * reached[index] / previous) if previous else None,
            )
        )
    return {
        "wave": wave,
        "stages": stages,
        "paused": row[f"now_{SiteStatus.PAUSED.value}"],
        "withdrawn": row[f"now_{SiteStatus.WITHDRAWN.value}"],
    }


def alert_summary(queryset: QuerySet, examples: int = 5) -> list[alerts.Alert]:
    """How many sites each alert concerns, and the first few of them (the longest silent first)."""
    keys = [key for key, _ in alerts.CHOICES]
    counts = queryset.order_by().aggregate(**{key: Count("pk", filter=alerts.condition(key)) for key in keys})
    stalled = list(
        queryset.filter(alerts.condition(alerts.STALLED))
        .order_by(alerts.activity_expression().asc(), "name")
        .select_related(None)
        .only("name", "slug", "last_activity_at", "created_at")[:examples]
    )
    vacant = list(
        queryset.filter(alerts.condition(alerts.VACANT_SEAT))
        .order_by("seats_filled", "name")
        .select_related(None)
        .only("name", "slug")[:examples]
    )
    vision_due = list(
        queryset.filter(alerts.condition(alerts.VISION_DUE))
        .order_by("wave__training_starts_on", "name")
        .select_related(None)
        .only("name", "slug")[:examples]
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
