"""The workspace page, the one-page diagram (page and .svg), the vision statement and the narrative."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qic import access
from qic.locking import EditConflict
from qic.params import parse_id, parse_int

from .. import document, rules, services
from ..diagram import render_svg
from ..forms import NarrativeForm, StatementForm
from ..models import ChangeStrategy, Revision, Vision
from .common import PANELS, after_save, render_form, workspace_context


@require_safe
def workspace(request: HttpRequest, site_slug: str) -> HttpResponse:
    panel = request.GET.get("panneau", "")
    if request.htmx and panel in PANELS:
        # "Annuler" of a form opened in place: the panel as it stands.
        return render(request, PANELS[panel], workspace_context(request))
    context = workspace_context(request)
    context["page_title"] = f"Vision et stratégie — {request.site.name}"
    return render(request, "vision/workspace.html", context)


def _version_snapshot(request: HttpRequest) -> tuple[dict, Revision | None]:
    """The snapshot asked for with ?version=N (a saved version of this site), else the draft."""
    number = parse_id(request.GET.get("version"))
    if number:
        revision = Revision.objects.filter(site=request.site, number=number).first()
        if revision is not None:
            return revision.snapshot, revision
    return document.snapshot(document.load(request.site)), None


@require_safe
def diagram(request: HttpRequest, site_slug: str) -> HttpResponse:
    snap, revision = _version_snapshot(request)
    title = f"Stratégie de changement — {request.site.name}"
    return render(
        request,
        "vision/diagram.html",
        {
            "page_title": f"Schéma de la stratégie — {request.site.name}",
            "site": request.site,
            "revision": revision,
            "svg": render_svg(snap, title=title, id_prefix="qic-page"),
            "chain": document.chain(snap),
            "snap": snap,
        },
    )


@require_safe
def diagram_svg(request: HttpRequest, site_slug: str) -> HttpResponse:
    snap, revision = _version_snapshot(request)
    svg = render_svg(snap, title=f"Stratégie de changement — {request.site.name}")
    response = HttpResponse('<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml")
    suffix = f"-version-{revision.number}" if revision else ""
    response["Content-Disposition"] = (
        f'attachment; filename="strategie-{slugify(request.site.slug)}{suffix}.svg"'
    )
    # Opened on its own, the file may not run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def statement(request: HttpRequest, site_slug: str) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    site = request.site
    vision = Vision.objects.filter(site=site).first()
    conflict = None
    if request.method == "POST":
        form = StatementForm(request.POST)
        if form.is_valid():
            try:
                services.save_statement(
                    site,
                    request.user,
                    expected_version=form.cleaned_data["version"],
                    statement=form.cleaned_data["statement"],
                    horizon_year=form.cleaned_data["horizon_year"],
                )
            except EditConflict as error:
                conflict = error
                form.take_conflict(error)
            else:
                return after_save(request, "vision", "La vision est enregistrée.")
    else:
        initial = {"version": vision.version if vision else 1}
        if vision:
            initial.update(statement=vision.statement, horizon_year=vision.horizon_year)
        form = StatementForm(initial=initial)
    text = form["statement"].value() or ""
    year = form["horizon_year"].value()
    return render_form(
        request,
        "vision/includes/statement_form.html",
        {"form": form, "hints": rules.statement_hints(text, _year(year))},
        target="vision-panel",
        page_title="Écrire la vision",
        conflict=conflict,
        conflict_fields={"statement": "Énoncé", "horizon_year": "Horizon"},
    )


def _year(value) -> int | None:
    return parse_int(value, min=1, max=9999)


@require_POST
def statement_hints(request: HttpRequest, site_slug: str) -> HttpResponse:
    """The guidance under the statement, refreshed while typing (HTMX)."""
    access.require(request.site_access.can_edit_work)
    text = request.POST.get("statement", "")[:2000]
    hints = rules.statement_hints(text, _year(request.POST.get("horizon_year")))
    return render(request, "vision/includes/statement_hints.html", {"hints": hints})


@require_http_methods(["GET", "HEAD", "POST"])
def narrative(request: HttpRequest, site_slug: str) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    site = request.site
    strategy = ChangeStrategy.objects.filter(site=site).first()
    conflict = None
    if request.method == "POST":
        form = NarrativeForm(request.POST)
        if form.is_valid():
            try:
                services.save_narrative(
                    site,
                    request.user,
                    expected_version=form.cleaned_data["version"],
                    narrative=form.cleaned_data["narrative"],
                )
            except EditConflict as error:
                conflict = error
                form.take_conflict(error)
            else:
                return after_save(request, "narrative", "Le récit est enregistré.")
    else:
        form = NarrativeForm(
            initial={
                "version": strategy.version if strategy else 1,
                "narrative": strategy.narrative if strategy else "",
            }
        )
    return render_form(
        request,
        "vision/includes/narrative_form.html",
        {"form": form},
        target="narrative-panel",
        page_title="Écrire le récit de la stratégie",
        conflict=conflict,
        conflict_fields={"narrative": "Récit"},
    )
