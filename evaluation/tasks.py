"""Celery tasks of the evaluation app (Celery autodiscovers this module)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from qic import queue

from .opendata.tasks import generate_open_data
from .reports.tasks import assemble_batch, generate_batch, generate_report, scheduled_reports


@shared_task(name="evaluation.weekly_digests")
def weekly_digests() -> int:
    """Every Monday (Celery beat): one digest task per person; each sends at most once a week."""
    from . import digest

    week = digest.week_of(timezone.localdate()).isoformat()
    ids = digest.recipient_ids()
    for user_id in ids:
        queue.enqueue(send_weekly_digest, user_id, week)
    return len(ids)


@shared_task(
    name="evaluation.send_digest", autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True
)
def send_weekly_digest(user_id: int, week: str) -> bool:
    from . import digest

    return digest.send_digest(user_id, dt.date.fromisoformat(week))


__all__ = [
    "assemble_batch",
    "generate_batch",
    "generate_open_data",
    "generate_report",
    "scheduled_reports",
    "send_weekly_digest",
    "weekly_digests",
]
