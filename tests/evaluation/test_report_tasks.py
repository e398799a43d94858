"""Producing reports: idempotent requests, frozen documents, crash-safe files, retries, batches, schedule."""

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from evaluation.models import Report
from evaluation.reports import render, tasks
from evaluation.reports.enums import ReportKind, ReportState, ReportTrigger
from evaluation.reports.schedule import SCHEDULE_NAME, ensure_schedule
from evaluation.reports.services import request_report
from sites.models import Site
from tests.sites.factories import WaveFactory


def _ask(django_capture_on_commit_callbacks, **kwargs):
    kwargs.setdefault("kind", ReportKind.SITE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report, created = request_report(**kwargs)
    report.refresh_from_db()
    # The generation tasks only: a bilan done also queues the e-mail of its notifications (issue 18).
    generations = [c for c in callbacks if c.func.__self__.name != "sites.send_notification_mails"]
    return report, created, generations


def _file(report, field="pdf") -> Path:
    return Path(default_storage.path(getattr(report, field).name))


def test_asking_twice_for_the_same_scope_and_day_gives_one_report(world, django_capture_on_commit_callbacks):
    first, created, callbacks = _ask(
        django_capture_on_commit_callbacks, site=world.site_a, user=world.steering
    )
    assert created and len(callbacks) == 1
    assert first.state == ReportState.DONE and first.progress == 100
    assert first.requested_by == world.steering and first.trigger == ReportTrigger.DEMAND
    assert _file(first).read_bytes().startswith(b"%PDF")

    again, created, callbacks = _ask(
        django_capture_on_commit_callbacks, site=world.site_a, user=world.national
    )

    assert not created and not callbacks  # nothing queued, nothing produced again
    assert again.pk == first.pk and again.attempts == 1
    assert Report.objects.count() == 1
    # Another scope is another report.
    other, created, _ = _ask(django_capture_on_commit_callbacks, site=world.site_b)
    assert created and other.pk != first.pk


def test_a_done_report_is_never_produced_again(world, django_capture_on_commit_callbacks):
    report, _, _ = _ask(django_capture_on_commit_callbacks, site=world.site_a)
    before = hashlib.sha256(_file(report).read_bytes()).hexdigest()

    assert tasks.generate_report.apply(args=[report.pk]).get() == "already done"

    report.refresh_from_db()
    assert report.attempts == 1
    assert hashlib.sha256(_file(report).read_bytes()).hexdigest() == before


def test_a_report_is_frozen_with_the_data_it_was_drawn_from(world, django_capture_on_commit_callbacks):
    import datetime as dt

    report, _, _ = _ask(django_capture_on_commit_callbacks, site=world.site_a, data_date=dt.date(2026, 10, 1))
    pdf_before = _file(report).read_bytes()
    world.site_a.name = "Quartier A renommé"
    world.site_a.save()

    later, _, _ = _ask(django_capture_on_commit_callbacks, site=world.site_a, data_date=dt.date(2026, 11, 1))
    tasks.generate_report.apply(args=[report.pk])

    report.refresh_from_db()
    assert report.snapshot["sections"][0]["name"] == "Quartier A"
    assert later.snapshot["sections"][0]["name"] == "Quartier A renommé"
    assert _file(report).read_bytes() == pdf_before
    assert _file(report) != _file(later)


def test_a_worker_dying_mid_file_leaves_no_half_file_and_the_next_run_completes(world, settings, monkeypatch):
    settings.QIC_REPORT_WRITE_PAUSE_SECONDS = 1
    report, _ = request_report(ReportKind.SITE, site=world.site_a, send=False)

    class WorkerKilled(BaseException):
        """What the process sees of a SIGKILL: nothing after this point runs."""

    def killed(seconds):
        raise WorkerKilled

    monkeypatch.setattr(tasks.time, "sleep", killed)
    with pytest.raises(WorkerKilled):
        tasks.generate_report.apply(args=[report.pk], throw=True)

    report.refresh_from_db()
    assert report.state == ReportState.RUNNING and not report.pdf
    final = Path(default_storage.path(tasks.file_name(report, "pdf")))
    halves = list(final.parent.glob(f".{final.name}.*.tmp"))
    assert not final.exists() and len(halves) == 1  # the half-written file never had the final name
    assert report.snapshot is not None

    monkeypatch.undo()
    settings.QIC_REPORT_WRITE_PAUSE_SECONDS = 0
    assert tasks.generate_report.apply(args=[report.pk]).get() == "done"

    report.refresh_from_db()
    assert report.state == ReportState.DONE and report.attempts == 2
    content = _file(report).read_bytes()
    assert content.startswith(b"%PDF") and content.rstrip().endswith(b"%%EOF")
    assert not list(final.parent.glob(f".{final.name}.*.tmp"))


def test_transient_errors_are_retried_with_backoff(world, monkeypatch, caplog):
    report, _ = request_report(ReportKind.SITE, site=world.site_a, send=False)
    real = render.report_pdf
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "report_pdf", flaky)

    # In eager mode Celery runs the retry at once, then reports the Retry (not thrown here).
    tasks.generate_report.apply(args=[report.pk], throw=False)

    report.refresh_from_db()
    assert report.state == ReportState.DONE and report.attempts == 2 and len(calls) == 2
    assert "retry in 10s" in caplog.text
    assert [tasks.backoff(n) for n in range(tasks.MAX_RETRIES)] == [10, 20, 40, 80, 160]


