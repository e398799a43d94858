"""Queueing background tasks without making the broker (Redis) a dependency of a request: a task is written
to the database (`PendingTask`) in the transaction that asks for it and sent to the broker once it commits.
A task the broker cannot take stays there, and is sent when the broker is back: by the periodic
`qic.publish_pending` task, by a worker when it starts, and after the next task that could be sent. Nothing
is lost; a stopped broker costs a request about 0.1 s (an unreachable host at most two 1 s connect timeouts).

Tasks run in-process (no REDIS_URL: the embedded default; the tests) still run after commit, as before.
"""

from __future__ import annotations

import logging

from celery import Task
from django.contrib import messages
from django.db import transaction
from django.db.models import F

from .celery import app
from .models import PendingTask

logger = logging.getLogger(__name__)

# A refused connection fails at once; kombu reconnects and tries once more (what a pooled connection broken
# by a Redis restart needs), then we keep the task for later. Celery's default policy retries 3 times over
# about 0.6 s; the socket timeouts for an unreachable host are in the settings.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
# How many waiting tasks a request sends with its own once the broker answers again (beat sends the rest).
FLUSH_AFTER_PUBLISH = 50

# What a person waiting for the job reads while the broker is away.
UNAVAILABLE = "Le service de traitement est momentanément indisponible"


def enqueue(task: Task, *args, eta=None, **kwargs) -> PendingTask | None:
    """Send `task(*args, **kwargs)` to the workers once the current transaction commits; kept in the database
    until the broker takes it. Returns the waiting row (its `published` says, after commit, whether the broker
    took it), or None when tasks run in-process (they run at commit: `eta`, not before this moment, is for
    the workers only)."""
    if task.app.conf.task_always_eager:
        task.delay_on_commit(*args, **kwargs)
        return None
    pending = PendingTask.objects.create(task=task.name, args=list(args), kwargs=kwargs, eta=eta)
    pending.published = None

    def publish_after_commit():
        pending.published = publish(pending.pk)
        if pending.published:
            flush(limit=FLUSH_AFTER_PUBLISH)

    transaction.on_commit(publish_after_commit)
    return pending


def _send(row: PendingTask) -> bool:
    try:
        # Nobody reads these tasks' results (what they produce is in the database): not asking for them
        # also spares a subscription to the result backend, another Redis connection.
        app.send_task(
            row.task,
            args=row.args,
            kwargs=row.kwargs,
            ignore_result=True,
            eta=row.eta,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except Exception as exc:  # kombu's OperationalError, redis-py's ConnectionError, OSError: broker away
        logger.warning("Task %s kept for later: the broker is unavailable (%s)", row.task, exc)
        PendingTask.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:500])
        return False
    return True


def publish(pk: int) -> bool:
    """Send one waiting task; True once the broker has it (or someone else sent it already)."""
    with transaction.atomic():
        row = PendingTask.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        if row is None:
            return True
        if not _send(row):
            return False
        row.delete()
    return True


def flush(limit: int | None = None) -> int:
    """Send the waiting tasks, oldest first, until none is left, the limit is reached or the broker fails.
    Rows another process is sending are skipped (locked). Returns how many were sent."""
    sent = 0
    while limit is None or sent < limit:
        batch = 100 if limit is None else min(100, limit - sent)
        with transaction.atomic():
            rows = list(PendingTask.objects.select_for_update(skip_locked=True).order_by("pk")[:batch])
            done = []
            for row in rows:
                if not _send(row):
                    break
                done.append(row.pk)
            PendingTask.objects.filter(pk__in=done).delete()
        sent += len(done)
        if len(done) < batch:
            break
    return sent


def is_waiting(task: Task | str, *first_args) -> bool:
    """Whether this task (with these first arguments) is waiting for the broker."""
    lookup = {f"args__{i}": value for i, value in enumerate(first_args)}
    return PendingTask.objects.filter(task=getattr(task, "name", task), attempts__gt=0, **lookup).exists()


def warn_if_held(request, pending: PendingTask | None, message: str) -> None:
    """Tell the person (after commit) that the job they asked for will start when the broker is back."""
    if pending is None or request is None:
        return

    def warn():
        if pending.published is False:
            messages.warning(request, f"{UNAVAILABLE} : {message}", fail_silently=True)

    transaction.on_commit(warn)
