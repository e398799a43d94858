"""Forms of the registry: a site's status change and the upload of a wave's registrations."""

from django import forms
from django.conf import settings

from qic import text

from .enums import SiteStatus
from .models import Wave
from .services import allowed_transitions

IMPORT_MAX_BYTES = getattr(settings, "QIC_IMPORT_MAX_BYTES", 2 * 1024 * 1024)


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label="Nouveau statut")
    reason = forms.CharField(
        label="Motif",
        help_text="Il reste dans l’historique du site : soyez précis (décision, date, interlocuteur).",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif du changement de statut."},
    )
    seen_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["to_status"].choices = [
            (value, SiteStatus(value).label) for value in allowed_transitions(site.status)
        ]
        self.fields["to_status"].error_messages["invalid_choice"] = (
            "Ce statut n’est pas possible depuis le statut actuel du site."
        )
        self.initial.setdefault("seen_status", site.status)


class RegistrationUploadForm(forms.Form):
    wave = forms.ModelChoiceField(
        label="Vague", queryset=Wave.objects.all(), empty_label=None, to_field_name="number"
    )
    initial_status = forms.ChoiceField(
        label="Statut des nouveaux sites",
        choices=[(s.value, s.label) for s in (SiteStatus.INTERESTED, SiteStatus.REGISTERING)],
        initial=SiteStatus.REGISTERING,
    )
    file = forms.FileField(
        label="Fichier des inscriptions",
        help_text="CSV (séparateur point-virgule ou virgule, UTF-8) ou Excel (.xlsx), 2 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à importer.", "empty": "Le fichier est vide."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = Wave.objects.filter(is_current=True).first()
        if current is not None:
            self.fields["wave"].initial = current.number

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Le fichier doit être au format CSV (.csv) ou Excel (.xlsx).")
        if upload.size > IMPORT_MAX_BYTES:
            size = text.number(upload.size / 1024 / 1024, decimals=1, unit="Mo")
            raise forms.ValidationError(
                f"Le fichier pèse {size}{text.NBSP}: 2 Mo au plus. Découpez-le en plusieurs fichiers."
            )
        return upload
