"""The backbone support structure: who carries each of the seven roles, and the coverage."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from qic import access
from qic.locking import EditConflict, conflict_context

from ..enums import BackboneRole
from ..forms import BackboneForm
from ..services import backbone as services


@require_safe
def coverage(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_read)
    context = {
        "page_title": f"Structure de soutien — {site.name}",
        "site": site,
        "editable": request.site_access.can_edit_work,
        **services.coverage(site),
    }
    return render(request, "collectives/backbone.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_role(request: HttpRequest, site_slug: str, role: str) -> HttpResponse:
    site = request.site
    if role not in BackboneRole.values:
        raise Http404("Rôle inconnu")
    if request.method in ("GET", "HEAD") and request.GET.get("mode") == "view":
        access.require(request.site_access.can_read)
        row = services.role_coverage(site, role)
        context = {"site": site, "row": row, "editable": request.site_access.can_edit_work}
        return render(request, "collectives/backbone/_role.html", context)
    access.require(request.site_access.can_edit_work)
    row = services.role_coverage(site, role)
    assignment = row.assignment
    initial = {
        "person": assignment.person_id if assignment else None,
        "organisation": assignment.organisation if assignment else "",
        "note": assignment.note if assignment else "",
        "version": row.version,
    }
    form = BackboneForm(request.POST or None, site=site, initial=initial)
    conflict = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_assignment(
                site,
                role,
                person=data["person"],
                organisation=data["organisation"],
                note=data["note"],
                expected_version=data["version"],
                user=request.user,
            )
        except EditConflict as error:
            form.take_conflict(error)
            conflict = conflict_context(error, services.FIELDS)
        else:
            if not request.htmx:
                messages.success(request, f"Rôle « {row.label} » enregistré.")
                return redirect(reverse("collectives:backbone", args=[site.slug]) + f"#role-{role}")
            context = {
                "site": site,
                "row": services.role_coverage(site, role),
                "editable": True,
                "saved": True,
            }
            context["summary"] = services.coverage(site)
            return render(request, "collectives/backbone/_role.html", context)
    context = {"site": site, "row": row, "form": form, **conflict}
    if request.htmx:
        return render(request, "collectives/backbone/_role_form.html", context)
    context["page_title"] = f"{row.label} — structure de soutien"
    return render(request, "collectives/backbone/role_edit.html", context)
