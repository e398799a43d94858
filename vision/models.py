"""The vision, its context analysis and the change strategy of a site, with their saved versions.

The editable items (statement, factors, changes and their links, partner actions, narrative) live in their own
rows, each with a lock version (`qic.locking.Versioned`) so that two people never overwrite each other. Every
save also writes a `Revision`: a JSON snapshot of the whole document, numbered per site. Comparing any two
versions compares two snapshots; restoring writes a snapshot back into the rows as a new revision; the trinôme
approves one revision, which is adopted when the three current seat holders have approved it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from qic.locking import Versioned

from .enums import ActionStatus, ChangeLevel, ChangeRegister, FactorKind


class Vision(Versioned):
    """The vision statement of a site; its row is also the lock that serialises the site's saves."""

    site = models.OneToOneField("sites.Site", on_delete=models.CASCADE, related_name="vision")
    statement = models.TextField("énoncé de la vision", blank=True, max_length=1000)
    horizon_year = models.PositiveSmallIntegerField(
        "horizon", null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2200)]
    )

    class Meta:
        verbose_name = "vision"

    def __str__(self):
        return f"Vision de {self.site}"


class ChangeStrategy(Versioned):
    """The change strategy's own text: the narrative that tells the chain of changes as a story."""

    site = models.OneToOneField("sites.Site", on_delete=models.CASCADE, related_name="change_strategy")
    narrative = models.TextField("récit", blank=True, max_length=20000)

    class Meta:
        verbose_name = "stratégie de changement"
        verbose_name_plural = "stratégies de changement"

    def __str__(self):
        return f"Stratégie de changement de {self.site}"


class ContextFactor(Versioned):
    """A factor of the context analysis: positive (to build on) or negative (to deal with)."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="context_factors")
    kind = models.CharField("nature", max_length=10, choices=FactorKind.choices)
    text = models.CharField("facteur", max_length=300)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "facteur de contexte"
        verbose_name_plural = "facteurs de contexte"
        ordering = ["kind", "position", "id"]
        indexes = [models.Index(fields=["site", "kind", "position"])]

    def __str__(self):
        return self.text


class Change(Versioned):
    """One change of the strategy, at one level of the chain of effects, in one register."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="changes")
    level = models.CharField("niveau", max_length=12, choices=ChangeLevel.choices)
    register = models.CharField("registre", max_length=20, choices=ChangeRegister.choices)
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField("description", blank=True, max_length=3000)
    position = models.PositiveIntegerField(default=0)
    contributes_to = models.ManyToManyField(
        "self", symmetrical=False, related_name="contributors", blank=True, verbose_name="contribue à"
    )
    contributes_to_vision = models.BooleanField("contribue à la vision", default=False)

    class Meta:
        verbose_name = "changement"
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["site", "level", "position"])]

    def __str__(self):
        return self.title

    @property
    def level_enum(self) -> ChangeLevel:
        return ChangeLevel(self.level)


class PartnerAction(Versioned):
    """An action or project of a partner, aligned on the changes it serves."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="partner_actions")
    name = models.CharField("action ou projet", max_length=200)
    lead_organisation = models.CharField("structure porteuse", max_length=200)
    status = models.CharField(
        "état", max_length=10, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    description = models.TextField("description", blank=True, max_length=2000)
    position = models.PositiveIntegerField(default=0)
    changes = models.ManyToManyField(
        Change, related_name="actions", blank=True, verbose_name="changements servis"
    )

    class Meta:
        verbose_name = "action d’un partenaire"
        verbose_name_plural = "actions des partenaires"
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class Revision(models.Model):
    """One saved version of a site's whole document (vision, context, strategy), as a JSON snapshot."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="vision_revisions")
    number = models.PositiveIntegerField("version")
    snapshot = models.JSONField("contenu")
    summary = models.CharField("modification", max_length=300)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("enregistrée le", db_index=True)
    restored_from = models.PositiveIntegerField("restaurée depuis la version", null=True, blank=True)
    adopted_at = models.DateTimeField("adoptée le", null=True, blank=True)
    # Whether the adopted document held a change strategy (a version may adopt the vision alone).
    adopted_with_strategy = models.BooleanField(default=False)

    class Meta:
        verbose_name = "version de la vision et de la stratégie"
        verbose_name_plural = "versions de la vision et de la stratégie"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="one_revision_number_per_site")
        ]
        indexes = [models.Index(fields=["site", "adopted_at"])]

    def __str__(self):
        return f"{self.site} — version {self.number}"

    @property
    def is_adopted(self) -> bool:
        return self.adopted_at is not None


class Approval(models.Model):
    """A trinôme seat holder's approval of one revision."""

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seat = models.CharField("siège", max_length=20)
    approved_at = models.DateTimeField("approuvée le", auto_now_add=True)

    class Meta:
        verbose_name = "approbation"
        constraints = [models.UniqueConstraint(fields=["revision", "user"], name="one_approval_per_person")]

    def __str__(self):
        return f"{self.user} approuve {self.revision}"


class Comment(models.Model):
    """A remark on the vision (no change) or on one change; the trinôme resolves it."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="vision_comments")
    change = models.ForeignKey(
        Change, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    # The change's id and title when the comment was written: the comment outlives a deleted change, and
    # finds it again if a restored version brings the change back.
    change_ref = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    change_title = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField("commentaire", max_length=3000)
    created_at = models.DateTimeField("écrit le", auto_now_add=True)
    resolved_at = models.DateTimeField("résolu le", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "commentaire"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["site", "resolved_at"])]

    def __str__(self):
        return self.body[:60]

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def about_vision(self) -> bool:
        return self.change_id is None and not self.change_title


class Publication(models.Model):
    """One proposal to publish the site's public page (`/quartiers/<slug>/`), and its outcome.

    Like a version of the vision, it is published when the three current seat holders agreed (proposing is
    agreeing); it ends when a seat holder withdraws it before publication or unpublishes the page. A site has
    at most one open publication (pending or published); ended ones stay as history.
    """

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="publications")
    number = models.PositiveIntegerField("proposition")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField("proposée le")
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    ended_at = models.DateTimeField("retirée le", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "publication de la page publique"
        verbose_name_plural = "publications des pages publiques"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="one_publication_number_per_site"),
            models.UniqueConstraint(
                fields=["site"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_publication_per_site",
            ),
        ]
        indexes = [models.Index(fields=["published_at", "ended_at"])]

    def __str__(self):
        return f"{self.site} — publication {self.number}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.ended_at is None


class PublicationApproval(models.Model):
    """A trinôme seat holder's agreement to publish the public page."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seat = models.CharField("siège", max_length=20)
    approved_at = models.DateTimeField("accord donné le", auto_now_add=True)

    class Meta:
        verbose_name = "accord de publication"
        verbose_name_plural = "accords de publication"
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "user"], name="one_publication_approval_per_person"
            )
        ]

    def __str__(self):
        return f"{self.user} approuve {self.publication}"
