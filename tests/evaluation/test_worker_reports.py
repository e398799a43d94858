"""Reports through a real Redis broker and real Celery worker processes (the production path).

A worker killed with SIGKILL in the middle of writing a bilan leaves no half-file under the final name; Redis
redelivers the unacknowledged message (acks late, a short visibility timeout for the test) and a new worker
completes the report. A batch fans out across two workers.
"""

import os
import re
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from evaluation.models import Report
from evaluation.reports import tasks
from evaluation.reports.enums import ReportKind, ReportState
from evaluation.reports.services import request_report
from qic.celery import app as celery_app
from sites.models import Site
from tests.processes import CeleryWorker, wait_for
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.worker

if not os.environ.get("REDIS_URL"):
    if os.environ.get("QIC_REQUIRE_WORKER"):
        raise RuntimeError("QIC_REQUIRE_WORKER is set but REDIS_URL is not: the worker tests cannot run")
    pytest.skip("needs REDIS_URL and PostgreSQL (run by .ci/run)", allow_module_level=True)

SUCCEEDED = re.compile(r"Task evaluation\.reports\.generate\[[^]]+\] succeeded")
VISIBILITY_TIMEOUT = 5  # seconds before Redis hands an unacknowledged message to another worker


@pytest.fixture
def workers(transactional_db, tmp_path, media_root):
    """Start real `celery worker` processes on the test database; all are stopped at the end."""
    started = []
    celery_app.control.purge()

    def start(name, **env_overrides):
        env = {
            "MEDIA_ROOT": str(media_root),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "QIC_TEST_WORKER": "1",  # tasks the worker queues (a batch's fan-out) go to the broker too
            **env_overrides,
        }
        # solo pool: the task runs in the process we kill, like a machine that dies.
        worker = CeleryWorker(tmp_path, name, pool="solo", env=env)
        started.append(worker)
        return worker.start()

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = previous
        for worker in started:
            worker.stop()
        celery_app.control.purge()


def _state(report_id):
    return Report.objects.get(pk=report_id)


def test_a_worker_killed_mid_report_leaves_no_half_file_and_a_new_worker_completes_it(workers, world):
    slow = workers("slow", QIC_REPORT_WRITE_PAUSE_SECONDS="120")
    report, created = request_report(ReportKind.SITE, site=world.site_a, user=world.steering)
    assert created
    final = Path(default_storage.path(tasks.file_name(report, "pdf")))

    # The worker has read the data, written half of the PDF under a temporary name, then said so (the file
    # appears a moment before the step is saved: wait for both).
    def half_written():
        written = list(final.parent.glob(f".{final.name}.*.tmp"))
        return written and _state(report.pk).step == "Écriture du fichier"

    assert wait_for(half_written, 90), slow.output()
    running = _state(report.pk)
    assert running.state == ReportState.RUNNING
    assert running.snapshot is not None

    slow.kill()

    # No half-file under the final name, the report is not marked done.
    assert not final.exists()
    assert len(list(final.parent.glob(f".{final.name}.*.tmp"))) == 1
    killed = _state(report.pk)
    assert killed.state == ReportState.RUNNING and not killed.pdf

    # A new worker gets the unacknowledged message once its visibility timeout has passed, and completes.
    # kombu scans for expired unacknowledged messages when a worker starts, then only every tenth poll (about
    # 100 s): start the new worker once the message is past its timeout, as a restarted machine would be.
    time.sleep(VISIBILITY_TIMEOUT + 1)
    fresh = workers("fresh")
    # The worker runs below the web's priority (QIC_WORKER_NICENESS): on a loaded machine it waits its turn.
    done = wait_for(lambda: _state(report.pk).state == ReportState.DONE, 180)
    assert done, fresh.output()
    report = _state(report.pk)
    assert (
        report.attempts == 2 and report.progress == 100 and report.pdf.name == tasks.file_name(report, "pdf")
    )
    assert report.snapshot == running.snapshot and report.snapshot_taken_at == running.snapshot_taken_at
    content = final.read_bytes()
    assert content.startswith(b"%PDF") and content.rstrip().endswith(b"%%EOF")
    assert subprocess.run(["pdfinfo", str(final)], capture_output=True).returncode == 0
    assert not list(final.parent.glob(f".{final.name}.*.tmp"))
    # The task marks the report done, then returns: the worker logs its success a moment later.
    assert wait_for(lambda: "succeeded" in fresh.output(), 30), fresh.output()


def test_a_batch_of_bilans_fans_out_across_two_workers(workers, world):
    wave = world.site_a.wave
    for _ in range(4):
        SiteFactory(wave=wave)
    expected = Site.objects.count()
    first, second = workers("first"), workers("second")

    batch, _ = request_report(ReportKind.BATCH, user=world.national)

    assert wait_for(lambda: _state(batch.pk).state == ReportState.DONE, 120), first.output() + second.output()
    batch = _state(batch.pk)
    assert batch.error == ""
    with zipfile.ZipFile(default_storage.path(batch.archive.name)) as archive:
        pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(pdfs) == expected
    produced = [len(SUCCEEDED.findall(worker.output())) for worker in (first, second)]
    assert sum(1 for count in produced if count) == 2, produced  # both workers produced bilans


def test_workers_run_below_the_web_servers_priority(workers):
    """A report rendering in the background does not slow down the pages people are waiting for."""
    worker = workers("polite")
    fields = Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()
    niceness = int(fields[16])  # field 19 of /proc/<pid>/stat, counted after the command name
    assert niceness == min(os.nice(0) + settings.QIC_WORKER_NICENESS, 19)
    assert settings.QIC_WORKER_NICENESS > 0
