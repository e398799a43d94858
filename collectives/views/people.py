"""People and their personal data (RGPD), for national staff: find a person, export, anonymise."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from qic import access
from qic.pagination import paginate
from qic.params import parse_text

from ..models import User
from ..services import personal_data


@require_safe
def people(request: HttpRequest) -> HttpResponse:
    access.require(access.can_manage_personal_data(request.user))
    query = parse_text(request.GET.get("q"))
    persons = User.objects.annotate(
        current_memberships=Count("memberships", filter=Q(memberships__ended_on__isnull=True))
    ).order_by("last_name", "first_name", "email")
    if query:
        persons = persons.filter(
            Q(email__icontains=query) | Q(last_name__icontains=query) | Q(first_name__icontains=query)
        )
    page = paginate(request, persons, 50)
    return render(request, "people/list.html", {"page_title": "Personnes", "page_obj": page, "q": query})


@require_http_methods(["GET", "HEAD", "POST"])
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    access.require(access.can_manage_personal_data(request.user))
    subject = get_object_or_404(User, pk=user_id)
    allowed, reason = personal_data.can_be_anonymised(subject, request.user)
    error = ""
    if request.method == "POST":
        if not allowed:
            error = reason
        elif request.POST.get("confirm") != "oui":
            error = "Cochez la case pour confirmer l’anonymisation : elle est définitive."
        else:
            personal_data.anonymise(subject, by=request.user)
            messages.success(
                request, f"Le compte a été anonymisé ({personal_data.anonymous_label(subject)})."
            )
            return redirect("person", user_id=subject.pk)
    memberships = subject.memberships.select_related("site").order_by("-started_on")
    context = {
        "page_title": str(subject),
        "subject": subject,
        "memberships": memberships,
        "can_anonymise": allowed,
        "anonymise_refusal": reason,
        "error": error,
    }
    return render(request, "people/detail.html", context, status=400 if error else 200)


@require_safe
def person_export(request: HttpRequest, user_id: int) -> HttpResponse:
    access.require(access.can_manage_personal_data(request.user))
    subject = get_object_or_404(User, pk=user_id)
    response = HttpResponse(
        personal_data.export_json(subject), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="donnees-personnelles-{subject.pk}-{stamp}.json"'
    return response
