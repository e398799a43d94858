"""Models of the evaluation loop: learnings, self-assessments (indicators, cycles and what is due to come)."""

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connection, models
from django.utils import timezone

from collectives.enums import BackboneRole
from sites.text import normalise

from .enums import ConditionKey, ConditionLevel, ContinuumLevel, RoleCoverage

# --- Learning log, indicators, measurements, evaluation cycles, digest (issue 6, "Evaluation loop") ---------

LEARNING_SEARCH_FIELDS = ("title", "what_happened", "what_we_learned", "what_we_change", "tags")


class LearningEntry(models.Model):
    """One entry of a site's learning log: what happened, what we learned, what we will do differently."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="learnings")
    title = models.CharField("titre", max_length=200)
    occurred_on = models.DateField("date", default=timezone.localdate)
    what_happened = models.TextField("ce qui s’est passé", max_length=5000)
    what_we_learned = models.TextField("ce que nous avons appris", max_length=5000)
    what_we_change = models.TextField("ce que nous ferons autrement", blank=True, max_length=5000)
    # Normalised tags between commas (",habitants,mobilisation,") so that one tag is one exact `contains`.
    tags = models.CharField("étiquettes", max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("écrite le", default=timezone.now)
    # Derived, for the search: accent- and case-free text (SQLite) and a French tsvector (PostgreSQL; its GIN
    # index is created by the migration on PostgreSQL only).
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = "apprentissage"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["site", "-occurred_on"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = normalise(" ".join(getattr(self, name) or "" for name in LEARNING_SEARCH_FIELDS))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)
        if connection.vendor == "postgresql":
            # Derived column: update() on purpose (no audit entry, no second save signal).
            type(self).objects.filter(pk=self.pk).update(
                search_vector=SearchVector(*LEARNING_SEARCH_FIELDS, config="french")
            )

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
    assessed_on = models.DateField("date", default=timezone.localdate)
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
    continuum_moved_by = models.TextField("ce qui l’a fait bouger", blank=True)
    comment = models.TextField("commentaire d’ensemble", blank=True)
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
        return f"Auto-évaluation de {self.site} du {self.assessed_on:%d/%m/%Y}"


class ConditionAssessment(models.Model):
    """One precondition or condition rated on the four-level scale, with a comment."""

    self_assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="conditions")
    condition = models.CharField("condition", max_length=30, choices=ConditionKey.choices)
    level = models.PositiveSmallIntegerField("niveau", choices=ConditionLevel.choices)
    comment = models.TextField("commentaire", blank=True)

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
        return f"{self.get_condition_display()} : {self.get_level_display()}"


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
        return f"{self.get_role_display()} : {self.get_coverage_display()}"
