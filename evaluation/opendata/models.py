"""A generated set of open-data files. It belongs to the evaluation app (`evaluation.models` imports it)."""

from django.db import models


class OpenDataRelease(models.Model):
    """One generation of the open-data files: where they are in storage, what they hold, the date of the data.

    The files of a release are written (under their own folder) before its row is created: the page and the
    downloads read the latest row, so a reader sees the previous complete set until the new one is complete,
    and keeps it when a generation fails.
    """

    generated_at = models.DateTimeField("données arrêtées le", db_index=True)
    folder = models.CharField("dossier", max_length=120, unique=True)
    # [{"name", "path", "resource", "format", "media_type", "bytes", "title"}] in the order of the page.
    files = models.JSONField("fichiers", default=list)
    # The aggregated progress rows (as in the files), for the page's summary table.
    summary = models.JSONField("résumé", default=list)
    site_count = models.PositiveIntegerField("sites", default=0)
    # [department code, status, wave number, sites] (`services.map_rows`): the page's map, as of this release.
    departments = models.JSONField("sites par département", default=list)

    class Meta:
        verbose_name = "publication des données ouvertes"
        verbose_name_plural = "publications des données ouvertes"
        ordering = ["-generated_at", "-id"]

    def __str__(self):
        return f"Données ouvertes du {self.generated_at:%Y-%m-%d %H:%M}"

    def file(self, name: str) -> dict | None:
        return next((item for item in self.files if item["name"] == name), None)
