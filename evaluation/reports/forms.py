"""Forms of the reports: asking for a national roll-up or a batch of bilans, choosing a report to compare."""

from django import forms

from qic import text
from sites.models import Region, Wave

from .enums import ReportKind


class NationalReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="Document",
        choices=[
            (ReportKind.NATIONAL.value, "Synthèse nationale (PDF et tableur)"),
            (ReportKind.BATCH.value, "Bilans de tous les sites du périmètre (archive ZIP de PDF)"),
        ],
        initial=ReportKind.NATIONAL.value,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le document à produire."},
    )
    wave = forms.ModelChoiceField(
        label="Vague",
        queryset=Wave.objects.order_by("number"),
        required=False,
        empty_label="Toutes les vagues",
        to_field_name="number",
        error_messages={"invalid_choice": "Cette vague n’existe pas."},
    )
    region = forms.ModelChoiceField(
        label="Région",
        queryset=Region.objects.holding().order_by("name"),
        required=False,
        empty_label="Toutes les régions",
        to_field_name="code",
        error_messages={"invalid_choice": "Cette région n’existe pas."},
    )


class CompareForm(forms.Form):
    other = forms.TypedChoiceField(
        label="Comparer avec le bilan du",
        coerce=int,
        error_messages={
            "required": "Choisissez le bilan à comparer.",
            "invalid_choice": "Ce bilan n’est pas un bilan terminé du même périmètre.",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = [(r.pk, f"{text.date(r.data_date)} (n° {r.pk})") for r in candidates]
