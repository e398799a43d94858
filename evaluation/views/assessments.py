"""A site's self-assessments: its trends over time (charts and their table), and recording a new one."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from collectives.services import backbone as backbone_services
from qic import access, text
from qic.charts import level_trend_chart
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once

from .. import assessments as services
from ..assessment_forms import SelfAssessmentForm
from ..enums import ConditionKey, ContinuumLevel, RoleCoverage


@require_safe
def assessment_list(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_read)
    rows = services.history(site)
    continuum = [
        (r.assessment.assessed_on, r.assessment.continuum_level) for r in rows if r.assessment.continuum_level
    ]
    conditions = [(r.assessment.assessed_on, r.condition_average) for r in rows if r.condition_average]
    charts = {}
    if continuum:
        charts["continuum"] = level_trend_chart(
            continuum,
            top=7,
            chart_id="tendance-continuum",
            title="Position sur le continuum de la coopération",
            desc="Niveaux de 1 (concurrence) à 7 (intégration) : "
            + ", ".join(f"{text.date(day)} : {ContinuumLevel(level).label}" for day, level in continuum)
            + ".",
        )
    if conditions:
        charts["conditions"] = level_trend_chart(
            conditions,
            top=4,
            chart_id="tendance-conditions",
            title="Moyenne des préconditions et des conditions",
            desc="Niveaux de 1 (absente) à 4 (bien établie) : "
            + ", ".join(f"{text.date(day)} : {text.average(value, 4)}" for day, value in conditions)
            + ".",
        )
    context = {
        "page_title": f"Auto-évaluations — {site.name}",
        "site": site,
        "rows": list(reversed(rows)),
        "charts": charts,
        "condition_keys": list(ConditionKey),
        "editable": request.site_access.can_edit_work,
    }
    return render(request, "evaluation/assessment_list.html", context)


def _initial(site) -> dict:
    """A new self-assessment starts from the last complete one, or from the backbone the site records."""
    initial = {"assessed_on": timezone.localdate()}
    rows = list(reversed(services.history(site)))
    placed = next((row for row in rows if row.assessment.continuum_level), None)
    if placed is not None:  # a session's continuum exercise counts too
        initial["continuum_level"] = placed.assessment.continuum_level
    last = next((row for row in rows if row.conditions), None)
    if last is not None:
        initial.update({f"condition_{key}": level for key, level in last.conditions.items()})
        initial.update({f"role_{role}": coverage for role, coverage in last.roles.items()})
    else:
        for row in backbone_services.coverage(site)["rows"]:
            initial[f"role_{row.role.value}"] = RoleCoverage.FULL if row.is_carried else RoleCoverage.NONE
    return initial


@require_http_methods(["GET", "HEAD", "POST"])
def assessment_add(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_edit_work)
    form = SelfAssessmentForm(
        request.POST or None, initial=_initial(site) if request.method != "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            with once(form):
                assessment = services.record(site, request.user, form.cleaned_data)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED)
        else:
            messages.success(request, f"Auto-évaluation du {text.date(assessment.assessed_on)} enregistrée.")
        return redirect("evaluation:assessments", site_slug=site.slug)
    context = {
        "page_title": f"Nouvelle auto-évaluation — {site.name}",
        "site": site,
        "form": form,
        "groups": [(title, form.condition_fields(keys)) for title, keys in services.condition_groups()],
        "role_fields": form.role_fields(),
    }
    return render(request, "evaluation/assessment_form.html", context)
