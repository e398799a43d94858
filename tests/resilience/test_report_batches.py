"""A batch of bilans fans out from inside a worker through the task outbox: with Redis gone at that moment,
no bilan is lost; they wait in the database and the batch completes once Redis is back."""

import zipfile

import pytest
from django.core.files.storage import default_storage

from evaluation.models import Report
from evaluation.reports import tasks
from evaluation.reports.enums import ReportKind, ReportState
from evaluation.reports.services import request_report
from qic.models import PendingTask
from sites.models import Site

from .conftest import wait_for

pytestmark = pytest.mark.redis


def test_a_batch_fanned_out_while_redis_is_stopped_loses_no_bilan(broker, worker_factory, world):
    batch, _ = request_report(ReportKind.BATCH, user=world.national)  # sent to the broker, no worker yet
    broker.stop()

    # A worker took the batch just before Redis went away: its fan-out is kept in the database.
    tasks.generate_batch(batch.pk)

    sites = Site.objects.count()
    waiting = sorted(PendingTask.objects.values_list("task", flat=True))
    assert waiting == ["evaluation.reports.assemble_batch"] + ["evaluation.reports.generate"] * sites

    broker.start()
    worker = worker_factory()  # its `worker_ready` sends what waited
    assert wait_for(lambda: Report.objects.get(pk=batch.pk).state == ReportState.DONE, 120), (
        worker.log.read_text()
    )
    batch.refresh_from_db()
    assert batch.error == ""
    # Every task kept while Redis was stopped has left the outbox; so has, within a moment, what the finished
    # batch sends after its commit (its "Document prêt" notification's e-mail passes through the outbox too).
    waiting = lambda: list(PendingTask.objects.values_list("task", flat=True))  # noqa: E731
    assert wait_for(lambda: not waiting(), 30), waiting()
    with zipfile.ZipFile(default_storage.path(batch.archive.name)) as archive:
        assert len([name for name in archive.namelist() if name.endswith(".pdf")]) == sites
