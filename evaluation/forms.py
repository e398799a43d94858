"""Forms of the evaluation loop; bad input gets a French message next to its field."""

from django import forms

from qic import text
from qic.forms import DateField
from qic.idempotency import OnceForm
from qic.locking import VersionedForm
from qic.text import normalise
from vision.enums import ActionStatus, ChangeLevel, ChangeRegister

from .enums import AdjustmentKind, Direction, IndicatorKind
from .models import Adjustment, EvaluationCycle, Indicator, LearningEntry, Measurement

# A qualitative scale: its levels are shown in pages, charts and PDFs, so each stays short.
SCALE_LEVELS, SCALE_LEVEL_LENGTH = 7, 200


def _date_field(label, *, required=True, past_only=False, future_message=""):
    return DateField(label=label, required=required, past_only=past_only, future_message=future_message)


class LearningForm(OnceForm, forms.ModelForm):
    occurred_on = _date_field(
        "Date",
        past_only=True,
        future_message="Un apprentissage se consigne une fois vécu : indiquez une date passée.",
    )
    tags = forms.CharField(
        label="Étiquettes (facultatif)",
        required=False,
        max_length=300,
        help_text="Séparées par des virgules, par exemple : habitants, mobilisation.",
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

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version if self.instance.pk else 0)
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tag_list)

    def take_conflict(self, conflict) -> None:
        VersionedForm.take_conflict(self, conflict)

    def clean_tags(self):
        tags, seen = [], set()
        for raw in self.cleaned_data["tags"].split(","):
            tag = text.tag(raw)  # kept as written ("coopération"); one tag however it is accented or cased
            if tag and normalise(tag) not in seen:
                seen.add(normalise(tag))
                tags.append(tag)
        if len(tags) > 10:
            raise forms.ValidationError("Dix étiquettes au plus.")
        stored = f",{','.join(tags)}," if tags else ""
        limit = LearningEntry._meta.get_field("tags").max_length
        if len(stored) > limit:  # stored between commas: the field's limit counts them
            raise forms.ValidationError(
                f"Étiquettes trop longues\u00a0: {limit - 2} caractères au plus, virgules comprises."
            )
        return stored


NUMBER_ERROR = "Saisissez un nombre, par exemple 12 ou 12,5."


