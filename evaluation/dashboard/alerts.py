"""Alerts for sites that stall: no activity for a while, a vacant trinôme seat, no adopted vision in time.

Thresholds come from settings (`QIC_STALL_DAYS`, `QIC_VISION_DUE_MONTHS`). Each alert is one condition on the
annotated sites queryset, used both for its count and to filter the table (`?alerte=<key>`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from collectives.enums import TRINOME_SEATS
from sites.enums import SiteStatus

STALLED = "inactif"
VACANT_SEAT = "siege-vacant"
VISION_DUE = "vision"

# A paused or withdrawn site is quiet on purpose; an interested one is still being mobilised.
ONGOING = (SiteStatus.INTERESTED, SiteStatus.REGISTERING, SiteStatus.IN_TRAINING, SiteStatus.ACTIVE)
WITH_TRINOME = (SiteStatus.REGISTERING, SiteStatus.IN_TRAINING, SiteStatus.ACTIVE)
TRAINED = (SiteStatus.IN_TRAINING, SiteStatus.ACTIVE)

CHOICES = (
    (STALLED, "Sans activité récente"),
    (VACANT_SEAT, "Siège du trinôme vacant"),
    (VISION_DUE, "Vision attendue"),
)

# Whether the adopted vision is tracked (the Vision issue sets this to True and fills `vision_adopted`).
VISION_TRACKED = True


STALL_STEP_MINUTES = 5


def stall_cutoff(now=None) -> dt.datetime:
    """Sites silent since before this moment stall. It moves by steps of a few minutes, so that the counts
    and the table filtered on the alert agree however long apart they are read."""
    now = now or timezone.now()
    now = now.replace(minute=now.minute - now.minute % STALL_STEP_MINUTES, second=0, microsecond=0)
    return now - dt.timedelta(days=settings.QIC_STALL_DAYS)


def vision_cutoff(today=None) -> dt.date:
    """Training must have started before this date for a vision to be due."""
    today = today or timezone.localdate()
    months = settings.QIC_VISION_DUE_MONTHS
    year, month = divmod(today.month - 1 - months, 12)
    year += today.year
    month += 1
    day = min(today.day, 28)
    return dt.date(year, month, day)


def vision_adopted() -> Q:
    """Sites with an adopted version of their vision (a stored fact of their progress row)."""
    return Q(progress__vision_adopted_at__isnull=False)


def silence() -> Q:
    """No journal event for QIC_STALL_DAYS days (or never, for a site registered that long ago)."""
    cutoff = stall_cutoff()
    return Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)


def condition(key: str) -> Q:
    if key == STALLED:
        return Q(status__in=ONGOING) & silence()
    if key == VACANT_SEAT:
        return Q(status__in=WITH_TRINOME) & Q(progress__seats_filled__lt=len(TRINOME_SEATS))
    if key == VISION_DUE:
        due = Q(status__in=TRAINED, wave__training_starts_on__lte=vision_cutoff())
        return due & ~vision_adopted() if VISION_TRACKED else due
    raise ValueError(f"Unknown alert {key!r}")


@dataclass
class Alert:
    key: str
    title: str
    description: str
    count: int
    examples: list
    tracked: bool = True


def activity_expression():
    return Coalesce("last_activity_at", "created_at")
