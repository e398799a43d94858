"""Adoption: each trinôme seat holder approves the latest version; the third approval adopts it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from qic import access
from qic.params import parse_int

from .. import services
from .common import render_panels, workspace_url


def _number(request) -> int:
    number = parse_int(request.POST.get("version"), min=0)
    return -1 if number is None else number


def _answer(request: HttpRequest, message: str, *, error: bool = False) -> HttpResponse:
    if request.htmx:
        response = render_panels(
            request, "adoption", extra={"adoption_message": message, "adoption_error": error}
        )
        return retarget(reswap(response, "outerHTML"), "#adoption-panel")
    (messages.error if error else messages.success)(request, message)
    return redirect(workspace_url(request.site, "adoption"))


@require_POST
def approve(request: HttpRequest, site_slug: str) -> HttpResponse:
    access.require(request.site_access.can_approve_work)
    number = _number(request)
    try:
        revision = services.approve(request.site, request.user, number=number)
    except services.AdoptionRefused as refusal:
        return _answer(request, " ".join(refusal.messages), error=True)
    if revision.is_adopted:
        message = f"Version {revision.number} adoptée : les trois membres du trinôme l’ont approuvée."
    else:
        message = f"Votre approbation de la version {revision.number} est enregistrée."
    return _answer(request, message)


@require_POST
def withdraw(request: HttpRequest, site_slug: str) -> HttpResponse:
    access.require(request.site_access.can_approve_work)
    refusal = services.withdraw_approval(request.site, request.user, number=_number(request))
    if refusal:
        return _answer(request, refusal, error=True)
    return _answer(request, "Votre approbation est retirée.")
