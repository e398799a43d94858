"""The self-assessment form: three preconditions and five conditions (four levels, a comment each), the
position on the cooperation continuum and what moved it, the coverage of the seven backbone roles."""

from django import forms

from collectives.enums import BackboneRole
from qic.idempotency import OnceForm

from .enums import CONTINUUM_DESCRIPTIONS, ConditionKey, ConditionLevel, ContinuumLevel, RoleCoverage
from .forms import _date_field


def _radio(label, choices, message, help_text=""):
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": message, "invalid_choice": message},
    )


class SelfAssessmentForm(OnceForm):
    assessed_on = _date_field(
        "Date de l’auto-évaluation",
        past_only=True,
        future_message="Une auto-évaluation se date du jour où elle a eu lieu : indiquez une date passée ou "
        "celle du jour.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in ConditionKey:
            self.fields[f"condition_{key.value}"] = _radio(
                key.label,
                ConditionLevel.choices,
                f"Choisissez l’un des quatre niveaux pour « {key.label} ».",
            )
            self.fields[f"condition_{key.value}_comment"] = forms.CharField(
                label=f"Commentaire sur « {key.label} » (facultatif)",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["continuum_level"] = _radio(
            "Où se situe la coopération du collectif aujourd’hui\u202f?",
            [(level.value, f"{level.label} — {CONTINUUM_DESCRIPTIONS[level]}") for level in ContinuumLevel],
            "Choisissez l’un des sept niveaux du continuum.",
        )
        self.fields["continuum_moved_by"] = forms.CharField(
            label="Ce qui a fait bouger la coopération depuis la dernière fois (facultatif)",
            required=False,
            max_length=3000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        for role in BackboneRole:
            self.fields[f"role_{role.value}"] = _radio(
                role.label, RoleCoverage.choices, f"Dites si le rôle « {role.label} » est porté."
            )
        self.fields["comment"] = forms.CharField(
            label="Commentaire d’ensemble (facultatif)",
            required=False,
            max_length=3000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def condition_fields(self, keys):
        return [(self[f"condition_{key.value}"], self[f"condition_{key.value}_comment"]) for key in keys]

    def role_fields(self):
        return [self[f"role_{role.value}"] for role in BackboneRole]
