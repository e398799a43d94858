"""Models of the evaluation loop: learnings, indicators and measurements, evaluation cycles, what is due."""

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connection, models
from django.utils import timezone

from sites.text import normalise

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
