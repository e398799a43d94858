"""Views of the registry: the list of the sites a user may see, and one site's page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from qic import access, pagination
from qic.params import parse_id, parse_text
from qic.roles import TRINOME_SEATS

from .. import journal, panels, progress
from ..forms import StatusChangeForm
from ..models import Region, Site, Wave
from .lifecycle import prerequisites_context

JOURNAL_PREVIEW = 8
FILTERS_FROM = 10  # sites in the list: fewer fit on one screen, without filters


@require_safe
def site_list(request: HttpRequest) -> HttpResponse:
    sites = (
        access.visible_sites(request.user)
        .with_geography()
        .select_related("progress")
        .order_by("wave__number", "name")
    )
    wave = parse_id(request.GET.get("vague"))
    region = parse_text(request.GET.get("region"), max_length=10)
    if wave:
        sites = sites.filter(wave__number=wave)
    if region:
        sites = sites.filter(department__region__code=region)
    page = pagination.paginate(request, sites, 50)
    page.object_list = progress.attach(page.object_list)
    context = {
        "page_title": "Sites",
        "page_obj": page,
        "waves": list(Wave.objects.all()),
        "regions": list(Region.objects.holding(access.visible_sites(request.user))),
        "selected_wave": wave,
        "selected_region": region,
        "seat_count": len(TRINOME_SEATS),
        # A trinôme member's one or two sites need no filters; a filter in force stays removable.
        "filterable": bool(wave or region) or page.paginator.count > FILTERS_FROM,
    }
    return render(request, "sites/site_list.html", context)


@require_safe
def site_detail(request: HttpRequest, site_slug: str) -> HttpResponse:
    site: Site = request.site
    site_access = request.site_access
    memberships = site.memberships.select_related("user").order_by("role", "-started_on")
    current = [m for m in memberships if m.is_current]
    seats = []
    for seat in TRINOME_SEATS:
        holder = next((m for m in current if m.role == seat), None)
        seats.append({"label": seat.label, "holder": holder})
    context = {
        "page_title": site.name,
        "site": site,
        "seats": seats,
        "others": [m for m in current if not m.is_seat],
        "past": [m for m in memberships if not m.is_current],
        "status_changes": list(site.status_changes.select_related("changed_by")[:5]),
        "events": journal.feed(site, limit=JOURNAL_PREVIEW),
        "status_form": StatusChangeForm(site=site) if site_access.can_manage else None,
        "site_access": site_access,
        "panels": panels.gather(request, site),
        **prerequisites_context(site, site_access),
    }
    return render(request, "sites/site_detail.html", context)
