"""Forms of the sessions: planning, guests, cancelling, the continuum answer and the free outputs."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from qic import access
from qic.forms import DATE_HELP, DateField
from qic.idempotency import OnceForm
from qic.locking import VersionedForm
from qic.params import ModelMultipleIdField, parse_id
from sites.models import Region, Site

from ..enums import CONTINUUM_DESCRIPTIONS, NATIONAL_SESSION_KINDS, ContinuumLevel, SessionKind
from ..models import User
from . import services

LONG_TEXT = 10_000
TOO_LONG = {"max_length": "Ce texte est trop long : %(limit_value)d caractères au plus."}


def _text(label, *, required=False, rows=4, help_text="", max_length=LONG_TEXT):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=TOO_LONG,
    )


class SessionForm(OnceForm, VersionedForm):
    """Plan or edit a session. The sites offered are those the planner may run, in the chosen region."""

    kind = forms.ChoiceField(label="Type de session")
    title = forms.CharField(
        label="Intitulé", max_length=200, help_text="Par exemple : « Module 3 — l’entente de coopération »."
    )
    region = forms.ModelChoiceField(
        label="Région",
        queryset=Region.objects.none(),
        required=False,
        empty_label="Aucune : session nationale",
    )
    date = DateField(label="Date")
    start_time = forms.TimeField(
        label="Heure de début",
        help_text="Format attendu : HH:MM.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Saisissez une heure valide, par exemple 09:30."},
    )
    end_time = forms.TimeField(
        label="Heure de fin",
        help_text="Format attendu : HH:MM.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Saisissez une heure valide, par exemple 12:30."},
    )
    end_date = DateField(
        label="Date de fin (facultatif)",
        required=False,
        help_text=f"Seulement si la session dure plusieurs jours. {DATE_HELP}",
    )
    place = forms.CharField(
        label="Lieu",
        max_length=255,
        required=False,
        help_text="Adresse, salle. Laissez vide pour une session en ligne.",
    )
    online_url = forms.URLField(
        label="Lien de connexion",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Pour une session en ligne ou hybride. Format attendu : https://…",
        error_messages={
            "invalid": "Saisissez une adresse web valide, par exemple https://visio.exemple.fr/salle."
        },
    )
    is_public = forms.BooleanField(
        label="Annoncer la session sur les pages publiques des sites concernés",
        required=False,
        help_text="Seuls sa date, son lieu et son titre paraissent, sur la page publique des sites qui "
        "l’ont publiée : rien d’autre de la session.",
    )
    sites = ModelMultipleIdField(
        label="Sites concernés",
        queryset=Site.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choisissez au moins un site.",  # said with the other errors, not after them
            "invalid_choice": "Ce site ne peut pas être choisi ici.",
            "invalid_pk_value": "Site inconnu.",
        },
    )
    facilitators = ModelMultipleIdField(
        label="Animation",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Cette personne ne peut pas animer cette session."},
    )
    agenda = _text(
        "Ordre du jour",
        rows=6,
        help_text="Un point par ligne ; une ligne commençant par « - » fait une liste.",
    )
    notes = _text("Notes", rows=3, help_text="Logistique, matériel, points d’attention.")
    overbooking_reason = _text(
        "Raison du dépassement du budget d’accompagnement",
        rows=2,
        max_length=2000,
        help_text="Seulement pour un accompagnement qui dépasse le budget d’heures du site.",
    )

    field_order = [
        "kind", "title", "region", "sites", "date", "start_time", "end_time", "end_date", "place",
        "online_url", "is_public", "facilitators", "agenda", "notes", "overbooking_reason", "version",
    ]  # fmt: skip

    def __init__(self, *args, user, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        national = access.is_national(user)
        kinds = [(k.value, k.label) for k in SessionKind if national or k not in NATIONAL_SESSION_KINDS]
        self.fields["kind"].choices = kinds
        if national:
            self.fields["region"].queryset = Region.objects.order_by("name")
        else:
            self.fields["region"].queryset = Region.objects.filter(pk__in=access.covered_region_ids(user))
            self.fields["region"].required = True
            self.fields["region"].empty_label = None
        self.region = self._chosen_region(session)
        if not self.is_bound and self.region is not None:
            self.initial.setdefault("region", self.region.pk)
        sites = access.runnable_sites(user, Site.objects.select_related("department__region"))
        if self.region is not None:
            sites = sites.filter(department__region=self.region)
        self.fields["sites"].queryset = sites.order_by("department__region__name", "name")
        self.fields["facilitators"].queryset = services.facilitator_choices(user, self.region)
        self.fields["facilitators"].label_from_instance = self._person_label
        if not self.is_bound and session is None:
            self.initial.setdefault("facilitators", [user.pk])
            self.initial.setdefault("version", 0)

    @staticmethod
    def _person_label(user) -> str:
        organisation = user.resource_centre.short_name if user.resource_centre_id else "ANCT"
        return f"{services.person_name(user)} ({organisation})"

    def _chosen_region(self, session):
        field = self.fields["region"]
        source = self.data if self.is_bound else self.initial
        if "region" in source:
            raw = source.get("region")
        else:
            raw = session.region_id if session is not None else None
        if hasattr(raw, "pk"):
            raw = raw.pk
        raw = parse_id(raw)
        region = field.queryset.filter(pk=raw).first() if raw else None
        if region is None and not access.is_national(self.user):
            return field.queryset.order_by("name").first()
        return region

    def site_groups(self) -> list[dict]:
        """The site checkboxes grouped by region, for the template (one query)."""
        chosen = {str(v) for v in (self["sites"].value() or [])}
        groups: list[dict] = []
        for site in self.fields["sites"].queryset:
            region = site.department.region
            if not groups or groups[-1]["region"] != region:
                groups.append({"region": region, "options": []})
            groups[-1]["options"].append(
                {
                    "value": site.pk,
                    "label": site.name,
                    "detail": site.communes,
                    "checked": str(site.pk) in chosen,
                }
            )
        for group in groups:  # the chosen sites first: visible without scrolling the list
            group["options"].sort(key=lambda option: not option["checked"])
        return groups

    def clean(self):
        data = super().clean()
        date, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if date and start and end:
            end_date = data.get("end_date") or date
            starts_at = timezone.make_aware(dt.datetime.combine(date, start))
            ends_at = timezone.make_aware(dt.datetime.combine(end_date, end))
            if ends_at <= starts_at:
                self.add_error("end_time", "L’heure de fin doit être après l’heure de début.")
            data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data

    def add_plan_error(self, error: services.SessionError) -> None:
        """Show a refused plan's message next to the field the planner typed (dates are typed in parts)."""
        ends_field = "end_date" if self.cleaned_data.get("end_date") else "end_time"
        field = {"starts_at": "start_time", "ends_at": ends_field}.get(error.field, error.field)
        self.add_error(field if field in self.fields else None, error.message)

    def plan(self) -> services.Plan:
        data = self.cleaned_data
        return services.Plan(
            kind=data["kind"],
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            region=data.get("region"),
            sites=list(data.get("sites") or []),
            facilitators=list(data.get("facilitators") or []),
            place=data.get("place", ""),
            online_url=data.get("online_url", ""),
            is_public=bool(data.get("is_public")),
            agenda=data.get("agenda", ""),
            notes=data.get("notes", ""),
            overbooking_reason=data.get("overbooking_reason", ""),
        )

    @staticmethod
    def initial_for(session) -> dict:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {
            "kind": session.kind,
            "title": session.title,
            "region": session.region_id,
            "date": starts.date(),
            "start_time": starts.time(),
            "end_time": ends.time(),
            "end_date": ends.date() if ends.date() != starts.date() else None,
            "place": session.place,
            "online_url": session.online_url,
            "is_public": session.is_public,
            "sites": [s.pk for s in session.sites.all()],
            "facilitators": [u.pk for u in session.facilitators.all()],
            "agenda": session.agenda,
            "notes": session.notes,
            "overbooking_reason": session.overbooking_reason,
            "version": session.version,
        }


