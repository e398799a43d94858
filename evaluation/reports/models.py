"""The reports' model: per-site bilans, national roll-ups and batches of bilans (issue 8). It belongs to the
evaluation app (`evaluation.models` imports it, so app label, table and migrations stay the same)."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from qic import text

from .enums import ReportKind, ReportState, ReportTrigger


class Report(models.Model):
    """A generated document, frozen once done: its files and the data snapshot they were drawn from.

    One report per scope and data date (`scope_key`, `data_date`): asking twice gives the same report. Its
    state, progress and files are written by the Celery task (`evaluation.reports.tasks`) with
    `QuerySet.update()`, so the page polling it reads the database, not Celery's result backend.
    """

    kind = models.CharField("type", max_length=20, choices=ReportKind.choices)
    # Scope: a site for a bilan; optionally a wave and a region for a roll-up or a batch (none: every site).
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name="site",
    )
    wave = models.ForeignKey(
        "sites.Wave", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="vague"
    )
    region = models.ForeignKey(
        "sites.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="région",
    )
    scope_key = models.CharField("périmètre", max_length=80, editable=False)
    data_date = models.DateField("données du")

    state = models.CharField("état", max_length=10, choices=ReportState.choices, default=ReportState.PENDING)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    step = models.CharField("étape", max_length=120, blank=True)
    error = models.TextField("erreur", blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)

    trigger = models.CharField(
        "origine", max_length=10, choices=ReportTrigger.choices, default=ReportTrigger.DEMAND
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demandé par",
    )
    requested_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    snapshot = models.JSONField("données figées", null=True, blank=True, editable=False)
    snapshot_taken_at = models.DateTimeField("données lues le", null=True, blank=True)
    pdf = models.FileField("PDF", blank=True, max_length=255)
    xlsx = models.FileField("tableur", blank=True, max_length=255)
    archive = models.FileField("archive ZIP", blank=True, max_length=255)

    class Meta:
        verbose_name = "bilan"
        verbose_name_plural = "bilans"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scope_key", "data_date"], name="one_report_per_scope_and_date"),
            models.CheckConstraint(
                condition=~models.Q(kind="site") | models.Q(site__isnull=False), name="site_report_has_site"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_is_a_percentage"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "-requested_at"]),
            models.Index(fields=["kind", "-requested_at"]),
            models.Index(fields=["state"]),
        ]

    def __str__(self):
        return f"{self.title} — données du {text.date(self.data_date)}"

    def get_absolute_url(self):
        if self.kind == ReportKind.SITE:
            return reverse("reports:site_detail", kwargs={"site_slug": self.site.slug, "report_id": self.pk})
        return reverse("reports:detail", kwargs={"report_id": self.pk})

    @property
    def title(self) -> str:
        if self.kind == ReportKind.SITE:
            return f"Bilan de {self.site}"
        label = "Synthèse nationale" if self.kind == ReportKind.NATIONAL else "Bilans des sites"
        return f"{label} — {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.kind == ReportKind.SITE:
            return str(self.site)
        parts = [str(self.wave) if self.wave_id else "toutes les vagues"]
        parts.append(str(self.region) if self.region_id else "toutes les régions")
        return ", ".join(parts)

    @property
    def is_finished(self) -> bool:
        return self.state in (ReportState.DONE, ReportState.FAILED)

    def compare_url(self) -> str:
        if self.kind == ReportKind.SITE:
            return reverse("reports:site_compare", kwargs={"site_slug": self.site.slug, "report_id": self.pk})
        return reverse("reports:compare", kwargs={"report_id": self.pk})

    def download_url(self, fmt: str = "pdf") -> str:
        if self.kind == ReportKind.SITE:
            return reverse(
                "reports:site_download", kwargs={"site_slug": self.site.slug, "report_id": self.pk}
            )
        return reverse("reports:download", kwargs={"report_id": self.pk, "fmt": fmt})
