"""Actions and projects of partners, aligned on the changes of the strategy they serve."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.http import require_http_methods

from qic import access
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once
from qic.locking import EditConflict
from qic.params import parse_id

from .. import services
from ..enums import ActionStatus
from ..forms import ActionForm
from .common import after_save, get_action, posted_version, readable_conflict, render_form

FIELDS = {
    "name": "Action ou projet",
    "lead_organisation": "Structure porteuse",
    "status": "État",
    "description": "Description",
}
DISPLAY = {"status": lambda value: ActionStatus(value).label}


def _initial(action) -> dict:
    return {
        "version": action.version,
        "name": action.name,
        "lead_organisation": action.lead_organisation,
        "status": action.status,
        "description": action.description,
        "changes": list(action.changes.values_list("pk", flat=True)),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def action_add(request: HttpRequest, site_slug: str) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    site = request.site
    if request.method == "POST":
        form = ActionForm(request.POST, site=site, creating=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with once(form):
                    action = services.add_action(
                        site,
                        request.user,
                        name=data["name"],
                        lead_organisation=data["lead_organisation"],
                        status=data["status"],
                        description=data["description"],
                        changes=list(data["changes"]),
                    )
            except AlreadySubmitted:
                return after_save(request, "actions", ALREADY_SAVED, anchor="actions")
            except ValidationError as error:
                form.add_error("changes", error.messages)
            else:
                return after_save(request, "actions", "L’action est ajoutée.", anchor=f"action-{action.pk}")
    else:
        initial = {}
        change = parse_id(request.GET.get("changement"))
        if change:
            initial["changes"] = [change]
        form = ActionForm(site=site, creating=True, initial=initial)
    return render_form(
        request,
        "vision/includes/action_form.html",
        {"form": form, "action": None},
        target="action-add",
        page_title="Ajouter une action de partenaire",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def action_edit(request: HttpRequest, site_slug: str, action_id: int) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    site = request.site
    action = get_action(site, action_id)
    conflict = None
    if request.method == "POST":
        form = ActionForm(request.POST, site=site)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.edit_action(
                    action,
                    request.user,
                    expected_version=data["version"],
                    name=data["name"],
                    lead_organisation=data["lead_organisation"],
                    status=data["status"],
                    description=data["description"],
                    changes=list(data["changes"]),
                )
            except EditConflict as error:
                conflict = readable_conflict(error, FIELDS, DISPLAY)
                form.take_conflict(error)
            except ValidationError as error:
                form.add_error("changes", error.messages)
            else:
                return after_save(
                    request, "actions", "L’action est enregistrée.", anchor=f"action-{action.pk}"
                )
    else:
        form = ActionForm(site=site, initial=_initial(action))
    return render_form(
        request,
        "vision/includes/action_form.html",
        {"form": form, "action": action, "list_item": True},
        target=f"action-{action.pk}",
        page_title="Modifier une action de partenaire",
        conflict=conflict,
        conflict_fields=FIELDS,
    )


def action_delete(request: HttpRequest, site_slug: str, action_id: int) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    action = get_action(request.site, action_id)
    if request.method != "POST":  # looked up first: another site's id is a 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        services.delete_action(action, request.user, expected_version=posted_version(request))
    except EditConflict as error:
        if error.current is not None:
            form = ActionForm(site=request.site, initial=_initial(error.current))
            return render_form(
                request,
                "vision/includes/action_form.html",
                {"form": form, "action": error.current, "delete_refused": error.current, "list_item": True},
                target=f"action-{action.pk}",
                page_title="Suppression refusée",
            )
    return after_save(request, "actions", "L’action est supprimée.", anchor="actions")
