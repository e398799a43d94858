"""What is due on the sites one follows, and one's choice about the weekly digest."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from qic import access
from qic.pagination import paginate

from .. import digest
from ..models import DigestPreference


@require_safe
def due_list(request: HttpRequest) -> HttpResponse:
    """Every site one may see that has something due (national: all; CRPV: their regions; members: theirs)."""
    sites = access.visible_sites(request.user)
    entries = digest.digest_for(request.user, sites=sites)
    page = paginate(request, entries, 25)
    context = {
        "page_title": "Ce qui est à faire sur les sites",
        "page_obj": page,
        "count": len(entries),
        "awaiting": list(digest.awaiting_for(request.user)),
    }
    return render(request, "evaluation/due_list.html", context)


class DigestPreferenceForm(forms.Form):
    receive = forms.BooleanField(
        label="Recevoir chaque lundi le résumé de ce qui est à faire sur mes sites",
        required=False,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def digest_preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DigestPreferenceForm(
        request.POST if request.method == "POST" else None, initial={"receive": digest.wants_digest(user)}
    )
    if request.method == "POST" and form.is_valid():
        receive = form.cleaned_data["receive"]
        preference, _ = DigestPreference.objects.get_or_create(user=user)
        preference.opted_out = not receive
        preference.save()
        messages.success(
            request,
            "Vous recevrez le résumé hebdomadaire."
            if receive
            else "Vous ne recevrez plus le résumé hebdomadaire.",
        )
        return redirect("evaluation:digest_preferences")
    context = {
        "page_title": "Résumé hebdomadaire",
        "form": form,
        "concerned": user.pk in digest.recipient_ids(),
    }
    return render(request, "evaluation/digest_preferences.html", context)
