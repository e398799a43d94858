"""Celery tasks producing reports: they take ids, are idempotent, and survive a worker killed mid-report.

- The data snapshot is written once (the first worker to finish reading wins); a retry renders from it.
- Files are written under a temporary name and renamed atomically, then the report is marked done: a killed
  worker leaves no half-file under the final name, and Redis redelivers the unacknowledged message
  (`task_acks_late`) to another worker, which removes the leftover temporary file and completes the report.
- Transient errors (database, disk) are retried with exponential backoff; any other error marks the report
  failed with its message, and asking for it again queues it again.
- A batch fans out one task per site, then zips the bilans once they are all finished: more workers, faster
  batches. Every task, the fan-out's included, is queued through the task outbox (`qic.queue`): a task the
  broker cannot take while Redis is away is kept in the database and sent when it is back.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import uuid
import zipfile
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from collectives.services.members import trinome_user_ids
from qic import access, queue, spreadsheets, text
from sites import notifications
from sites.enums import NotificationKind

from . import national, render, snapshot
from .enums import ReportKind, ReportState, ReportTrigger
from .models import Report

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, OSError)
MAX_RETRIES = 5
BACKOFF_BASE = 10  # seconds: 10, 20, 40, 80, 160
BATCH_WAIT = 5  # seconds between checks while a batch's bilans are still being produced
# A batch whose bilans have all stopped moving (none finished for this long: a bilan's message lost with a
# broker restarted without persistence, say) is assembled with what is there, the rest listed as missing.
BATCH_STALL = dt.timedelta(minutes=30)


def backoff(retries: int) -> int:
    return BACKOFF_BASE * 2**retries


def _update(report_id: int, **fields) -> int:
    # update(): the polling page reads these fields; no signal, no audit entry for each step of progress.
    return Report.objects.filter(pk=report_id).exclude(state=ReportState.DONE).update(**fields)


def progress(report_id: int, percent: int, step: str) -> None:
    _update(report_id, progress=percent, step=step)


# --- Files: written under a temporary name, renamed atomically ----------------------------------------------


def file_name(report: Report, extension: str) -> str:
    if report.kind == ReportKind.SITE:
        stem = f"bilan-{report.site.slug}"
    else:
        stem = "synthese-nationale" if report.kind == ReportKind.NATIONAL else "bilans-des-sites"
        stem += f"-{slugify(report.scope_label)}"
    return (
        f"reports/{report.data_date:%Y/%m}/{stem[:120]}-{report.data_date:%Y-%m-%d}-{report.pk}.{extension}"
    )


def _temporary_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f".{path.name}.*.tmp"))


def write_atomically(name: str, content: bytes, *, report_id: int | None = None) -> Path:
    """Write `content` to storage under `name`: readers see the whole file or nothing."""
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in _temporary_files(path):  # from a worker killed while writing
        leftover.unlink(missing_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    pause = settings.QIC_REPORT_WRITE_PAUSE_SECONDS
    with open(temporary, "wb") as handle:
        if pause:
            # Observable and slow, for the test that kills a worker in the middle of writing a report.
            half = len(content) // 2
            handle.write(content[:half])
            handle.flush()
            if report_id:
                progress(report_id, 85, "Écriture du fichier")
            time.sleep(pause)
            content = content[half:]
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return path


# --- One report ---------------------------------------------------------------------------------------------


def take_snapshot(report: Report) -> dict:
    if report.kind == ReportKind.SITE:
        return snapshot.site_snapshot(report.site_id)
    return national.national_snapshot(report.wave_id, report.region_id)


def produce(report_id: int) -> str:
    """Produce one site bilan or national roll-up; safe to run again, and by two workers at once."""
    report = Report.objects.select_related("site", "wave", "region").filter(pk=report_id).first()
    if report is None or report.state == ReportState.DONE:
        return "already done" if report else "gone"
    started = _update(
        report_id,
        state=ReportState.RUNNING,
        started_at=report.started_at or timezone.now(),
        attempts=F("attempts") + 1,
        progress=5,
        step="Lecture des données",
        error="",
    )
    if not started:  # finished by another worker in the meantime
        return "already done"
    if report.snapshot is None:
        data = take_snapshot(report)
        # The first snapshot written is the report's for ever (a concurrent duplicate keeps the winner's).
        Report.objects.filter(pk=report_id, snapshot__isnull=True).update(
            snapshot=data, snapshot_taken_at=timezone.now()
        )
        report.refresh_from_db(fields=["snapshot", "snapshot_taken_at"])
    progress(report_id, 40, "Mise en page du PDF")
    files = {"pdf": file_name(report, "pdf")}
    pdf = render.report_pdf(report.snapshot, data_date=report.data_date)
    write_atomically(files["pdf"], pdf, report_id=report_id)
    if report.kind == ReportKind.NATIONAL:
        progress(report_id, 90, "Écriture du tableur")
        files["xlsx"] = file_name(report, "xlsx")
        write_atomically(files["xlsx"], render.national_xlsx(report.snapshot, data_date=report.data_date))
    # Done only once every file is in place under its final name.
    with transaction.atomic():
        done = _update(
            report_id, state=ReportState.DONE, progress=100, step="", finished_at=timezone.now(), **files
        )
        if done:
            tell_ready(report)
    return "done"


def _one_of_their_batches(report: Report) -> bool:
    """Whether this bilan was made for a batch its requester asked (the day's batches list their bilans)."""
    batches = Report.objects.filter(
        kind=ReportKind.BATCH, data_date=report.data_date, requested_by=report.requested_by
    ).values_list("snapshot", flat=True)
    return any(report.pk in (snapshot or {}).get("reports", []) for snapshot in batches)


def tell_ready(report: Report) -> None:
    """A site's bilan is ready: its trinôme and who asked are told; a roll-up or a batch: who asked. National
    staff asking for a batch are not told of each of its hundreds of bilans (the batch tells them once), but
    are when they asked for this one bilan."""
    asker = report.requested_by
    told = asker is not None and not (access.sees_all_sites(asker) and _one_of_their_batches(report))
    people = [asker] if told else []
    if report.kind == ReportKind.SITE:
        people += trinome_user_ids(report.site)
    elif report.requested_by is not None:
        people = [report.requested_by]
    notifications.notify(
        NotificationKind.REPORT_READY,
        people,
        title=f"Document prêt : {report.title} (données du {text.date(report.data_date)})",
        url=report.get_absolute_url(),
        site=report.site if report.kind == ReportKind.SITE else None,
        subject=report,
    )


def mark_failed(report_id: int, error: BaseException) -> None:
    message = f"{type(error).__name__}: {error}"[:2000]
    logger.error("Report %s failed: %s", report_id, message)
    _update(report_id, state=ReportState.FAILED, step="", error=message, finished_at=timezone.now())


@shared_task(bind=True, name="evaluation.reports.generate", acks_late=True, reject_on_worker_lost=True)
def generate_report(self, report_id: int) -> str:
    try:
        return produce(report_id)
    except TRANSIENT as error:
        if self.request.retries < MAX_RETRIES:
            countdown = backoff(self.request.retries)
            logger.warning("Report %s: %s, retry in %ss", report_id, error, countdown)
            progress(report_id, 0, f"Nouvel essai dans {countdown} s")
            raise self.retry(exc=error, countdown=countdown, max_retries=MAX_RETRIES) from error
        mark_failed(report_id, error)
    except Exception as error:  # not transient: retrying would fail the same way
        logger.exception("Report %s could not be produced", report_id)
        mark_failed(report_id, error)
    # A failed bilan does not stop its batch: the batch's ZIP lists it as missing.
    return "failed"


# --- Batches: one task per site, then a ZIP -----------------------------------------------------------------


def batch_children(batch: Report) -> list[Report]:
    """The bilans of every site in the batch's scope for its data date (created once, then reused)."""
    from .services import request_report

    if batch.snapshot is None:
        sites = national.scope_sites(batch.wave_id, batch.region_id).order_by("name", "pk")
        children = [
            request_report(
                ReportKind.SITE,
                site=site,
                user=batch.requested_by,
                trigger=batch.trigger,
                data_date=batch.data_date,
                send=False,
            )[0]
            for site in sites
        ]
        data = {"kind": "batch", "title": batch.title, "reports": [c.pk for c in children]}
        Report.objects.filter(pk=batch.pk, snapshot__isnull=True).update(
            snapshot=data, snapshot_taken_at=timezone.now()
        )
        batch.refresh_from_db(fields=["snapshot", "snapshot_taken_at"])
    return list(_batch_bilans(batch).select_related("site"))


def _batch_bilans(batch: Report):
    """The batch's bilans without their frozen data: waiting for them and zipping them read their state and
    file (a batch of 2,000 sites reloaded 2,000 snapshots, tens of kB each, every `BATCH_WAIT` seconds)."""
    return Report.objects.filter(pk__in=batch.snapshot["reports"]).defer("snapshot")


@shared_task(bind=True, name="evaluation.reports.generate_batch", acks_late=True, reject_on_worker_lost=True)
def generate_batch(self, batch_id: int) -> str:
    batch = Report.objects.filter(pk=batch_id, kind=ReportKind.BATCH).first()
    if batch is None or batch.state == ReportState.DONE:
        return "already done" if batch else "gone"
    Report.objects.filter(pk=batch_id).update(
        state=ReportState.RUNNING, started_at=batch.started_at or timezone.now(), attempts=F("attempts") + 1
    )
    children = batch_children(batch)
    progress(batch_id, 5, f"Production de {len(children)} bilans")
    queued = [child.pk for child in children if child.state != ReportState.DONE]
    for child_id in queued:
        queue.enqueue(generate_report, child_id)
    # Queued after the bilans: it assembles the archive once they are all finished.
    queue.enqueue(assemble_batch, batch_id)
    return f"{len(queued)} bilans queued"


def stalled(batch: Report, children: list[Report], now=None) -> bool:
    """Whether none of the batch's bilans has finished for `BATCH_STALL` (nor the batch started since)."""
    moments = [batch.started_at or batch.requested_at, *(c.finished_at for c in children if c.finished_at)]
    return max(moments) < (now or timezone.now()) - BATCH_STALL


@shared_task(bind=True, name="evaluation.reports.assemble_batch", acks_late=True, reject_on_worker_lost=True)
def assemble_batch(self, batch_id: int) -> str:
    batch = Report.objects.filter(pk=batch_id, kind=ReportKind.BATCH).first()
    if batch is None or batch.state == ReportState.DONE:
        return "already done" if batch else "gone"
    children = list(_batch_bilans(batch).select_related("site__wave").order_by("site__name"))
    finished = sum(1 for c in children if c.is_finished)
    # In-process tasks (no broker) have produced every bilan they could before this runs: nothing to wait for.
    if finished < len(children) and not self.request.is_eager and not stalled(batch, children):
        # Bilans are still being produced (by this batch's tasks, or by another request): check again soon.
        percent = 5 + 90 * finished // max(len(children), 1)
        progress(batch_id, percent, f"{finished} bilans produits sur {len(children)}")
        raise self.retry(countdown=BATCH_WAIT, max_retries=None)
    progress(batch_id, 95, "Assemblage de l’archive")
    name = file_name(batch, "zip")
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in _temporary_files(path):
        leftover.unlink(missing_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    missing = []
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive:
        lines = [["site", "vague", "état"]]
        for child in children:
            if child.state == ReportState.DONE and child.pdf:
                archive.write(default_storage.path(child.pdf.name), f"bilan-{child.site.slug}.pdf")
                lines.append([child.site.name, child.site.wave.number, "produit"])
            else:
                missing.append(child.site.name)
                lines.append([child.site.name, child.site.wave.number, "manquant"])
        archive.writestr("sommaire.csv", spreadsheets.csv_text(lines))
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    error = ("Bilans manquants : " + ", ".join(missing))[:2000] if missing else ""
    with transaction.atomic():
        done = _update(
            batch_id,
            state=ReportState.DONE,
            progress=100,
            step="",
            archive=name,
            error=error,
            finished_at=timezone.now(),
        )
        if done:
            tell_ready(batch)
    return "done"


# --- Schedule -----------------------------------------------------------------------------------------------


@shared_task(name="evaluation.reports.scheduled")
def scheduled_reports(rollups: bool = True, per_wave: bool = True, bilans: bool = True) -> int:
    """The monthly run (django-celery-beat; its schedule and arguments are edited in the admin)."""
    from sites.models import Wave

    from .services import request_report

    asked = []
    if rollups:
        asked.append(request_report(ReportKind.NATIONAL, trigger=ReportTrigger.SCHEDULE)[0])
        if per_wave:
            for wave in Wave.objects.filter(sites__isnull=False).distinct():
                asked.append(
                    request_report(ReportKind.NATIONAL, wave=wave, trigger=ReportTrigger.SCHEDULE)[0]
                )
    if bilans:
        asked.append(request_report(ReportKind.BATCH, trigger=ReportTrigger.SCHEDULE)[0])
    return len(asked)
