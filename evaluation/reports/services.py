"""Asking for reports and finding them: one report per scope and data date, whoever asks and however often."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from qic import access, queue

from .enums import ReportKind, ReportState, ReportTrigger
from .models import Report

# A report still waiting this long after it was asked for is sent to the workers again (tasks are idempotent):
# the message may have been lost with a broker that restarted without persistence.
REQUEUE_AFTER = dt.timedelta(minutes=15)


def scope_key(kind: str, *, site=None, wave=None, region=None) -> str:
    if kind == ReportKind.SITE:
        return f"site:{site.pk}"
    return f"{kind}:wave={wave.pk if wave else 'all'}:region={region.pk if region else 'all'}"


def _task(report: Report):
    from .tasks import generate_batch, generate_report

    return generate_batch if report.kind == ReportKind.BATCH else generate_report


def enqueue(report: Report) -> None:
    """Send the report to the workers once the current transaction commits (kept in the database until the
    broker takes it: `qic.queue`)."""
    queue.enqueue(_task(report), report.pk)


def waiting_for_broker(report: Report) -> bool:
    """Whether the report waits for the processing service to come back before its production can start."""
    return report.state == ReportState.PENDING and queue.is_waiting(_task(report), report.pk)


def request_report(
    kind: str,
    *,
    site=None,
    wave=None,
    region=None,
    user=None,
    trigger: str = ReportTrigger.DEMAND,
    data_date: dt.date | None = None,
    send: bool = True,
) -> tuple[Report, bool]:
    """The report of this scope for this data date (today by default), created and queued if new.

    Asking again for a report that failed queues it again; asking for one that is waiting or done changes
    nothing. Returns the report and whether this call created it.
    """
    if kind == ReportKind.SITE:
        if site is None:
            raise ValueError("A site report needs a site")
        wave = region = None
    elif site is not None:
        raise ValueError("Only site reports have a site")
    data_date = data_date or timezone.localdate()
    key = scope_key(kind, site=site, wave=wave, region=region)
    with transaction.atomic():
        try:
            with transaction.atomic():
                report, created = Report.objects.get_or_create(
                    scope_key=key,
                    data_date=data_date,
                    defaults={
                        "kind": kind,
                        "site": site,
                        "wave": wave,
                        "region": region,
                        "trigger": trigger,
                        "requested_by": user if user and user.is_authenticated else None,
                    },
                )
        except IntegrityError:  # another request created it between our read and our write
            report, created = Report.objects.get(scope_key=key, data_date=data_date), False
        queue = created
        if not created and report.state == ReportState.FAILED:
            queue = bool(
                Report.objects.filter(pk=report.pk, state=ReportState.FAILED).update(
                    state=ReportState.PENDING, progress=0, step="", error=""
                )
            )
            report.refresh_from_db()
        elif not created and report.state == ReportState.PENDING:
            queue = report.requested_at < timezone.now() - REQUEUE_AFTER and report.started_at is None
        if queue and send:
            enqueue(report)
    return report, created


# What reads of reports leave out unless they compare: a roll-up's frozen data weighs megabytes (2,000 sites),
# and reading it for each row of the archive cost more than the rest of the page. A report's page, its
# download and its list of comparable reports leave it too; a comparison reads the two it compares (the
# deferred field loads on first use, as does a batch's list of bilans).
LIST_DEFERRED = ("snapshot",)


def visible_reports(user, queryset: QuerySet | None = None) -> QuerySet:
    """The reports this user may see and download: all for national roles, their sites' bilans otherwise."""
    qs = Report.objects.all() if queryset is None else queryset
    if access.sees_all_sites(user):
        return qs
    return qs.filter(kind=ReportKind.SITE, site__in=access.report_sites(user))


def site_reports(site) -> QuerySet:
    return (
        Report.objects.filter(site=site, kind=ReportKind.SITE)
        .select_related("requested_by", "site")
        .defer(*LIST_DEFERRED)
    )


def batch_progress(batch: Report) -> dict:
    """How many of a batch's bilans are done, read from the database (the batch's page polls it)."""
    ids = (batch.snapshot or {}).get("reports", [])
    if not ids:
        return {"total": 0, "done": 0, "failed": 0}
    counts = Report.objects.filter(pk__in=ids).aggregate(
        done=Count("pk", filter=Q(state=ReportState.DONE)),
        failed=Count("pk", filter=Q(state=ReportState.FAILED)),
    )
    return {"total": len(ids), **counts}


def comparable_reports(report: Report) -> QuerySet:
    """Other finished reports of the same scope, the newest first."""
    return (
        Report.objects.filter(scope_key=report.scope_key, state=ReportState.DONE)
        .exclude(pk=report.pk)
        .defer(*LIST_DEFERRED)
        .order_by("-data_date")
    )
