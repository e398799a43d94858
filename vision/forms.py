"""Forms of the vision workspace: each says in French, next to the field, what the method expects."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from qic.idempotency import OnceForm
from qic.locking import VersionedForm
from qic.params import ParsedIdsMixin

from . import rules
from .enums import LEVEL_RANK, ActionStatus, ChangeLevel, ChangeRegister, FactorKind
from .models import Change


class _EditForm(OnceForm, VersionedForm):
    """A versioned form whose version is only required when it edits an existing item; creating, it carries
    a one-time token (`qic.idempotency`)."""

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["version"].required = False


class StatementForm(_EditForm):
    statement = forms.CharField(
        label="Énoncé de la vision",
        help_text="Une phrase concise, claire, optimiste et inspirante : ce que vous voulez voir arriver.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Écrivez la vision en une phrase."},
    )
    horizon_year = forms.IntegerField(
        label="Horizon (année)",
        help_text="Dans dix ans ou plus.",
        error_messages={
            "required": "Indiquez l’année de l’horizon.",
            "invalid": "Indiquez une année, par exemple 2036.",
        },
    )

    def __init__(self, *args, today=None, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)
        minimum = rules.minimum_horizon(today)
        self.fields["horizon_year"].help_text = f"Dans dix ans ou plus : {minimum} ou plus tard."
        self.fields["horizon_year"].widget.attrs.update({"min": minimum, "inputmode": "numeric"})

    def clean_horizon_year(self):
        year = self.cleaned_data["horizon_year"]
        error = rules.horizon_error(year, self.today)
        if error:
            raise ValidationError(error)
        return year


class FactorForm(_EditForm):
    kind = forms.ChoiceField(label="Nature", choices=FactorKind.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label="Facteur",
        max_length=300,
        error_messages={"required": "Décrivez le facteur en quelques mots."},
    )


class _ChangeChoiceField(ParsedIdsMixin, forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_level_display()} — {obj.title}"


class ChangeForm(_EditForm):
    level = forms.ChoiceField(
        label="Niveau",
        choices=ChangeLevel.choices,
        help_text="Direct : connaissances ; intermédiaire : pratiques et comportements ; "
        "ultime : culture et mode de vie.",
    )
    register = forms.ChoiceField(label="Registre", choices=ChangeRegister.choices)
    title = forms.CharField(
        label="Intitulé du changement",
        max_length=200,
        error_messages={"required": "Donnez un intitulé au changement."},
    )
    description = forms.CharField(
        label="Description (facultatif)",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contributes_to = _ChangeChoiceField(
        label="Contribue à",
        queryset=Change.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les changements d’un niveau supérieur auxquels celui-ci mène.",
    )
    to_vision = forms.BooleanField(
        label="Contribue directement à la vision (changement ultime)", required=False
    )

    def __init__(self, *args, site, change: Change | None = None, **kwargs):
        super().__init__(*args, creating=change is None, **kwargs)
        self.site, self.change = site, change
        candidates = Change.objects.filter(site=site).exclude(level=ChangeLevel.DIRECT).defer("description")
        if change is not None:
            candidates = candidates.exclude(pk=change.pk)
        self.fields["contributes_to"].queryset = candidates.order_by("-level", "position", "id")
        # A change contributes to higher levels only: those of the chosen level and below are not offered
        # (hidden, and shown again by vision.js when another level is chosen in the form).
        level = self["level"].value() or (change.level if change else None)
        rank = LEVEL_RANK.get(level, 0)
        self.hidden_target_levels = [value for value, other in LEVEL_RANK.items() if other <= rank]

    def clean(self):
        data = super().clean()
        level, targets = data.get("level"), data.get("contributes_to")
        if level is None or targets is None:
            return data
        from .services import site_graph

        source = Change(pk=self.change.pk if self.change else None, site=self.site, level=level)
        source.title = data.get("title") or "ce changement"
        graph = site_graph(self.site, without=source.pk)
        errors = [e for e in (rules.link_error(source, t, graph) for t in targets) if e]
        if errors:
            self.add_error("contributes_to", errors)
        if data.get("to_vision") and (error := rules.vision_link_error(level)):
            self.add_error("to_vision", error)
        if self.change is not None:
            for contributor in self.change.contributors.all():
                if LEVEL_RANK[contributor.level] >= LEVEL_RANK[level]:
                    self.add_error(
                        "level",
                        f"« {contributor.title} » ({contributor.get_level_display().lower()}) contribue à ce "
                        f"changement : il ne peut pas devenir un {ChangeLevel(level).label.lower()}. "
                        "Retirez d’abord ce lien ou choisissez un niveau supérieur.",
                    )
        return data


class LinksForm(_EditForm):
    """The quick link editor: what one change contributes to."""

    contributes_to = _ChangeChoiceField(
        label="Contribue à",
        queryset=Change.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    to_vision = forms.BooleanField(label="Contribue directement à la vision", required=False)

    def __init__(self, *args, site, change: Change, **kwargs):
        super().__init__(*args, **kwargs)
        self.site, self.change = site, change
        higher = [lvl for lvl, rank in LEVEL_RANK.items() if rank > LEVEL_RANK[change.level]]
        self.fields["contributes_to"].queryset = (
            Change.objects.filter(site=site, level__in=higher)
            .defer("description")
            .order_by("-level", "position", "id")
        )
        if change.level != ChangeLevel.ULTIMATE:
            del self.fields["to_vision"]


class ActionForm(_EditForm):
    name = forms.CharField(
        label="Action ou projet", max_length=200, error_messages={"required": "Nommez l’action ou le projet."}
    )
    lead_organisation = forms.CharField(
        label="Structure porteuse",
        max_length=200,
        error_messages={"required": "Indiquez la structure qui porte l’action."},
    )
    status = forms.ChoiceField(label="État", choices=ActionStatus.choices)
    description = forms.CharField(
        label="Description (facultatif)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    changes = _ChangeChoiceField(
        label="Changements servis",
        queryset=Change.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les changements de la stratégie auxquels l’action contribue.",
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        changes = Change.objects.filter(site=site).defer("description")  # offered by their titles
        self.fields["changes"].queryset = changes.order_by("level", "position", "id")


class NarrativeForm(_EditForm):
    narrative = forms.CharField(
        label="Récit de la stratégie",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Racontez le chemin du changement comme une histoire. "
        "Mise en forme : **gras**, *italique*, "
        "listes avec « - », titres avec « ### », liens https://…",
    )


class CommentForm(OnceForm):
    body = forms.CharField(
        label="Votre commentaire",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Écrivez votre commentaire."},
    )
