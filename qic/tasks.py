"""Celery tasks of the core: sending the tasks that waited for the broker (qic/queue.py), forgetting old API
requests in the audit log."""

import datetime as dt

from celery import shared_task
from django.conf import settings

from . import audit, queue


@shared_task(name="qic.publish_pending")
def publish_pending() -> int:
    """Every minute (Celery beat): send the tasks kept while the broker was unavailable."""
    return queue.flush()


@shared_task(name="qic.forget_api_requests")
def forget_api_requests() -> int:
    """Every night (Celery beat): API requests older than `QIC_API_REQUESTS_KEPT_DAYS` leave the log."""
    return audit.forget_requests(dt.timedelta(days=settings.QIC_API_REQUESTS_KEPT_DAYS))
