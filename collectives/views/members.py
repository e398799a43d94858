"""A site's collective: the trinôme's seats, the members and their history; the handover pack."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from qic import access
from qic.pdf import pdf_response

from ..forms import EndMembershipForm
from ..handover import render_pack
from ..services import members as services


@require_safe
def members(request: HttpRequest, site_slug: str) -> HttpResponse:
    site, site_access = request.site, request.site_access
    access.require(site_access.can_read)
    context = {
        "page_title": f"Collectif — {site.name}",
        "site": site,
        "site_access": site_access,
        **services.collective(site),
    }
    return render(request, "collectives/members.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def end_membership(request: HttpRequest, site_slug: str, pk: int) -> HttpResponse:
    site, site_access = request.site, request.site_access
    membership = get_object_or_404(site.memberships.current().select_related("user"), pk=pk)
    access.require(site_access.can_manage_role(membership.role))
    form = EndMembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_membership(membership, ended_on=form.cleaned_data["ended_on"], actor=request.user)
        except services.MembershipError as error:
            form.add_error("ended_on", str(error))
        else:
            name = services.person_name(membership.user)
            messages.success(
                request,
                f"La participation de {name} au collectif est terminée ; elle reste dans l’historique.",
            )
            return redirect("collectives:members", site_slug=site.slug)
    context = {
        "page_title": "Mettre fin à une participation",
        "site": site,
        "membership": membership,
        "form": form,
    }
    return render(request, "collectives/membership_end.html", context)


@require_safe
def handover_pack(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_read)
    return pdf_response(render_pack(site, request.user), f"dossier-de-passation-{site.slug}.pdf")
