"""Evaluation cycles of a site: planned, observed, learned, adjusted; closing one adjusts the strategy."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from qic import access
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once
from qic.locking import EditConflict, conflict_context
from qic.params import parse_int

from .. import cycles as services
from ..forms import AdjustmentForm, CycleForm


def _cycle(request, pk):
    """The cycle with this id within the site of the URL (another site's id is a 404)."""
    return get_object_or_404(request.site.evaluation_cycles.select_related("closed_by", "learning"), pk=pk)


@require_safe
def cycle_list(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_read)
    context = {
        "page_title": f"Cycles d’évaluation — {site.name}",
        "site": site,
        "cycles": services.cycles_of(site),
        "today": timezone.localdate(),
        "editable": request.site_access.can_edit_work,
    }
    return render(request, "evaluation/cycle_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def cycle_detail(request: HttpRequest, site_slug: str, pk: int) -> HttpResponse:
    access.require(request.site_access.can_read)
    cycle = _cycle(request, pk)
    if request.method not in ("GET", "HEAD"):
        return redirect("evaluation:cycle_detail", site_slug=request.site.slug, pk=cycle.pk)
    return _render_detail(request, cycle)


def _render_detail(request, cycle, *, errors=(), status=200):
    context = {
        "page_title": f"{cycle.title} — cycle d’évaluation",
        "site": request.site,
        "cycle": cycle,
        # What each adjustment names (titles, the strategy's version number), not the elements' descriptions
        # nor the whole strategy each version holds.
        "adjustments": list(
            cycle.adjustment_items.select_related("change", "action", "revision").defer(
                "change__description", "action__description", "revision__snapshot"
            )
        ),
        "editable": request.site_access.can_edit_work and not cycle.is_closed,
        "close_errors": list(errors),
        "cycle_texts": [
            ("Ce que nous avions prévu", cycle.planned),
            ("Ce que nous avons observé", cycle.observed),
            ("Ce que nous avons appris", cycle.learned),
            ("Ce que nous ajustons", cycle.adjustments_summary),
        ],
    }
    return render(request, "evaluation/cycle_detail.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def cycle_edit(request: HttpRequest, site_slug: str, pk: int | None = None) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_edit_work)
    cycle = _cycle(request, pk) if pk else None
    if cycle is not None and cycle.is_closed:
        messages.info(request, "Ce cycle est clos : il ne se modifie plus.")
        return redirect("evaluation:cycle_detail", site_slug=site.slug, pk=cycle.pk)
    form = CycleForm(request.POST or None, instance=cycle)
    conflict = {}
    if request.method == "POST" and form.is_valid():
        try:
            with once(form):
                saved = services.save_cycle(form, site=site, user=request.user)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED)
            return redirect("evaluation:cycles", site_slug=site.slug)
        except services.CycleCannotClose as error:  # closed while this form was open
            messages.error(request, " ".join(error.messages))
            return redirect("evaluation:cycle_detail", site_slug=site.slug, pk=cycle.pk)
        except EditConflict as error:
            form.take_conflict(error)
            conflict = conflict_context(error, services.CYCLE_FIELDS)
        else:
            messages.success(request, f"Cycle « {saved.title} » enregistré.")
            return redirect("evaluation:cycle_detail", site_slug=site.slug, pk=saved.pk)
    context = {
        **conflict,
        "page_title": ("Modifier le cycle" if cycle else "Nouveau cycle d’évaluation") + f" — {site.name}",
        "site": site,
        "form": form,
        "cycle": cycle,
    }
    return render(request, "evaluation/cycle_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def adjustment_add(request: HttpRequest, site_slug: str, pk: int) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_edit_work)
    cycle = _cycle(request, pk)
    if cycle.is_closed:
        messages.info(request, "Ce cycle est clos : ses ajustements sont appliqués.")
        return redirect("evaluation:cycle_detail", site_slug=site.slug, pk=cycle.pk)
    form = AdjustmentForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        try:
            with once(form):
                services.add_adjustment(form, cycle=cycle)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED)
        except services.CycleCannotClose as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, "Ajustement ajouté : il sera appliqué à la stratégie à la clôture du cycle."
            )
        return redirect("evaluation:cycle_detail", site_slug=site.slug, pk=cycle.pk)
    context = {
        "page_title": f"Nouvel ajustement — {cycle.title}",
        "site": site,
        "cycle": cycle,
        "form": form,
    }
    return render(request, "evaluation/adjustment_form.html", context)


# POST-only actions look their objects up (404 to another site's ids) before checking the method: a GET is
# sent back to the cycle's page.


@require_http_methods(["GET", "HEAD", "POST"])
def adjustment_delete(request: HttpRequest, site_slug: str, pk: int, adjustment_pk: int) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    cycle = _cycle(request, pk)
    adjustment = get_object_or_404(cycle.adjustment_items, pk=adjustment_pk)
    if request.method != "POST":
        return redirect("evaluation:cycle_detail", site_slug=request.site.slug, pk=cycle.pk)
    try:
        services.delete_adjustment(adjustment)
    except services.CycleCannotClose as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Ajustement supprimé.")
    return redirect("evaluation:cycle_detail", site_slug=request.site.slug, pk=cycle.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def cycle_close(request: HttpRequest, site_slug: str, pk: int) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    cycle = _cycle(request, pk)
    if request.method != "POST":
        return redirect("evaluation:cycle_detail", site_slug=request.site.slug, pk=cycle.pk)
    version = parse_int(request.POST.get("version"))
    version = -1 if version is None else version
    try:
        closed = services.close_cycle(cycle, request.user, expected_version=version)
    except services.CycleCannotClose as error:
        cycle.refresh_from_db()
        return _render_detail(request, cycle, errors=error.messages, status=409)
    edits = sum(1 for a in closed.adjustment_items.all() if a.edits_strategy)
    text = (
        f"Cycle « {closed.title} » clos ; ce que vous avez appris est consigné au journal des apprentissages."
    )
    if edits:
        text += " La stratégie de changement est ajustée (nouvelle version à faire adopter par le trinôme)."
    messages.success(request, text)
    return redirect("evaluation:cycle_detail", site_slug=request.site.slug, pk=closed.pk)
