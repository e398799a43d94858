"""Models of the evaluation loop (learnings, self-assessments) and of the reports (bilans)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from collectives.enums import BackboneRole
from qic import text
from qic.forms import plausible_date
from qic.locking import Versioned
from qic.text import number
from vision.enums import ActionStatus, ChangeLevel, ChangeRegister

from .enums import (
    STRATEGY_EDITS,
    AdjustmentKind,
    ConditionKey,
    ConditionLevel,
    ContinuumLevel,
    Direction,
    Frequency,
    IndicatorKind,
    RoleCoverage,
)

# --- Learning log, indicators, measurements, evaluation cycles, digest (issue 6, "Evaluation loop") ---------


class LearningEntry(Versioned):
    """One entry of a site's learning log: what happened, what we learned, what we will do differently
    (versioned: two members correcting it at once never overwrite each other, `qic.locking`)."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="learnings")
    title = models.CharField("titre", max_length=200)
    occurred_on = models.DateField("date", default=timezone.localdate, validators=[plausible_date])
    what_happened = models.TextField("ce qui s’est passé", max_length=5000)
    what_we_learned = models.TextField("ce que nous avons appris", max_length=5000)
    what_we_change = models.TextField("ce que nous ferons autrement", blank=True, max_length=5000)
    # Tags as written, in lower case, between commas (",habitants,coopération,"): one tag is one exact
    # `contains` (`qic.text.tag`).
    tags = models.CharField("étiquettes", max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("écrite le", default=timezone.now)
    # Searched in French through an index on its text (`evaluation.search`), nothing stored twice.

    class Meta:
        verbose_name = "apprentissage"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["site", "-occurred_on"])]

    def __str__(self):
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]


# --- Self-assessments (issue 6, "Evaluation loop"; created by issue 7, whose sessions record them) ---------


class SelfAssessment(models.Model):
    """A site's dated look at itself: its conditions, its place on the cooperation continuum, its backbone.

    Every part is optional, so that a session exercise may record only the continuum position; a session
    records at most one self-assessment per site (`source_session`).
    """

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="self_assessments")
    assessed_on = models.DateField("date", default=timezone.localdate, validators=[plausible_date])
    source_session = models.ForeignKey(
        "collectives.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="self_assessments",
        verbose_name="session d’origine",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisie par",
    )
    continuum_level = models.PositiveSmallIntegerField(
        "position sur le continuum de la coopération", choices=ContinuumLevel.choices, null=True, blank=True
    )
    continuum_moved_by = models.TextField("ce qui l’a fait bouger", blank=True, max_length=3000)
    comment = models.TextField("commentaire d’ensemble", blank=True, max_length=3000)
    created_at = models.DateTimeField("enregistrée le", default=timezone.now)

    class Meta:
        verbose_name = "auto-évaluation"
        verbose_name_plural = "auto-évaluations"
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["site", "-assessed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(continuum_level__isnull=True)
                | models.Q(continuum_level__gte=1, continuum_level__lte=7),
                name="self_assessment_continuum_level_in_range",
            ),
            models.UniqueConstraint(
                fields=["site", "source_session"],
                condition=models.Q(source_session__isnull=False),
                name="one_self_assessment_per_site_and_session",
            ),
        ]

    def __str__(self):
        return f"Auto-évaluation de {self.site} du {text.date(self.assessed_on)}"


class ConditionAssessment(models.Model):
    """One precondition or condition rated on the four-level scale, with a comment."""

    self_assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="conditions")
    condition = models.CharField("condition", max_length=30, choices=ConditionKey.choices)
    level = models.PositiveSmallIntegerField("niveau", choices=ConditionLevel.choices)
    comment = models.TextField("commentaire", blank=True, max_length=2000)

    class Meta:
        verbose_name = "condition évaluée"
        verbose_name_plural = "conditions évaluées"
        ordering = ["self_assessment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["self_assessment", "condition"], name="one_rating_per_condition"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="condition_level_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.get_condition_display()} : {self.get_level_display()}"


