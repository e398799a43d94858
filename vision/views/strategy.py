"""The change strategy: add, edit, reorder, delete and link changes, in place with HTMX or as plain forms."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.http import require_http_methods

from qic import access
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once
from qic.locking import EditConflict

from .. import services
from ..enums import LEVEL_QUESTION, ChangeLevel, ChangeRegister
from ..forms import ChangeForm, LinksForm
from .common import (
    CHANGE_DISPLAY,
    CHANGE_FIELDS,
    after_save,
    get_change,
    posted_version,
    readable_conflict,
    render_form,
)

DEFAULT_REGISTER = {
    ChangeLevel.DIRECT: ChangeRegister.KNOWLEDGE,
    ChangeLevel.INTERMEDIATE: ChangeRegister.PRACTICES,
    ChangeLevel.ULTIMATE: ChangeRegister.LIVING_ENVIRONMENT,
}


def _form_context(form, change, level) -> dict:
    return {
        "form": form,
        "change": change,
        "level": level,
        "level_label": ChangeLevel(level).label,
        "question": LEVEL_QUESTION[level],
        "list_item": change is not None,
    }


def _service_error(form, error: ValidationError) -> None:
    form.add_error("contributes_to" if "contribue" in " ".join(error.messages) else None, error.messages)


@require_http_methods(["GET", "HEAD", "POST"])
def change_add(request: HttpRequest, site_slug: str) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    site = request.site
    level = request.POST.get("level") or request.GET.get("niveau") or ChangeLevel.DIRECT
    level = level if level in ChangeLevel.values else ChangeLevel.DIRECT
    if request.method == "POST":
        form = ChangeForm(request.POST, site=site)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with once(form):
                    change = services.add_change(
                        site,
                        request.user,
                        level=data["level"],
                        register=data["register"],
                        title=data["title"],
                        description=data["description"],
                        targets=list(data["contributes_to"]),
                        to_vision=data["to_vision"],
                    )
            except AlreadySubmitted:
                return after_save(request, "strategy", ALREADY_SAVED, anchor="strategie")
            except ValidationError as error:
                _service_error(form, error)
            else:
                return after_save(
                    request, "strategy", "Le changement est ajouté.", anchor=f"change-{change.pk}"
                )
    else:
        form = ChangeForm(
            site=site,
            initial={
                "level": level,
                "register": DEFAULT_REGISTER[level],
                "to_vision": level == ChangeLevel.ULTIMATE,
            },
        )
    return render_form(
        request,
        "vision/includes/change_form.html",
        _form_context(form, None, level),
        target=f"change-add-{level}",
        page_title=f"Ajouter un {ChangeLevel(level).label.lower()}",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def change_edit(request: HttpRequest, site_slug: str, change_id: int) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    site = request.site
    change = get_change(site, change_id)
    conflict = None
    if request.method == "POST":
        form = ChangeForm(request.POST, site=site, change=change)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.edit_change(
                    change,
                    request.user,
                    expected_version=data["version"],
                    level=data["level"],
                    register=data["register"],
                    title=data["title"],
                    description=data["description"],
                    targets=list(data["contributes_to"]),
                    to_vision=data["to_vision"],
                )
            except EditConflict as error:
                conflict = error
                form.take_conflict(error)
            except ValidationError as error:
                _service_error(form, error)
            else:
                return after_save(
                    request, "strategy", "Le changement est enregistré.", anchor=f"change-{change.pk}"
                )
    else:
        form = ChangeForm(
            site=site,
            change=change,
            initial={
                "version": change.version,
                "level": change.level,
                "register": change.register,
                "title": change.title,
                "description": change.description,
                "contributes_to": list(change.contributes_to.values_list("pk", flat=True)),
                "to_vision": change.contributes_to_vision,
            },
        )
    if conflict is not None:
        conflict = readable_conflict(conflict, CHANGE_FIELDS, CHANGE_DISPLAY)
    return render_form(
        request,
        "vision/includes/change_form.html",
        _form_context(form, change, change.level),
        target=f"change-{change.pk}",
        page_title="Modifier un changement",
        conflict=conflict,
        conflict_fields=CHANGE_FIELDS,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def change_links(request: HttpRequest, site_slug: str, change_id: int) -> HttpResponse:
    """What a change contributes to, edited on its own (the quick link editor)."""
    access.require(request.site_access.can_edit_work)
    site = request.site
    change = get_change(site, change_id)
    conflict = None
    if request.method == "POST":
        form = LinksForm(request.POST, site=site, change=change)
        if form.is_valid():
            try:
                services.set_links(
                    change,
                    request.user,
                    expected_version=form.cleaned_data["version"],
                    targets=list(form.cleaned_data["contributes_to"]),
                    to_vision=form.cleaned_data.get("to_vision", False),
                )
            except EditConflict as error:
                conflict = error
                form.take_conflict(error)
            except ValidationError as error:
                form.add_error("contributes_to", error.messages)
            else:
                return after_save(
                    request, "strategy", "Les liens sont enregistrés.", anchor=f"change-{change.pk}"
                )
    else:
        form = LinksForm(
            site=site,
            change=change,
            initial={
                "version": change.version,
                "contributes_to": list(change.contributes_to.values_list("pk", flat=True)),
                "to_vision": change.contributes_to_vision,
            },
        )
    return render_form(
        request,
        "vision/includes/links_form.html",
        {"form": form, "change": change, "vision_link": "to_vision" in form.fields, "list_item": True},
        target=f"change-{change.pk}",
        page_title=f"Relier « {change.title} »",
        conflict=conflict,
        conflict_fields={"title": "Intitulé"},
    )


def change_delete(request: HttpRequest, site_slug: str, change_id: int) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    change = get_change(request.site, change_id)
    if request.method != "POST":  # looked up first: another site's id is a 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        services.delete_change(change, request.user, expected_version=posted_version(request))
    except EditConflict as error:
        if error.current is not None:
            form = ChangeForm(
                site=request.site,
                change=error.current,
                initial={
                    "version": error.current.version,
                    "level": error.current.level,
                    "register": error.current.register,
                    "title": error.current.title,
                    "description": error.current.description,
                    "contributes_to": list(error.current.contributes_to.values_list("pk", flat=True)),
                    "to_vision": error.current.contributes_to_vision,
                },
            )
            return render_form(
                request,
                "vision/includes/change_form.html",
                {**_form_context(form, error.current, error.current.level), "delete_refused": error.current},
                target=f"change-{change.pk}",
                page_title="Suppression refusée",
            )
    return after_save(request, "strategy", "Le changement est supprimé.", anchor="strategie")


def change_move(request: HttpRequest, site_slug: str, change_id: int) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    change = get_change(request.site, change_id)
    if request.method != "POST":  # looked up first: another site's id is a 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    services.move_change(
        change, request.user, direction="up" if request.POST.get("sens") == "haut" else "down"
    )
    return after_save(request, "strategy", "Le changement est déplacé.", anchor=f"change-{change.pk}")
