"""The public pages of the sites (`/quartiers/`, no login) and the trinôme's acts on their publication (from
the site page's panel)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from qic import access, pagination, text
from qic.params import parse_int, parse_text

from .. import publication

INDEX_PAGE = 60  # published sites per page of the index


def _back(request: HttpRequest, outcome_or_error: str, *, error: bool = False) -> HttpResponse:
    (messages.error if error else messages.success)(request, outcome_or_error)
    return redirect(reverse("sites:detail", kwargs={"site_slug": request.site.slug}) + "#publication")


def _act(request: HttpRequest, act) -> HttpResponse:
    try:
        outcome = act()
    except publication.PublicationRefused as refusal:
        return _back(request, " ".join(refusal.messages), error=True)
    return _back(request, outcome.message)


@require_POST
def propose(request: HttpRequest, site_slug: str) -> HttpResponse:
    access.require(request.site_access.can_publish_page)
    return _act(request, lambda: publication.propose(request.site, request.user))


@require_POST
def approve(request: HttpRequest, site_slug: str) -> HttpResponse:
    access.require(request.site_access.can_publish_page)
    number = parse_int(request.POST.get("proposition"), min=1) or 0
    return _act(request, lambda: publication.approve(request.site, request.user, number=number))


@require_POST
def unpublish(request: HttpRequest, site_slug: str) -> HttpResponse:
    access.require(request.site_access.can_unpublish_page)
    return _act(request, lambda: publication.unpublish(request.site, request.user))


# Public pages: no login, never stored by a cache (unpublishing must take effect at once) -------------------


@login_not_required
@never_cache
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The published sites, with a search by name, commune, department or region (accents and capitals
    aside): the published sites are read at once and filtered in memory, a list of a few hundred at most."""
    query = parse_text(request.GET.get("q"), max_length=100) or ""
    published = publication.published_sites()
    if query:
        wanted = text.normalise(query)
        published = [
            site
            for site in published
            if wanted
            in text.normalise(
                f"{site.name} {site.communes} {site.department.name} {site.department.region.name}"
            )
        ]
    sites = pagination.paginate(request, published, INDEX_PAGE)
    return render(
        request,
        "vision/public/index.html",
        {
            "page_title": "Les quartiers à impact collectif",
            "sites": sites,
            "query": query,
            "public_page": True,
        },
    )


@login_not_required
@never_cache
@require_safe
def site_page(request: HttpRequest, slug: str) -> HttpResponse:
    site, preview = access.get_public_site(request.user, slug)
    content = publication.page(site)
    vision = content["vision"]
    place = f"{site.communes} ({site.department.name}, {site.department.region.name})"
    description = (
        f"La vision du collectif de {site.name} : « {vision.statement} »"
        if vision
        else f"Le collectif de {site.name}, {place}, dans la démarche Quartiers à impact collectif."
    )
    return render(
        request,
        "vision/public/site.html",
        {
            "page_title": f"{site.name} — page publique",
            "site": site,
            "place": place,
            "preview": preview,
            "description": description[:300],
            "canonical": settings.SITE_URL.rstrip("/") + request.path,
            "public_page": True,
            **content,
        },
    )
