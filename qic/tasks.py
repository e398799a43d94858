"""Celery tasks of the core: sending the tasks that waited for the broker (qic/queue.py)."""

from celery import shared_task

from . import queue


@shared_task(name="qic.publish_pending")
def publish_pending() -> int:
    """Every minute (Celery beat): send the tasks kept while the broker was unavailable."""
    return queue.flush()
