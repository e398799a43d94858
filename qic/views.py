"""Platform-wide views: the role-based landing page, public information pages, health check."""

from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from qic import access, htmx, unsaved


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own start page."""
    user = request.user
    if access.sees_all_sites(user):
        return redirect("sites:dashboard")
    if access.is_facilitator(user):
        return redirect("sites:list")
    sites = list(access.visible_sites(user).values_list("slug", flat=True)[:2])
    if len(sites) == 1:
        return redirect("sites:detail", site_slug=sites[0])
    return redirect("sites:list")


def _contact() -> dict:
    return {"contact_email": settings.QIC_CONTACT_EMAIL, "hosting": settings.QIC_HOSTING}


@login_not_required
@require_safe
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/legal_notice.html", {"page_title": "Mentions légales", **_contact()})


@login_not_required
@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request, "pages/accessibility.html", {"page_title": "Déclaration d’accessibilité", **_contact()}
    )


@login_not_required
@require_safe
def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/personal_data.html", {"page_title": "Données personnelles", **_contact()})


@login_not_required
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", {"page_title": "Accès refusé"}, status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    context = {"page_title": "Page introuvable"}
    kept = unsaved.sent_to_nothing(request)  # what a form sent to an item deleted meanwhile: shown, to copy
    if kept is not None:
        context["unsaved"] = SimpleNamespace(kept=kept)
    return render(request, "404.html", context, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", {"page_title": "Erreur"}, status=500)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "400.html", {"page_title": "Requête invalide"}, status=400)


STALE_PAGE = (
    "Cette page n’était plus à jour (vous vous êtes sans doute reconnecté·e dans un autre onglet depuis son "
    "ouverture) : rien n’a été enregistré."
)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (settings.CSRF_FAILURE_VIEW). Sent by a signed-in person from one of
    the platform's own pages, its token went stale (they signed in again in another tab since the page was
    shown): nothing is saved, what they typed is kept (`qic.unsaved`) and the page they were on opens again,
    with a fresh token and their text. Otherwise (another site's page, cookies refused): a page that says
    what happened and what to do, in French."""
    user = request.user
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"detail": "Jeton de sécurité absent ou périmé : rechargez la page."}, status=403)
    page = unsaved.page_of(request)
    if (
        user.is_authenticated
        and request.method == "POST"
        and reason != REASON_NO_CSRF_COOKIE
        and page is not None
        and unsaved.same_origin(request)
    ):
        kept = unsaved.keep(request, user.pk)
        then = (
            " Votre saisie vous est rendue : vérifiez-la, puis envoyez-la de nouveau."
            if kept
            else " Vous pouvez recommencer."
        )
        messages.warning(request, STALE_PAGE + then)
        return htmx.redirect(request, page)
    context = {"page_title": "Demande refusée", "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return render(request, "403_csrf.html", context, status=403)
