"""Coaching hours used and left: per CRPV (national roles, facilitators for their regions) and on a site's
sessions page, which also lists the site's sessions to come and past."""

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from qic import access
from qic.params import parse_id
from sites.enums import SiteStatus
from sites.models import ResourceCentre, Wave

from ...services import coaching as services
from .. import services as session_services
from ..models import SessionSite

COACHED = (SiteStatus.IN_TRAINING, SiteStatus.ACTIVE, SiteStatus.PAUSED)


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(access.can_view_coaching_overview(user))
    had_coaching = Exists(SessionSite.objects.filter(site=OuterRef("pk"), session__kind="site_coaching"))
    sites = access.visible_sites(user).filter(Q(status__in=COACHED) | had_coaching)
    centres = ResourceCentre.objects.none()
    centre = None
    if access.sees_all_sites(user):
        centres = ResourceCentre.objects.order_by("name")
        raw = parse_id(request.GET.get("crpv"))
        centre = centres.filter(pk=raw).first() if raw else None
        if centre is not None:
            sites = access.sites_of_centre(sites, centre.pk)
    wave = parse_id(request.GET.get("vague"))
    if wave:
        sites = sites.filter(wave__number=wave)
    groups = services.overview(sites)
    # National roles also get one line per CRPV above the sites (a CRPV chosen narrows both).
    show_centres = access.sees_all_sites(user)
    context = {
        "page_title": "Heures d’accompagnement",
        "groups": groups,
        "show_centres": show_centres,
        "centres": list(centres),
        "centre": centre,
        "waves": list(Wave.objects.all()),
        "wave": wave,
        "total": services.CentreTotals(None, [b for g in groups for b in g.balances]),
    }
    return render(request, "sessions/coaching.html", context)


@require_safe
def site_sessions(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_read)
    sessions = session_services.site_sessions(site)
    listed = session_services.with_list_data(sessions).annotate(
        site_present=Count(
            "participants", filter=Q(participants__site=site, participants__present=True), distinct=True
        )
    )
    context = {
        "page_title": f"Sessions et accompagnement — {site.name}",
        "site": site,
        "balance": services.balance_of(site),
        "coaching_sessions": list(services.coaching_sessions(site)),
        "upcoming": list(session_services.upcoming(listed)[:20]),
        "past": list(session_services.past(listed)[:30]),
        "can_plan": request.site_access.can_run_sessions,
    }
    return render(request, "sessions/site_sessions.html", context)
