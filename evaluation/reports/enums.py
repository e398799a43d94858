"""Choices of the reports: what a report is, where it stands, who started it."""

from django.db import models


class ReportKind(models.TextChoices):
    SITE = "site", "Bilan de site"
    NATIONAL = "national", "Synthèse nationale"
    BATCH = "batch", "Lot de bilans de sites"


class ReportState(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Prêt"
    FAILED = "failed", "Échec"


class ReportTrigger(models.TextChoices):
    DEMAND = "demand", "À la demande"
    SCHEDULE = "schedule", "Planifié"


# The formats each kind of report is downloaded in.
FORMATS = {
    ReportKind.SITE: ("pdf",),
    ReportKind.NATIONAL: ("pdf", "xlsx"),
    ReportKind.BATCH: ("zip",),
}