class GuestForm(OnceForm):
    name = forms.CharField(label="Nom et prénom", max_length=200)
    organisation = forms.CharField(label="Organisation", max_length=200, required=False)
    email = forms.EmailField(
        label="Adresse électronique (facultatif)",
        required=False,
        help_text="Pour lui envoyer le rappel de la veille. Format attendu : nom@domaine.fr",
        error_messages={"invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr."},
    )
    site = forms.ModelChoiceField(
        label="Au titre du site (facultatif)",
        queryset=Site.objects.none(),
        required=False,
        empty_label="Aucun",
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = session.sites.order_by("name")


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Motif (facultatif)",
        max_length=300,
        required=False,
        help_text="Il figurera dans l’agenda des invités.",
    )


class ContinuumAnswerForm(VersionedForm):
    level = forms.TypedChoiceField(
        label="Où se situe votre coopération aujourd’hui\u202f?",
        coerce=int,
        choices=ContinuumLevel.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez l’un des sept niveaux.",
            "invalid_choice": "Choisissez l’un des sept niveaux.",
        },
    )
    moved_by = _text(
        "Ce qui vous a fait bouger",
        rows=4,
        max_length=3000,
        help_text="Vos dernières avancées, ce qui a rapproché (ou éloigné) les partenaires.",
    )

    @staticmethod
    def descriptions() -> dict:
        return CONTINUUM_DESCRIPTIONS


class OutputForm(OnceForm, VersionedForm):
    title = forms.CharField(
        label="Titre", max_length=200, help_text="Par exemple : « Prototype d’entente de coopération »."
    )
    text = _text(
        "Contenu", required=True, rows=10, help_text="Une ligne commençant par « - » fait une liste."
    )


class CalendarFeedForm(OnceForm):
    """Create (or renew) one's calendar link, or revoke it."""

    action = forms.ChoiceField(choices=[("create", "Créer"), ("revoke", "Révoquer")])