class FrenchDecimalField(forms.DecimalField):
    """A number typed the French way ("1 234,5") or the English way; text is refused with a clear message."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.error_messages.update(
            {
                "invalid": NUMBER_ERROR,
                "max_decimal_places": "Deux décimales au plus.",
                "max_digits": "Ce nombre est trop grand.",
                "max_whole_digits": "Ce nombre est trop grand.",
            }
        )
        self.widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


class IndicatorForm(OnceForm, forms.ModelForm):
    baseline_on = _date_field("Date de la situation de départ")
    target_on = _date_field("Échéance de la cible (facultatif)", required=False)
    baseline_value = FrenchDecimalField(label="Valeur de départ", required=False)
    target_value = FrenchDecimalField(label="Valeur cible", required=False)
    scale_text = forms.CharField(
        label="Échelle (indicateur qualitatif)",
        required=False,
        max_length=SCALE_LEVELS * (SCALE_LEVEL_LENGTH + 1),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Un niveau par ligne, du plus bas au plus haut (deux à sept niveaux, "
        f"{SCALE_LEVEL_LENGTH} caractères au plus chacun).",
    )
    baseline_level = forms.IntegerField(
        label="Niveau de départ",
        required=False,
        help_text="Le numéro du niveau dans l’échelle (1 = le plus bas).",
        error_messages={"invalid": "Saisissez le numéro d’un niveau de l’échelle, par exemple 2."},
    )
    target_level = forms.IntegerField(
        label="Niveau cible",
        required=False,
        error_messages={"invalid": "Saisissez le numéro d’un niveau de l’échelle, par exemple 4."},
    )

    class Meta:
        model = Indicator
        fields = [
            "change",
            "name",
            "kind",
            "unit",
            "direction",
            "baseline_on",
            "baseline_value",
            "target_value",
            "baseline_level",
            "target_level",
            "target_on",
            "data_source",
            "frequency",
        ]
        error_messages = {
            "name": {"required": "Donnez un intitulé à l’indicateur."},
            "change": {"required": "Choisissez le changement que cet indicateur suit."},
            "data_source": {"required": "Indiquez d’où viennent les données (enquête, registre, comptage…)."},
        }

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version if self.instance.pk else 0)
        self.fields["change"].queryset = site.changes.defer("description")  # offered by their titles
        self.fields["change"].empty_label = "Choisir un changement"
        self.fields["kind"].choices = IndicatorKind.choices
        self.fields["direction"].choices = Direction.choices
        self.fields["direction"].required = False  # quantitative indicators only (checked in clean)
        if self.instance.pk:
            self.initial["scale_text"] = "\n".join(self.instance.scale)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == IndicatorKind.QUANTITATIVE:
            for name in ("baseline_value", "target_value"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "Indiquez une valeur (un nombre).")
            if not data.get("direction"):
                self.add_error("direction", "Dites si l’indicateur doit monter ou baisser.")
            data["scale"] = []
            data["baseline_level"] = data["target_level"] = None
        elif kind == IndicatorKind.QUALITATIVE:
            levels = [line.strip() for line in data.get("scale_text", "").splitlines() if line.strip()]
            if not 2 <= len(levels) <= SCALE_LEVELS:
                self.add_error("scale_text", "Donnez de deux à sept niveaux, un par ligne.")
            elif any(len(level) > SCALE_LEVEL_LENGTH for level in levels):
                self.add_error(
                    "scale_text", f"Chaque niveau tient en {SCALE_LEVEL_LENGTH} caractères au maximum."
                )
            data["scale"] = levels
            for name in ("baseline_level", "target_level"):
                level = data.get(name)
                if name in self.errors:
                    continue
                if level is None:
                    self.add_error(name, "Choisissez un niveau de l’échelle.")
                elif levels and not 1 <= level <= len(levels):
                    self.add_error(name, f"Ce niveau n’existe pas : l’échelle va de 1 à {len(levels)}.")
            data["baseline_value"] = data["target_value"] = None
            data["unit"] = ""
            data["direction"] = Direction.INCREASE
        baseline_on, target_on = data.get("baseline_on"), data.get("target_on")
        if baseline_on and target_on and target_on <= baseline_on:
            self.add_error("target_on", "L’échéance de la cible doit suivre la date de départ.")
        if self.instance.pk:
            self._check_against_measurements(data)
        return data

    def _check_against_measurements(self, data):
        """An edit may not strand the measurements already recorded."""
        measurements = list(self.instance.measurements.values_list("measured_on", "level"))
        if not measurements:
            return
        if data.get("kind") and data["kind"] != self.instance.kind:
            self.add_error(
                "kind", "Des mesures sont déjà enregistrées : la nature de l’indicateur ne change plus."
            )
        first = min(day for day, _ in measurements)
        if data.get("baseline_on") and data["baseline_on"] > first:
            self.add_error(
                "baseline_on",
                f"La situation de départ doit précéder la première mesure ({text.date(first)}).",
            )
        top = max((level or 0 for _, level in measurements), default=0)
        if data.get("kind") == IndicatorKind.QUALITATIVE and top > len(data.get("scale", [])):
            self.add_error(
                "scale_text",
                f"Une mesure est au niveau {top} : l’échelle doit garder au moins {top} niveaux.",
            )

    def save(self, commit=True):
        self.instance.scale = self.cleaned_data.get("scale", [])
        return super().save(commit=commit)

    def take_conflict(self, conflict) -> None:
        VersionedForm.take_conflict(self, conflict)


class MeasurementForm(OnceForm, forms.ModelForm):
    measured_on = _date_field(
        "Date de la mesure",
        past_only=True,
        future_message="Une mesure se saisit une fois faite : indiquez une date passée ou celle du jour.",
    )
    value = FrenchDecimalField(label="Valeur", required=False)
    level = forms.TypedChoiceField(label="Niveau", required=False, coerce=int, empty_value=None)
    evidence_url = forms.URLField(
        label="Lien vers une preuve (facultatif)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Format attendu : https://… (document partagé, photo, compte rendu).",
        error_messages={"invalid": "Saisissez une adresse web valide, commençant par https://."},
    )

    class Meta:
        model = Measurement
        fields = ["measured_on", "value", "level", "comment", "evidence_url"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}
        labels = {"comment": "Commentaire (facultatif)", "evidence_url": "Lien vers une preuve (facultatif)"}
        help_texts = {"evidence_url": "Format attendu : https://… (document partagé, photo, compte rendu)."}
        error_messages = {
            "evidence_url": {"invalid": "Saisissez une adresse web valide, commençant par https://."}
        }

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version if self.instance.pk else 0)
        self.indicator = indicator
        if indicator.is_quantitative:
            del self.fields["level"]
            if indicator.unit:
                self.fields["value"].label = f"Valeur ({indicator.unit})"
        else:
            del self.fields["value"]
            choices = [(i, f"{i} — {label}") for i, label in enumerate(indicator.scale, start=1)]
            self.fields["level"].choices = [("", "Choisir un niveau"), *choices]
            self.fields["level"].error_messages["invalid_choice"] = (
                f"Ce niveau n’existe pas : l’échelle va de 1 à {len(indicator.scale)}."
            )

    def clean_measured_on(self):
        measured_on = self.cleaned_data["measured_on"]
        if measured_on < self.indicator.baseline_on:
            raise forms.ValidationError(
                "Cette date précède la situation de départ de l’indicateur "
                f"({text.date(self.indicator.baseline_on)}) : une mesure vient après."
            )
        others = self.indicator.measurements.exclude(pk=self.instance.pk).filter(measured_on=measured_on)
        if others.exists():
            raise forms.ValidationError("Une mesure existe déjà à cette date : modifiez-la plutôt.")
        return measured_on

    def clean(self):
        data = super().clean()
        if self.indicator.is_quantitative:
            if data.get("value") is None and "value" not in self.errors:
                self.add_error("value", "Indiquez la valeur mesurée (un nombre).")
        elif data.get("level") is None and "level" not in self.errors:
            self.add_error("level", "Choisissez un niveau de l’échelle.")
        return data

    def take_conflict(self, conflict) -> None:
        VersionedForm.take_conflict(self, conflict)


class CycleForm(OnceForm, forms.ModelForm):
    starts_on = _date_field("Début du cycle")
    ends_on = _date_field("Fin du cycle")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    class Meta:
        model = EvaluationCycle
        fields = ["title", "starts_on", "ends_on", "planned", "observed", "learned", "adjustments_summary"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in ("planned", "observed", "learned")}
        widgets["adjustments_summary"] = forms.Textarea(attrs={"rows": 3})
        help_texts = {
            "planned": "Les actions et les résultats attendus au début du cycle.",
            "observed": "Ce que disent les mesures des indicateurs et ce que vous avez vu sur le terrain.",
            "learned": "Ce qui a marché, ce qui n’a pas marché, et pourquoi. Consigné au journal des "
            "apprentissages à la clôture.",
            "adjustments_summary": "En quelques mots ; chaque modification de la stratégie s’ajoute ensuite "
            "comme un ajustement relié au changement ou à l’action qu’elle modifie.",
        }
        error_messages = {
            "title": {"required": "Donnez un intitulé au cycle, par exemple « Printemps 2026 »."}
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version if self.instance.pk else 0)

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "La fin du cycle doit suivre son début.")
        return data

    def take_conflict(self, conflict) -> None:
        VersionedForm.take_conflict(self, conflict)


class AdjustmentForm(OnceForm, forms.ModelForm):
    """One adjustment; which fields it needs depends on its kind (checked in `clean`)."""

    class Meta:
        model = Adjustment
        fields = [
            "kind",
            "change",
            "action",
            "title",
            "description",
            "level",
            "register",
            "status",
            "rationale",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
            "rationale": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "change": "Changement de la stratégie",
            "action": "Action des partenaires",
            "title": "Intitulé (nouveau ou reformulé)",
            "description": "Description (facultatif)",
            "level": "Niveau du nouveau changement",
            "register": "Registre du nouveau changement",
            "status": "Nouvel état de l’action",
            "rationale": "Pourquoi cet ajustement (facultatif)",
        }
        help_texts = {
            "change": "Le changement reformulé, ou celui auquel contribue le nouveau changement.",
            "description": "Laissée vide, la description actuelle du changement est gardée.",
        }
        error_messages = {"kind": {"required": "Choisissez ce que fait cet ajustement."}}

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = AdjustmentKind.choices
        # Offered by their titles and names: not their descriptions.
        self.fields["change"].queryset = site.changes.defer("description").order_by("level", "position", "id")
        self.fields["change"].empty_label = "Choisir un changement"
        self.fields["action"].queryset = site.partner_actions.defer("description")
        self.fields["action"].empty_label = "Choisir une action"
        self.fields["level"].choices = [("", "Choisir un niveau"), *ChangeLevel.choices]
        self.fields["register"].choices = [("", "Choisir un registre"), *ChangeRegister.choices]
        self.fields["status"].choices = [("", "Choisir un état"), *ActionStatus.choices]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        change, action = data.get("change"), data.get("action")
        if kind == AdjustmentKind.EDIT_CHANGE:
            if change is None and "change" not in self.errors:
                self.add_error("change", "Choisissez le changement à reformuler.")
            if not data.get("title", "").strip() and not data.get("description", "").strip():
                self.add_error(
                    "title", "Écrivez le nouvel intitulé ou la nouvelle description du changement."
                )
            data["action"] = None
        elif kind == AdjustmentKind.ADD_CHANGE:
            if not data.get("title", "").strip():
                self.add_error("title", "Donnez un intitulé au nouveau changement.")
            for name, message in (
                ("level", "Choisissez un niveau."),
                ("register", "Choisissez un registre."),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
            data["action"] = None
        elif kind == AdjustmentKind.ACTION_STATUS:
            if action is None:  # none chosen, or one that does not exist (already an error of its field)
                if "action" not in self.errors:
                    self.add_error("action", "Choisissez l’action dont l’état change.")
            elif not data.get("status"):
                self.add_error("status", "Choisissez le nouvel état de l’action.")
            elif data["status"] == action.status:
                self.add_error("status", f"L’action est déjà « {action.get_status_display()} ».")
            data["change"] = None
        elif kind == AdjustmentKind.LINK and change is None and action is None:
            self.add_error("change", "Choisissez le changement ou l’action concerné.")
        return data
