"""Indicators of a site's changes and their measurements, with a trend chart and its table."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from qic import access, text
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once
from qic.locking import EditConflict, conflict_context

from .. import services
from ..forms import IndicatorForm, MeasurementForm


@require_safe
def indicator_list(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_read)
    context = {
        "page_title": f"Indicateurs — {site.name}",
        "site": site,
        "indicators": services.indicators_with_measurements(site),
        "editable": request.site_access.can_edit_work,
        "has_changes": site.changes.exists(),
    }
    return render(request, "evaluation/indicator_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def indicator_edit(request: HttpRequest, site_slug: str, pk: int | None = None) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_edit_work)
    indicator = get_object_or_404(site.indicators, pk=pk) if pk else None
    initial = {"change": request.GET.get("changement")} if indicator is None else None
    form = IndicatorForm(request.POST or None, instance=indicator, site=site, initial=initial)
    conflict = {}
    if request.method == "POST" and form.is_valid():
        try:
            with once(form):
                saved = services.save_indicator(form, site=site, user=request.user)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED)
            return redirect("evaluation:indicators", site_slug=site.slug)
        except EditConflict as error:
            form.take_conflict(error)
            conflict = conflict_context(error, services.INDICATOR_FIELDS)
        else:
            messages.success(request, f"Indicateur « {saved.name} » enregistré.")
            return redirect(reverse("evaluation:indicators", args=[site.slug]) + f"#indicateur-{saved.pk}")
    context = {
        **conflict,
        "page_title": ("Modifier l’indicateur" if indicator else "Nouvel indicateur") + f" — {site.name}",
        "site": site,
        "form": form,
        "indicator": indicator,
    }
    return render(request, "evaluation/indicator_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def measurement_add(request: HttpRequest, site_slug: str, pk: int, measurement_pk: int | None = None):
    """Record a measurement, or correct (or delete) one: both looked up within the site of the URL."""
    site = request.site
    access.require(request.site_access.can_edit_work)
    indicator = get_object_or_404(site.indicators.select_related("change"), pk=pk)
    measurement = get_object_or_404(indicator.measurements, pk=measurement_pk) if measurement_pk else None
    back = reverse("evaluation:indicators", args=[site.slug]) + f"#indicateur-{indicator.pk}"
    deleting = measurement is not None and request.method == "POST" and "supprimer" in request.POST
    if deleting and request.POST["supprimer"] == "confirmer":
        try:
            services.delete_measurement(measurement, expected_version=_posted_version(request))
        except EditConflict:
            messages.error(
                request,
                f"La mesure du {text.date(measurement.measured_on)} n’est pas supprimée : quelqu’un l’a "
                "corrigée ou supprimée entre-temps. Relisez-la avant de recommencer.",
            )
        else:
            messages.success(request, f"Mesure du {text.date(measurement.measured_on)} supprimée.")
        return redirect(back)
    # A first click on "Supprimer" only asks: the page says which measurement would go, for good.
    form = MeasurementForm(
        None if deleting else request.POST or None, instance=measurement, indicator=indicator
    )
    conflict = {}
    if request.method == "POST" and form.is_valid():
        try:
            with once(form):
                saved = services.save_measurement(form, indicator=indicator, user=request.user)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED)
            return redirect(back)
        except ValidationError as error:
            form.add_error(None, error)
        except EditConflict as error:
            form.take_conflict(error)
            conflict = conflict_context(error, services.MEASUREMENT_FIELDS)
        else:
            messages.success(request, f"Mesure du {text.date(saved.measured_on)} enregistrée.")
            return redirect(back)
    context = {
        **conflict,
        "page_title": ("Corriger la mesure" if measurement else "Nouvelle mesure") + f" — {indicator.name}",
        "site": site,
        "form": form,
        "indicator": indicator,
        "measurement": measurement,
        "confirm_delete": deleting,
    }
    return render(request, "evaluation/measurement_form.html", context)


def _posted_version(request) -> int:
    """The lock version a delete form was shown (none or malformed: a version no item has)."""
    value = request.POST.get("version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else -1