def test_other_errors_mark_the_report_failed_and_asking_again_queues_it(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ValueError("mise en page impossible")

    monkeypatch.setattr(render, "report_pdf", broken)
    report, _, _ = _ask(django_capture_on_commit_callbacks, site=world.site_a)
    assert report.state == ReportState.FAILED and "mise en page impossible" in report.error
    assert report.attempts == 1

    monkeypatch.undo()
    again, created, callbacks = _ask(django_capture_on_commit_callbacks, site=world.site_a)

    assert not created and len(callbacks) == 1
    assert again.pk == report.pk and again.state == ReportState.DONE and again.error == ""


def test_a_batch_produces_one_bilan_per_site_then_a_zip(world, django_capture_on_commit_callbacks):
    Site.objects.filter(pk=world.site_b.pk).update(wave=WaveFactory(number=9))  # its number, not its id
    already, _, _ = _ask(django_capture_on_commit_callbacks, site=world.site_a)

    batch, created, _ = _ask(django_capture_on_commit_callbacks, kind=ReportKind.BATCH, user=world.national)

    assert created and batch.state == ReportState.DONE and batch.error == ""
    bilans = Report.objects.filter(kind=ReportKind.SITE)
    assert bilans.count() == 2  # site A's bilan of the day was reused, site B's produced
    assert set(batch.snapshot["reports"]) == set(bilans.values_list("pk", flat=True))
    assert already.pk in batch.snapshot["reports"]
    with zipfile.ZipFile(_file(batch, "archive")) as archive:
        names = sorted(archive.namelist())
        assert names == ["bilan-quartier-a.pdf", "bilan-quartier-b.pdf", "sommaire.csv"]
        assert archive.read("bilan-quartier-b.pdf").startswith(b"%PDF")
        assert "Quartier B;9;produit" in archive.read("sommaire.csv").decode()


def test_the_scheduled_run_asks_for_roll_ups_and_bilans_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asked = tasks.scheduled_reports.apply().get()
    reports = Report.objects.filter(trigger=ReportTrigger.SCHEDULE)
    assert asked == 3  # all sites, the one wave of the world, the batch of bilans
    assert reports.filter(kind=ReportKind.NATIONAL).count() == 2
    assert reports.filter(kind=ReportKind.BATCH, state=ReportState.DONE).count() == 1
    assert all(r.requested_by is None for r in reports)
    national = reports.filter(kind=ReportKind.NATIONAL, wave__isnull=True).get()
    workbook_bytes = _file(national, "xlsx").read_bytes()
    assert zipfile.is_zipfile(io.BytesIO(workbook_bytes))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.scheduled_reports.apply().get()
    assert Report.objects.filter(trigger=ReportTrigger.SCHEDULE).count() == reports.count()


def test_the_monthly_schedule_is_created_once_and_admin_edits_are_kept(db):
    task = PeriodicTask.objects.get(name=SCHEDULE_NAME)  # created by the data migration
    assert task.task == "evaluation.reports.scheduled" and task.enabled
    assert (task.crontab.day_of_month, task.crontab.hour, task.crontab.minute) == ("1", "6", "0")
    assert str(task.crontab.timezone) == "Europe/Paris"
    assert json.loads(task.kwargs) == {"rollups": True, "per_wave": True, "bilans": True}

    task.kwargs = json.dumps({"rollups": True, "per_wave": False, "bilans": False})
    task.save()
    assert ensure_schedule() == (task, False)
    assert json.loads(PeriodicTask.objects.get(name=SCHEDULE_NAME).kwargs)["bilans"] is False

    task.delete()
    recreated, created = ensure_schedule()
    assert created and recreated.name == SCHEDULE_NAME


def test_the_request_report_command_asks_like_the_interface(world, django_capture_on_commit_callbacks):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("request_report", "--scope", "site", "--site", world.site_b.slug, stdout=out)
        call_command("request_report", "--scope", "site", "--site", world.site_b.slug, stdout=out)
    report = Report.objects.get()
    assert report.site == world.site_b and report.state == ReportState.DONE
    assert "déjà demandé aujourd’hui" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("request_report", "--scope", "national", "--wave", "42")


def test_a_batch_waits_for_its_bilans_until_they_stop_moving_then_lists_the_missing_ones(world):
    batch, _ = request_report(ReportKind.BATCH, user=world.national, send=False)
    bilans = {child.site: child for child in tasks.batch_children(batch)}
    tasks.produce(bilans[world.site_a].pk)  # site B's bilan never comes (its message was lost, say)
    batch.refresh_from_db()
    children = list(Report.objects.filter(pk__in=batch.snapshot["reports"]))
    now = timezone.now()

    assert not tasks.stalled(batch, children, now=now)  # site A's bilan has just been produced: wait
    assert not tasks.stalled(batch, children, now=now + tasks.BATCH_STALL - dt.timedelta(minutes=1))
    assert tasks.stalled(batch, children, now=now + tasks.BATCH_STALL + dt.timedelta(minutes=1))

    # Waiting for the bilans and zipping them read their state and file, not their frozen data (2,000 sites:
    # 2,000 snapshots every few seconds).
    with CaptureQueriesContext(connection) as queries:
        assert tasks.assemble_batch.apply(args=[batch.pk]).get() == "done"
    read = [q["sql"] for q in queries if '"evaluation_report"."snapshot"' in q["sql"]]
    assert read and all(""""evaluation_report"."kind" = 'batch'""" in sql for sql in read)  # lists of ids
    batch.refresh_from_db()
    assert batch.state == ReportState.DONE and batch.error == "Bilans manquants : Quartier B"
    with zipfile.ZipFile(_file(batch, "archive")) as archive:
        assert archive.namelist() == ["bilan-quartier-a.pdf", "sommaire.csv"]
        lines = archive.read("sommaire.csv").decode().splitlines()
    assert any(line.startswith("Quartier B;") and line.endswith(";manquant") for line in lines)
