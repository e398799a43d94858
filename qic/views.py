"""Platform-wide views: the role-based landing page, public information pages, health check."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from qic import access


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


@login_not_required
@require_safe
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/legal_notice.html", {"page_title": "Mentions légales"})


@login_not_required
@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html", {"page_title": "Déclaration d’accessibilité"})


@login_not_required
@require_safe
def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/personal_data.html", {"page_title": "Données personnelles"})


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
    return render(request, "404.html", {"page_title": "Page introuvable"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", {"page_title": "Erreur"}, status=500)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "400.html", {"page_title": "Requête invalide"}, status=400)
