"""Views of the reports: the archive, asking for a report, its progress (polled with HTMX), downloads and
comparisons. National roll-ups and batches are for national roles; a site's bilans live under the site's URL,
looked up within `request.site` (another site's report id is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from qic import access, queue
from qic.pagination import paginate

from . import services
from .compare import compare_reports
from .enums import FORMATS, ReportKind, ReportState
from .forms import CompareForm, NationalReportForm
from .models import Report

ARCHIVE_PAGE_SIZE = 30
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
FIELDS = {"pdf": "pdf", "xlsx": "xlsx", "zip": "archive"}


def _national_report(request: HttpRequest, report_id: int) -> Report:
    access.require(access.can_request_national_reports(request.user))
    report = (
        Report.objects.filter(pk=report_id, kind__in=(ReportKind.NATIONAL, ReportKind.BATCH))
        .select_related("wave", "region", "requested_by")
        .defer(*services.LIST_DEFERRED)
        .first()
    )
    if report is None:
        raise Http404("Synthèse introuvable")
    return report


def _site_report(request: HttpRequest, report_id: int) -> Report:
    access.require(request.site_access.can_download_report)
    report = services.site_reports(request.site).filter(pk=report_id).first()
    if report is None:
        raise Http404("Bilan introuvable")
    return report


# What the person who asked reads while the broker (Redis) is unavailable: their request is kept.
WAITING_FOR_BROKER = f"{queue.UNAVAILABLE} : la production démarrera dès son retour."


def _announce(request: HttpRequest, report: Report, created: bool, label: str, again: str) -> None:
    """What the person who asked reads above the report's progress: consistent with it. A report produced
    in-process (no broker) is already finished here; one sent to a worker is still to be produced."""
    if services.waiting_for_broker(report):
        messages.warning(request, f"{label} : demande enregistrée. {WAITING_FOR_BROKER}")
    elif not created:
        messages.info(request, again)
    else:
        report.refresh_from_db(fields=["state"])
        outcome = {ReportState.DONE: ", le document est prêt", ReportState.FAILED: ""}.get(
            report.state, ", la production commence"
        )
        messages.success(request, f"{label} : demande enregistrée{outcome}.")


def _progress_context(report: Report) -> dict:
    context = {
        "report": report,
        "formats": FORMATS[report.kind],
        "waiting_for_broker": WAITING_FOR_BROKER if services.waiting_for_broker(report) else "",
    }
    if report.kind == ReportKind.BATCH:
        batch = services.batch_progress(report)
        context["batch"] = batch
        if batch["total"] and report.state != ReportState.DONE:
            context["percent"] = min(99, 5 + round(90 * (batch["done"] + batch["failed"]) / batch["total"]))
    context.setdefault("percent", report.progress)
    return context


def _detail(request: HttpRequest, report: Report, page_context: dict, template: str) -> HttpResponse:
    context = {**_progress_context(report), **page_context}
    if request.htmx:
        return render(request, "reports/includes/progress.html", context)
    context["comparable"] = (
        list(services.comparable_reports(report)[:20]) if report.state == ReportState.DONE else []
    )
    return render(request, template, context)


def _download(report: Report, fmt: str) -> FileResponse:
    if fmt not in FORMATS[report.kind] or report.state != ReportState.DONE:
        raise Http404("Fichier introuvable")
    stored = getattr(report, FIELDS[fmt])
    if not stored or not default_storage.exists(stored.name):
        raise Http404("Fichier introuvable")
    filename = stored.name.rsplit("/", 1)[-1]
    return FileResponse(
        default_storage.open(stored.name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[fmt],
    )


def _compare(request: HttpRequest, report: Report, page_context: dict, template: str) -> HttpResponse:
    candidates = list(services.comparable_reports(report)[:50]) if report.state == ReportState.DONE else []
    form = CompareForm(request.GET or None, candidates=candidates)
    comparison = None
    if form.is_valid():
        other = next(r for r in candidates if r.pk == form.cleaned_data["other"])
        comparison = compare_reports(report, other)
    context = {
        "page_title": f"Comparer — {report.title}",
        "report": report,
        "form": form,
        "candidates": candidates,
        "comparison": comparison,
        **page_context,
    }
    return render(request, template, context, status=400 if form.errors else 200)


# --- The archive and national roll-ups --------------------------------------------------------------------


@require_safe
def archive(request: HttpRequest) -> HttpResponse:
    """Every report this user may download, newest first; national roles also ask for roll-ups here."""
    reports = (
        services.visible_reports(request.user)
        .select_related("site", "wave", "region", "requested_by")
        .defer(*services.LIST_DEFERRED)
    )
    kind = request.GET.get("type", "")
    if kind in ReportKind.values:
        reports = reports.filter(kind=kind)
    else:
        kind = ""
    page = paginate(request, reports, ARCHIVE_PAGE_SIZE)
    can_request = access.can_request_national_reports(request.user)
    context = {
        "page_title": "Bilans",
        "page_obj": page,
        "kinds": ReportKind.choices,
        "selected_kind": kind,
        "can_request": can_request,
        "form": NationalReportForm() if can_request else None,
    }
    return render(request, "reports/archive.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def request_national(request: HttpRequest) -> HttpResponse:
    """Ask for a national roll-up or a batch of bilans (idempotent: the same scope today is one report)."""
    access.require(access.can_request_national_reports(request.user))
    form = NationalReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report, created = services.request_report(
            form.cleaned_data["kind"],
            wave=form.cleaned_data["wave"],
            region=form.cleaned_data["region"],
            user=request.user,
        )
        again = f"{report.title} : déjà demandée aujourd’hui, la voici."
        _announce(request, report, created, report.title, again)
        return redirect(report.get_absolute_url())
    context = {"page_title": "Demander une synthèse", "form": form}
    return render(request, "reports/request.html", context, status=400 if form.errors else 200)


@require_safe
def detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _national_report(request, report_id)
    context = {"page_title": report.title, "poll_url": request.path}
    return _detail(request, report, context, "reports/detail.html")


@require_safe
def download(request: HttpRequest, report_id: int, fmt: str) -> FileResponse:
    return _download(_national_report(request, report_id), fmt)


@require_safe
def compare(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _national_report(request, report_id)
    return _compare(request, report, {"compare_url": request.path}, "reports/compare.html")


# --- A site's bilans ------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def site_reports(request: HttpRequest, site_slug: str) -> HttpResponse:
    """The bilans of one site; asking for today's bilan (POST) leads to its progress."""
    access.require(request.site_access.can_download_report)
    site = request.site
    if request.method == "POST":
        report, created = services.request_report(ReportKind.SITE, site=site, user=request.user)
        again = f"Le bilan de {site.name} a déjà été demandé aujourd’hui : le voici."
        _announce(request, report, created, f"Bilan de {site.name}", again)
        return redirect(report.get_absolute_url())
    page = paginate(request, services.site_reports(site), ARCHIVE_PAGE_SIZE)
    context = {"page_title": f"Bilans — {site.name}", "site": site, "page_obj": page}
    return render(request, "reports/site_reports.html", context)


# Site views look the report up before checking the method: another site's id is a 404 whatever the method.
def site_detail(request: HttpRequest, site_slug: str, report_id: int) -> HttpResponse:
    report = _site_report(request, report_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    context = {"page_title": report.title, "site": request.site, "poll_url": request.path}
    return _detail(request, report, context, "reports/site_detail.html")


def site_download(request: HttpRequest, site_slug: str, report_id: int) -> HttpResponse:
    report = _site_report(request, report_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _download(report, "pdf")


def site_compare(request: HttpRequest, site_slug: str, report_id: int) -> HttpResponse:
    report = _site_report(request, report_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    context = {"site": request.site, "compare_url": request.path}
    return _compare(request, report, context, "reports/site_compare.html")
