"""The context analysis: positive factors to build on, negative factors to deal with, as editable lists."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.http import require_http_methods

from qic import access
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once
from qic.locking import EditConflict

from .. import services
from ..enums import FactorKind
from ..forms import FactorForm
from .common import after_save, get_factor, posted_version, render_form

FIELDS = {"text": "Facteur"}


@require_http_methods(["GET", "HEAD", "POST"])
def factor_add(request: HttpRequest, site_slug: str) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    kind = request.POST.get("kind") or request.GET.get("nature") or FactorKind.POSITIVE
    kind = kind if kind in FactorKind.values else FactorKind.POSITIVE
    if request.method == "POST":
        form = FactorForm(request.POST, creating=True)
        if form.is_valid():
            try:
                with once(form):
                    services.add_factor(
                        request.site,
                        request.user,
                        kind=form.cleaned_data["kind"],
                        text=form.cleaned_data["text"],
                    )
            except AlreadySubmitted:
                return after_save(request, "context", ALREADY_SAVED, anchor="contexte")
            return after_save(request, "context", "Le facteur est ajouté.", anchor="contexte")
    else:
        form = FactorForm(initial={"kind": kind}, creating=True)
    return render_form(
        request,
        "vision/includes/factor_form.html",
        {"form": form, "factor": None, "kind": kind, "kind_label": FactorKind(kind).label},
        target=f"factor-add-{kind}",
        page_title="Ajouter un facteur de contexte",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def factor_edit(request: HttpRequest, site_slug: str, factor_id: int) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    factor = get_factor(request.site, factor_id)
    conflict = None
    if request.method == "POST":
        form = FactorForm(request.POST)
        if form.is_valid():
            try:
                services.edit_factor(
                    factor,
                    request.user,
                    expected_version=form.cleaned_data["version"],
                    text=form.cleaned_data["text"],
                )
            except EditConflict as error:
                conflict = error
                form.take_conflict(error)
            else:
                return after_save(request, "context", "Le facteur est modifié.", anchor="contexte")
    else:
        form = FactorForm(initial={"kind": factor.kind, "text": factor.text, "version": factor.version})
    return render_form(
        request,
        "vision/includes/factor_form.html",
        {
            "form": form,
            "factor": factor,
            "kind": factor.kind,
            "kind_label": factor.get_kind_display(),
            "list_item": True,
        },
        target=f"factor-{factor.pk}",
        page_title="Modifier un facteur de contexte",
        conflict=conflict,
        conflict_fields=FIELDS,
    )


def factor_delete(request: HttpRequest, site_slug: str, factor_id: int) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    factor = get_factor(request.site, factor_id)
    if request.method != "POST":  # looked up first: another site's id is a 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        services.delete_factor(factor, request.user, expected_version=posted_version(request))
    except EditConflict as error:
        if error.current is not None:
            form = FactorForm(
                initial={"kind": factor.kind, "text": error.current.text, "version": error.current.version}
            )
            context = {
                "form": form,
                "factor": error.current,
                "kind": factor.kind,
                "kind_label": factor.get_kind_display(),
            }
            return render_form(
                request,
                "vision/includes/factor_form.html",
                {**context, "delete_refused": error.current, "list_item": True},
                target=f"factor-{factor.pk}",
                page_title="Suppression refusée",
            )
    return after_save(request, "context", "Le facteur est supprimé.", anchor="contexte")


def factor_move(request: HttpRequest, site_slug: str, factor_id: int) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    factor = get_factor(request.site, factor_id)
    if request.method != "POST":  # looked up first: another site's id is a 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    services.move_factor(
        factor, request.user, direction="up" if request.POST.get("sens") == "haut" else "down"
    )
    return after_save(request, "context", "Le facteur est déplacé.", anchor=f"factor-{factor.pk}")
