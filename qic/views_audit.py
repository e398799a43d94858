"""The audit log, read by national staff: every write on site data and every request of the partner API,
filterable by site, person, nature and object."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from qic import access, text
from qic.htmx import wants_fragment
from qic.models import AuditEntry, object_kind
from qic.pagination import paginate
from qic.params import parse_text


@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    access.require(access.can_read_audit_log(request.user))
    entries = AuditEntry.objects.all()
    filters = {
        "site": parse_text(request.GET.get("site")),
        "auteur": parse_text(request.GET.get("auteur")),
        "objet": parse_text(request.GET.get("objet")),
        "nature": parse_text(request.GET.get("nature")),
    }
    if filters["site"]:
        entries = entries.filter(site_label__icontains=filters["site"])
    if filters["auteur"]:
        entries = entries.filter(actor_label__icontains=filters["auteur"])
    if filters["nature"] in AuditEntry.Action.values:
        entries = entries.filter(action=filters["nature"])
    if filters["objet"]:
        entries = entries.filter(model=filters["objet"])
    labels = AuditEntry.objects.order_by("model").values_list("model", flat=True).distinct()
    kinds = sorted(
        ((label, object_kind(label)) for label in labels), key=lambda kind: text.normalise(kind[1])
    )
    page = paginate(request, entries, 50)
    context = {
        "page_title": "Journal d’audit",
        "page_obj": page,
        "filters": filters,
        "kinds": kinds,
        "actions": AuditEntry.Action.choices,
    }
    template = "audit/_entries.html" if wants_fragment(request) else "audit/list.html"
    return render(request, template, context)
