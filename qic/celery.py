"""The Celery application: configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qic.settings")

app = Celery("qic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def lower_priority(**kwargs):
    """Worker processes run below the web server's priority: on a shared machine a long report never slows
    down the pages people are waiting for (it only takes longer while they are busy)."""
    from django.conf import settings

    os.nice(settings.QIC_WORKER_NICENESS)


@worker_ready.connect
def publish_pending(**kwargs):
    """A worker that starts (after the broker came back, say) sends the tasks kept while it was away."""
    from django.db import connection

    from qic import queue

    try:
        queue.flush()
    finally:
        connection.close()  # the main process forks pool processes later: they must not share it
