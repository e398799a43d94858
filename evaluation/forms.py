"""Forms of the evaluation loop; bad input gets a French message next to its field."""

from django import forms

from sites.text import normalise

from .models import LearningEntry

DATE_HELP = "Format attendu : JJ/MM/AAAA."


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label, *, required=True, help_text=DATE_HELP):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "invalid": "Saisissez une date valide, par exemple 21/11/2026.",
            "required": "Indiquez une date.",
        },
    )


class LearningForm(forms.ModelForm):
    occurred_on = _date_field("Date")
    tags = forms.CharField(
        label="Étiquettes (facultatif)",
        required=False,
        max_length=300,
        help_text="Séparées par des virgules, par exemple : habitants, mobilisation.",
    )

    class Meta:
        model = LearningEntry
        fields = ["title", "occurred_on", "what_happened", "what_we_learned", "what_we_change", "tags"]
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "what_we_learned": forms.Textarea(attrs={"rows": 4}),
            "what_we_change": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": {"required": "Donnez un titre à cet apprentissage."},
            "what_happened": {"required": "Racontez ce qui s’est passé."},
            "what_we_learned": {"required": "Dites ce que vous en avez appris."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tag_list)

    def clean_tags(self):
        tags = []
        for raw in self.cleaned_data["tags"].split(","):
            tag = normalise(raw).replace(",", "")
            if tag and tag not in tags:
                tags.append(tag)
        if len(tags) > 10:
            raise forms.ValidationError("Dix étiquettes au plus.")
        return f",{','.join(tags)}," if tags else ""