class BackboneRoleAssessment(models.Model):
    """How well one of the seven backbone roles is carried, as the site sees it."""

    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="backbone_roles"
    )
    role = models.CharField("rôle", max_length=20, choices=BackboneRole.choices)
    coverage = models.PositiveSmallIntegerField("couverture", choices=RoleCoverage.choices)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "rôle de soutien évalué"
        verbose_name_plural = "rôles de soutien évalués"
        ordering = ["self_assessment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["self_assessment", "role"], name="one_rating_per_backbone_role"),
            models.CheckConstraint(
                condition=models.Q(coverage__gte=0, coverage__lte=2), name="backbone_coverage_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} : {self.get_coverage_display()}"


# --- Indicators of the changes and their measurements (issue 6) --------------------------------------------


class Indicator(Versioned):
    """What tells the collective whether one change of its strategy is happening (versioned: the three seat
    holders may edit it at once, `qic.locking`)."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="indicators")
    # The indicator and its measurements outlive a deleted change (`qic.references`): it keeps the change's id
    # and title, and finds the change again when a restored version brings it back.
    change = models.ForeignKey(
        "vision.Change",
        on_delete=models.SET_NULL,
        null=True,
        related_name="indicators",
        verbose_name="changement",
    )
    change_ref = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    change_title = models.CharField(max_length=200, blank=True, editable=False)
    name = models.CharField("intitulé", max_length=200)
    kind = models.CharField("nature", max_length=12, choices=IndicatorKind.choices)
    unit = models.CharField("unité", max_length=40, blank=True)
    direction = models.CharField(
        "sens souhaité", max_length=8, choices=Direction.choices, default=Direction.INCREASE
    )
    # Qualitative indicators: the ordered labels of their scale, lowest first; levels are 1-based.
    scale = models.JSONField("échelle", default=list, blank=True)
    baseline_on = models.DateField("date de la situation de départ", validators=[plausible_date])
    baseline_value = models.DecimalField(
        "valeur de départ", max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_level = models.PositiveSmallIntegerField("niveau de départ", null=True, blank=True)
    target_value = models.DecimalField("valeur cible", max_digits=14, decimal_places=2, null=True, blank=True)
    target_level = models.PositiveSmallIntegerField("niveau cible", null=True, blank=True)
    target_on = models.DateField("échéance de la cible", null=True, blank=True, validators=[plausible_date])
    data_source = models.CharField("source des données", max_length=300)
    frequency = models.CharField(
        "fréquence de mesure", max_length=2, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "indicateur"
        ordering = ["change__position", "change_id", "id"]
        indexes = [models.Index(fields=["site", "change"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.change_id is not None:
            self.change_ref = self.change_id
        super().save(*args, **kwargs)

    @property
    def change_label(self) -> str:
        """The change it follows, or the title of the change it followed before it was deleted."""
        if self.change is not None:
            return self.change.title
        return f"« {self.change_title} » (retiré de la stratégie)" if self.change_title else "aucun"

    @property
    def is_quantitative(self) -> bool:
        return self.kind == IndicatorKind.QUANTITATIVE

    def level_label(self, level) -> str:
        if level is None or not 1 <= level <= len(self.scale):
            return ""
        return f"{level} — {self.scale[level - 1]}"

    @property
    def baseline_display(self) -> str:
        if self.is_quantitative:
            return number(self.baseline_value, unit=self.unit)
        return self.level_label(self.baseline_level)

    @property
    def target_display(self) -> str:
        if self.is_quantitative:
            return number(self.target_value, unit=self.unit)
        return self.level_label(self.target_level)


class Measurement(Versioned):
    """One measurement of an indicator, for one period (dated); versioned, so that two people correcting it at
    once never overwrite each other (`qic.locking`)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField("date de la mesure", validators=[plausible_date])
    value = models.DecimalField("valeur", max_digits=14, decimal_places=2, null=True, blank=True)
    level = models.PositiveSmallIntegerField("niveau", null=True, blank=True)
    comment = models.TextField("commentaire", blank=True, max_length=2000)
    evidence_url = models.URLField("lien vers une preuve", blank=True, max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "mesure"
        ordering = ["indicator", "measured_on"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "measured_on"], name="one_measurement_per_date")
        ]

    def __str__(self):
        return f"{self.indicator} au {text.date(self.measured_on)}"

    @property
    def display(self) -> str:
        if self.indicator.is_quantitative:
            return number(self.value, unit=self.indicator.unit)
        return self.indicator.level_label(self.level)


class EvaluationCycle(Versioned):
    """A dated turn of the loop: what we planned, what we observed, what we learned, what we adjust.

    Versioned (`qic.locking`): the trinôme writes it together. Closing it applies its adjustments to the
    change strategy (`evaluation.cycles.close_cycle`) and files what was learned in the learning log.
    """

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="evaluation_cycles")
    title = models.CharField("intitulé", max_length=200)
    starts_on = models.DateField("début", validators=[plausible_date])
    ends_on = models.DateField("fin", validators=[plausible_date])
    planned = models.TextField("ce que nous avions prévu", blank=True, max_length=5000)
    observed = models.TextField("ce que nous avons observé", blank=True, max_length=5000)
    learned = models.TextField("ce que nous avons appris", blank=True, max_length=5000)
    adjustments_summary = models.TextField("ce que nous ajustons", blank=True, max_length=5000)
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    learning = models.OneToOneField(
        LearningEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cycle",
        verbose_name="apprentissage consigné",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "cycle d’évaluation"
        verbose_name_plural = "cycles d’évaluation"
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["site", "closed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="cycle_dates_in_order"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Adjustment(models.Model):
    """One adjustment of a cycle, linked to the strategy item it changes (a change or a partner action).

    `based_on_version` is the item's lock version when the adjustment was written: closing the cycle applies
    the edit only if nobody changed the item since (otherwise the closing is refused, nothing is written).
    """

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="adjustment_items")
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("ajustement", max_length=15, choices=AdjustmentKind.choices)
    change = models.ForeignKey(
        "vision.Change",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adjustments",
        verbose_name="changement",
    )
    action = models.ForeignKey(
        "vision.PartnerAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adjustments",
        verbose_name="action",
    )
    # The targets' ids kept for good (`qic.references`): a restored version links the adjustment again.
    change_ref = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    action_ref = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    based_on_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    title = models.CharField("nouvel intitulé", max_length=200, blank=True)
    description = models.TextField("nouvelle description", blank=True, max_length=3000)
    level = models.CharField("niveau", max_length=12, choices=ChangeLevel.choices, blank=True)
    register = models.CharField("registre", max_length=20, choices=ChangeRegister.choices, blank=True)
    status = models.CharField("nouvel état", max_length=10, choices=ActionStatus.choices, blank=True)
    rationale = models.TextField("pourquoi", blank=True, max_length=2000)
    # Set when the cycle is closed: the strategy version that recorded the edit.
    applied_at = models.DateTimeField("appliqué le", null=True, blank=True)
    revision = models.ForeignKey(
        "vision.Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "ajustement"
        ordering = ["cycle", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.target_label}"

    def save(self, *args, **kwargs):
        if self.change_id is not None:
            self.change_ref = self.change_id
        if self.action_id is not None:
            self.action_ref = self.action_id
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "change" in update_fields:
            kwargs["update_fields"] = [*update_fields, "change_ref"]
        super().save(*args, **kwargs)

    @property
    def target_label(self) -> str:
        if self.kind == AdjustmentKind.ADD_CHANGE and not self.applied_at:
            return self.title
        item = self.action if self.kind == AdjustmentKind.ACTION_STATUS else (self.change or self.action)
        return str(item) if item is not None else "élément supprimé de la stratégie"

    @property
    def edits_strategy(self) -> bool:
        return self.kind in STRATEGY_EDITS


class DigestSent(models.Model):
    """One person's weekly digest went out for this week: the task may run twice, the mail goes once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField("lundi de la semaine")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="one_digest_per_person_and_week")
        ]

    def __str__(self):
        return f"{self.user} — {self.week}"


class DigestPreference(models.Model):
    """A person's choice about the weekly digest (no row: they receive it)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opted_out = models.BooleanField("ne plus recevoir le résumé hebdomadaire", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "préférence du résumé hebdomadaire"

    def __str__(self):
        return f"{self.user} — {'désabonné' if self.opted_out else 'abonné'}"


# The reports and the open data are their own sub-domains (evaluation/reports/, evaluation/opendata/); their
# models are imported here so that Django finds them in the evaluation app (same app label and migrations).
from .opendata.models import OpenDataRelease  # noqa: E402, F401
from .reports.models import Report  # noqa: E402, F401
