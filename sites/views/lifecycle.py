"""A site's lifecycle: status changes with their reason, the wave prerequisites checklist, the journal."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from qic import access
from qic.pagination import paginate

from .. import services
from ..enums import EventKind, SiteStatus, WavePrerequisite
from ..forms import StatusChangeForm
from ..models import Site

JOURNAL_PAGE_SIZE = 30


def prerequisites_context(site: Site, site_access) -> dict:
    """The checklist of the three wave prerequisites: who ticked each, and when."""
    checks = {c.prerequisite: c for c in site.prerequisite_checks.select_related("checked_by")}
    items = [{"value": p.value, "label": p.label, "check": checks.get(p.value)} for p in WavePrerequisite]
    return {
        "prerequisites": items,
        "prerequisites_done": sum(1 for item in items if item["check"]),
        # Shown while registering, and afterwards whenever something was ticked (the record stays).
        "show_prerequisites": site.status == SiteStatus.REGISTERING or bool(checks),
        "can_check_prerequisites": site_access.can_check_prerequisites
        and site.status in (SiteStatus.INTERESTED, SiteStatus.REGISTERING),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def site_status(request: HttpRequest, site_slug: str) -> HttpResponse:
    """The status history of a site; national staff change the status here (with a reason)."""
    site: Site = request.site
    form = None
    if request.method == "POST":
        access.require(request.site_access.can_manage)
        form = StatusChangeForm(request.POST, site=site)
        if form.is_valid():
            try:
                services.move_site(
                    site,
                    form.cleaned_data["to_status"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    seen_status=form.cleaned_data["seen_status"],
                )
            except services.LifecycleError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Statut de « {site.name} » : {site.get_status_display()}.")
                return redirect(f"{site.get_absolute_url()}#statut")
    elif request.site_access.can_manage:
        form = StatusChangeForm(site=site)
    context = {
        "page_title": f"Statut — {site.name}",
        "site": site,
        "status_form": form,
        "status_changes": list(site.status_changes.select_related("changed_by")),
    }
    return render(request, "sites/site_status.html", context, status=400 if form and form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def site_prerequisites(request: HttpRequest, site_slug: str) -> HttpResponse:
    """The wave prerequisites checklist; national staff and the site's CRPV tick or untick them."""
    site: Site = request.site
    refused = ""
    if request.method == "POST":
        access.require(request.site_access.can_check_prerequisites)
        prerequisite = request.POST.get("prerequisite", "")
        if prerequisite not in WavePrerequisite.values:
            messages.error(request, "Prérequis inconnu.")
        elif site.status not in (SiteStatus.INTERESTED, SiteStatus.REGISTERING):
            messages.error(request, "Les prérequis se valident pendant l’inscription du site.")
        elif request.POST.get("action") == "uncheck":
            services.uncheck_prerequisite(site, prerequisite, by=request.user)
        else:
            try:
                services.check_prerequisite(site, prerequisite, by=request.user)
            except services.LifecycleError as error:
                refused = str(error)
                if not request.htmx:
                    messages.error(request, refused)
        if not request.htmx:
            return redirect(f"{site.get_absolute_url()}#prerequis")
    context = {"page_title": f"Prérequis — {site.name}", "site": site, "refused": refused}
    context.update(prerequisites_context(site, request.site_access))
    if request.htmx:
        return render(request, "sites/includes/prerequisites.html", context)
    return render(request, "sites/site_prerequisites.html", context)


@require_safe
def site_journal(request: HttpRequest, site_slug: str) -> HttpResponse:
    """Every dated event of a site in one feed, newest first, optionally of one kind."""
    site: Site = request.site
    events = site.events.select_related("actor").order_by("-occurred_at", "-id")
    kind = request.GET.get("type", "")
    if kind in EventKind.values:
        events = events.filter(kind=kind)
    else:
        kind = ""
    page = paginate(request, events, JOURNAL_PAGE_SIZE)
    context = {
        "page_title": f"Journal — {site.name}",
        "site": site,
        "page_obj": page,
        "events": page.object_list,
        "kinds": EventKind.choices,
        "selected_kind": kind,
        "journal_url": reverse("sites:journal", kwargs={"site_slug": site.slug}),
    }
    return render(request, "sites/site_journal.html", context)
