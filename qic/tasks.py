"""Celery tasks of the core: sending the tasks that waited for the broker (qic/queue.py), forgetting old API
requests in the audit log, and ended sessions."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from . import audit, queue


@shared_task(name="qic.publish_pending")
def publish_pending() -> int:
    """Every minute (Celery beat): send the tasks kept while the broker was unavailable."""
    return queue.flush()


@shared_task(name="qic.forget_api_requests")
def forget_api_requests() -> int:
    """Every night (Celery beat): API requests older than `QIC_API_REQUESTS_KEPT_DAYS` leave the log."""
    return audit.forget_requests(dt.timedelta(days=settings.QIC_API_REQUESTS_KEPT_DAYS))


@shared_task(name="qic.forget_ended_sessions")
def forget_ended_sessions() -> int:
    """Every night (Celery beat): the sessions past their expiry leave the database (Django never deletes
    them by itself). A session ended by the idle limit may hold a text its writer sent too late, kept for
    them (qic.unsaved): it goes with it, at the latest `SESSION_COOKIE_AGE` after its last write."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
