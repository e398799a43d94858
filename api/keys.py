"""The page where national staff issue partner API keys and revoke them (`/cles-api/`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from qic import access
from qic.idempotency import AlreadySubmitted, OnceForm, once
from qic.pagination import paginate
from sites import apikeys
from sites.enums import ApiKeyRole, ApiKeyScope
from sites.models import ApiKey, ResourceCentre, Site

ALREADY_ISSUED = (
    "Ce formulaire a déjà été envoyé : la clé est émise une seule fois (voir la liste). "
    "Si vous n’avez pas pu la copier, révoquez-la et émettez-en une autre."
)


class ApiKeyForm(OnceForm):
    organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        help_text="À qui la clé est remise (service de l’État, collectivité, partenaire…).",
        error_messages={"required": "Indiquez l’organisation à qui la clé est remise."},
    )
    scope = forms.ChoiceField(
        label="Périmètre",
        choices=ApiKeyScope.choices,
        widget=forms.RadioSelect,
        initial=ApiKeyScope.SITE,
        error_messages={"required": "Choisissez un périmètre."},
    )
    resource_centre = forms.ModelChoiceField(
        label="CRPV (périmètre « Régions d’un CRPV »)",
        queryset=ResourceCentre.objects.order_by("short_name", "name"),
        required=False,
        empty_label="Choisir un CRPV",
    )
    site = forms.SlugField(
        label="Site (périmètre « Un site »)",
        required=False,
        help_text="L’identifiant du site dans l’adresse de sa page, par exemple quartier-des-lilas\u00a0: "
        "saisissez quelques lettres de son nom pour le choisir dans la liste.",
        widget=forms.TextInput(attrs={"list": "api-key-sites", "autocomplete": "off"}),
        error_messages={
            "invalid": "Cet identifiant ne ressemble pas à celui d’un site (lettres, chiffres, tirets)."
        },
    )
    role = forms.ChoiceField(
        label="Droits",
        choices=ApiKeyRole.choices,
        widget=forms.RadioSelect,
        initial=ApiKeyRole.READ,
        error_messages={"required": "Choisissez les droits de la clé."},
    )

    def clean_site(self):
        slug = self.cleaned_data.get("site")
        if not slug:
            return None
        site = Site.objects.filter(slug=slug).first()
        if site is None:
            raise ValidationError("Aucun site n’a cet identifiant.")
        return site


def _page(
    request: HttpRequest, form: ApiKeyForm, issued: tuple | None = None, status: int = 200
) -> HttpResponse:
    keys = ApiKey.objects.select_related("resource_centre", "site", "created_by")
    context = {
        "page_title": "Clés de l’API partenaires",
        "form": form,
        "page_obj": paginate(request, keys, 50),
        "issued": issued[0] if issued else None,
        "issued_key": issued[1] if issued else "",
        "docs_url": reverse("api:docs"),
        # The site field's suggestions (a <datalist>): identifier and name, to type a name and pick it.
        "site_choices": Site.objects.order_by("name").values_list("slug", "name"),
    }
    return render(request, "api/keys.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def key_list(request: HttpRequest) -> HttpResponse:
    """The keys, newest first, and the form that issues one (the key is shown once, on the answer)."""
    access.require(access.can_manage_api_keys(request.user))
    if request.method != "POST":
        return _page(request, ApiKeyForm())
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with once(form):
                issued = apikeys.issue(
                    organisation=data["organisation"],
                    scope=data["scope"],
                    role=data["role"],
                    resource_centre=data["resource_centre"],
                    site=data["site"],
                    by=request.user,
                )
        except AlreadySubmitted:
            messages.info(request, ALREADY_ISSUED)
            return redirect("api_keys")
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return _page(request, ApiKeyForm(), issued)
    return _page(request, form, status=400)


@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(access.can_manage_api_keys(request.user))
    key = get_object_or_404(ApiKey, pk=pk)
    if apikeys.revoke(key):
        messages.success(
            request, f"Clé {key.prefix}… de « {key.organisation} » révoquée : elle ne fonctionne plus."
        )
    else:
        messages.info(request, f"La clé {key.prefix}… était déjà révoquée.")
    return redirect("api_keys")
