"""The registry: where a site is (region, department), which wave it joined, which CRPV covers it."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse

from qic import text
from qic.audit import AuditedQuerySet
from qic.forms import plausible_date
from qic.links import url_for

from .enums import (
    ApiKeyRole,
    ApiKeyScope,
    Delivery,
    EventKind,
    NotificationKind,
    SiteKind,
    SiteStatus,
    WavePrerequisite,
)


class RegionQuerySet(models.QuerySet):
    def holding(self, sites: models.QuerySet | None = None) -> models.QuerySet:
        """The regions where at least one of `sites` (every site by default) lies: a semi-join that stops at
        each region's first site. The join of every site with DISTINCT it replaces read all of them (2,000
        sites: 2.5 ms, against 0.1 ms; a filter's list on every page that offers one)."""
        sites = Site.objects.all() if sites is None else sites
        return self.filter(Exists(sites.order_by().filter(department__region=OuterRef("pk"))))


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100, unique=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    code = models.CharField("code", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name="région"
    )

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Wave(models.Model):
    """A cohort of sites trained together ("vague" or "phase" in ANCT's words)."""

    number = models.PositiveSmallIntegerField("numéro", unique=True, validators=[MinValueValidator(1)])
    name = models.CharField("nom", max_length=100)
    starts_on = models.DateField("début", validators=[plausible_date])
    ends_on = models.DateField("fin", null=True, blank=True, validators=[plausible_date])
    training_starts_on = models.DateField(
        "début de la formation", null=True, blank=True, validators=[plausible_date]
    )
    coaching_hours_per_site = models.DecimalField(
        "heures d’accompagnement par site",
        max_digits=5,
        decimal_places=1,
        default=10,
        validators=[MinValueValidator(0)],
    )
    training_days = models.PositiveSmallIntegerField("jours de formation", default=7)
    is_current = models.BooleanField(
        "vague en cours de mobilisation", default=False, help_text="Une seule vague à la fois."
    )

    class Meta:
        verbose_name = "vague"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_wave",
                violation_error_message="Une autre vague est déjà la vague en cours\u00a0: une à la fois.",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="wave_ends_after_start",
                violation_error_message="La fin de la vague ne peut pas précéder son début.",
            ),
        ]

    def __str__(self):
        return self.name


class ResourceCentre(models.Model):
    """A CRPV (centre de ressources politique de la ville): its facilitators cover its regions."""

    name = models.CharField("nom", max_length=150, unique=True)
    short_name = models.CharField("sigle", max_length=40, blank=True)
    regions = models.ManyToManyField(
        Region, related_name="resource_centres", verbose_name="régions couvertes"
    )
    email = models.EmailField("courriel de contact", blank=True)

    class Meta:
        verbose_name = "centre de ressources (CRPV)"
        verbose_name_plural = "centres de ressources (CRPV)"
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name


class SiteQuerySet(AuditedQuerySet):
    def visible_to(self, user):
        from qic import access

        return access.visible_sites(user, self)

    def with_geography(self):
        return self.select_related("department__region", "wave")


qpv_code_validator = RegexValidator(
    r"^Q[NP]\d{3}[0-9A-Z]{3,4}$",
    "Le code QPV ressemble à QN04201M ou QP042004 (lettres Q, N ou P, puis le département).",
)
# INSEE codes of communes (Code officiel géographique): five characters, Corsica's with 2A or 2B.
commune_codes_validator = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})(,(\d{5}|2[AB]\d{3}))*$",
    "Les codes INSEE des communes ont cinq caractères (69266, 2A004), séparés par des virgules, "
    "dans l’ordre des communes.",
)


class Site(models.Model):
    """A priority neighbourhood, cité éducative or cité de l'emploi taking part in the programme."""

    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant d’adresse", max_length=220, unique=True)
    kind = models.CharField("type", max_length=20, choices=SiteKind.choices, default=SiteKind.QPV)
    communes = models.CharField("commune(s)", max_length=255, help_text="Séparées par des virgules.")
    # Filled by the registrations import (its optional "Code INSEE" column) and the admin; published in the
    # open data with the communes' names (evaluation.opendata). Empty: not known yet.
    commune_codes = models.CharField(
        "codes INSEE des communes",
        max_length=120,
        blank=True,
        validators=[commune_codes_validator],
        help_text="Séparés par des virgules, dans l’ordre des communes (ex. 69266,69256).",
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sites", verbose_name="département"
    )
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="sites", verbose_name="vague")
    qpv_code = models.CharField("code QPV", max_length=10, blank=True, validators=[qpv_code_validator])
    status = models.CharField(
        "statut", max_length=20, choices=SiteStatus.choices, default=SiteStatus.INTERESTED
    )
    status_changed_at = models.DateTimeField("statut depuis le", auto_now_add=True)
    coaching_hours_budget = models.DecimalField(
        "budget d’accompagnement (heures)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Vide : le budget par site de la vague.",
    )
    last_activity_at = models.DateTimeField("dernière activité", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = "site"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["wave", "status"]),
            models.Index(fields=["department"]),
            models.Index(fields=["last_activity_at"]),
            models.Index(fields=["name"]),  # the dashboard's default order
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["qpv_code"], condition=~models.Q(qpv_code=""), name="unique_qpv_code_when_known"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_for("sites:detail", site_slug=self.slug)  # lists of sites: no resolver call each

    @property
    def region(self):
        return self.department.region

    @property
    def coaching_budget(self):
        if self.coaching_hours_budget is not None:
            return self.coaching_hours_budget
        return self.wave.coaching_hours_per_site


class SiteStatusChange(models.Model):
    """One dated transition of a site's status, with its reason: the status history."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField("ancien statut", max_length=20, choices=SiteStatus.choices, blank=True)
    to_status = models.CharField("nouveau statut", max_length=20, choices=SiteStatus.choices)
    reason = models.TextField("motif", blank=True, max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField("date", auto_now_add=True)

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "changements de statut"
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.site} : {self.get_from_status_display()} → {self.get_to_status_display()}"


class PrerequisiteCheck(models.Model):
    """A wave prerequisite ticked for a registering site: who ticked it and when."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="prerequisite_checks")
    prerequisite = models.CharField("prérequis", max_length=20, choices=WavePrerequisite.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField("coché le", auto_now_add=True)

    class Meta:
        verbose_name = "prérequis validé"
        verbose_name_plural = "prérequis validés"
        constraints = [
            models.UniqueConstraint(fields=["site", "prerequisite"], name="one_check_per_prerequisite"),
        ]

    def __str__(self):
        return f"{self.site} : {self.get_prerequisite_display()}"


class SiteEvent(models.Model):
    """One dated entry of a site's journal : status changes, trinôme changes, adoptions, sessions..."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("type", max_length=30, choices=EventKind.choices)
    occurred_at = models.DateTimeField("date", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.CharField("résumé", max_length=300)
    # What the event is about, as "app_label.model:pk" (no generic FK: the journal outlives objects).
    subject = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "événement du journal"
        verbose_name_plural = "journal des sites"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["site", "-occurred_at"])]

    def __str__(self):
        return f"{self.site} — {self.get_kind_display()} ({text.date(self.occurred_at)})"


class RegistrationImport(models.Model):
    """A wave's registration file, parsed and kept server-side between the preview and the confirmation.

    The rows are stored as read from the file; the preview and the commit check them against the database each
    time, so what is confirmed is exactly what the file says, never something a browser sent back.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    digest = models.CharField("empreinte SHA-256 du fichier", max_length=64)
    filename = models.CharField("fichier", max_length=255)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="imports", verbose_name="vague")
    initial_status = models.CharField(
        "statut des nouveaux sites", max_length=20, choices=SiteStatus.choices, default=SiteStatus.REGISTERING
    )
    rows = models.JSONField("lignes lues", default=list)
    file_errors = models.JSONField("erreurs de lecture", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registration_imports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField("importé le", null=True, blank=True)
    summary = models.JSONField("bilan", default=dict, blank=True)

    class Meta:
        verbose_name = "import d’inscriptions"
        verbose_name_plural = "imports d’inscriptions"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "digest"])]

    def __str__(self):
        return f"{self.filename} ({self.wave})"

    def get_absolute_url(self):
        return reverse("sites:import_preview", kwargs={"token": self.token})


class SiteProgress(models.Model):
    """A site's progress facts, one row per site : what the dashboard, its alerts and totals, the roll-ups
    and bilans, the handover pack, the "À faire" list, the digest and the site page show of where a site is.

    Each fact is owned by the app whose data it sums up, which keeps it true in the same transaction as the
    write that changes it (`sites.progress`, and the `progress.py` module of each app). Reading the facts of
    any number of sites is one join ; a site without a row has none of them yet (nothing adopted, signed...).
    """

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="progress")
    # Registry (sites): how far along the mobilisation funnel the site ever got (0: interested... 3: active;
    # a paused site had started its training), whatever it became since.
    funnel_stage = models.PositiveSmallIntegerField("étape atteinte", default=0)
    # Trinôme (collectives): the seats with a current holder, as their role codes ("municipality,...").
    seats_filled = models.PositiveSmallIntegerField("sièges du trinôme pourvus", default=0)
    seats_held = models.CharField("sièges pourvus", max_length=100, blank=True)
    handovers = models.PositiveIntegerField("passations", default=0)
    # Vision and change strategy (vision): the latest adoption, with or without the strategy.
    vision_adopted_at = models.DateTimeField("vision adoptée le", null=True, blank=True)
    strategy_adopted_at = models.DateTimeField("stratégie adoptée le", null=True, blank=True)
    strategy_change_count = models.PositiveIntegerField("changements de la stratégie", default=0)
    # Cooperation agreement (collectives): the version in force, an open draft.
    agreement_in_force_since = models.DateField("entente en vigueur depuis", null=True, blank=True)
    agreement_draft_number = models.PositiveIntegerField("version en projet", null=True, blank=True)
    # Sessions and coaching (collectives): the last session attended, the coaching minutes booked (held or
    # to come; which of them are held depends on the hour, and is read with the page).
    last_session_at = models.DateTimeField("dernière session suivie", null=True, blank=True)
    last_session_id = models.PositiveIntegerField(null=True, blank=True)
    last_session_title = models.CharField(max_length=200, blank=True)
    coaching_booked_minutes = models.PositiveIntegerField("minutes d’accompagnement réservées", default=0)
    # Self-assessment (evaluation): the latest one, and the latest position on the cooperation continuum.
    last_assessed_on = models.DateField("dernière auto-évaluation", null=True, blank=True)
    continuum_level = models.PositiveSmallIntegerField("position sur le continuum", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "avancement d’un site"
        verbose_name_plural = "avancement des sites"
        indexes = [
            models.Index(fields=["seats_filled"]),
            models.Index(fields=["vision_adopted_at"]),
            models.Index(fields=["agreement_in_force_since"]),
            models.Index(fields=["continuum_level"]),
            models.Index(fields=["last_session_at"]),
        ]

    def __str__(self):
        return f"Avancement de {self.site_id}"

    @property
    def held_seats(self) -> set[str]:
        return self.parse_seats(self.seats_held)

    @staticmethod
    def parse_seats(seats_held: str | None) -> set[str]:
        """The role codes of a stored `seats_held` ("municipality,civil_society,")."""
        return set(filter(None, (seats_held or "").split(",")))


class Notification(models.Model):
    """One thing one person is told about (`sites.notifications`): written by the service that makes the
    event, in its transaction; read through the access module (a person who lost a site no longer sees it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField("type", max_length=30, choices=NotificationKind.choices)
    title = models.CharField("intitulé", max_length=300)
    url = models.CharField("lien", max_length=300)
    # What it is about, as "app_label.model:pk" (like the journal): closes the open items of one thing.
    subject = models.CharField(max_length=100, blank=True)
    actor_label = models.CharField("auteur", max_length=254, blank=True)
    created_at = models.DateTimeField("date", db_index=True)
    read_at = models.DateTimeField("lue le", null=True, blank=True)
    # An item asking for an act ("à faire") is open until the act is done or no longer possible.
    is_action = models.BooleanField("à faire", default=False)
    closed_at = models.DateTimeField("traitée le", null=True, blank=True)
    # The person's choice for this kind when it was written; `mailed_at` once an e-mail (or digest) told them.
    delivery = models.CharField("envoi", max_length=10, choices=Delivery.choices)
    mailed_at = models.DateTimeField("envoyée le", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["user", "delivery", "mailed_at"]),
            models.Index(fields=["subject", "kind"]),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.title}"


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification (absent: `DEFAULT_DELIVERY`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("type", max_length=30, choices=NotificationKind.choices)
    delivery = models.CharField("envoi", max_length=10, choices=Delivery.choices)

    class Meta:
        verbose_name = "préférence de notification"
        verbose_name_plural = "préférences de notification"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user_id} · {self.kind} · {self.delivery}"


class ApiKey(models.Model):
    """A partner API key (issue 19): issued by national staff to an organisation, for a scope and a role.

    Only a SHA-256 of the key is stored, with its public prefix (shown in lists and the audit log); the key
    itself is shown once, when it is issued (`sites.apikeys`). Audited like every row holding a site: issuing
    and revoking leave entries; the hash and the last use (bookkeeping, `editable=False`) do not.
    """

    organisation = models.CharField("organisation", max_length=200)
    scope = models.CharField("périmètre", max_length=10, choices=ApiKeyScope.choices)
    resource_centre = models.ForeignKey(
        ResourceCentre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name="CRPV",
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="api_keys", verbose_name="site"
    )
    role = models.CharField("droits", max_length=10, choices=ApiKeyRole.choices, default=ApiKeyRole.READ)
    prefix = models.CharField("préfixe", max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="émise par",
    )
    created_at = models.DateTimeField("émise le", auto_now_add=True)
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "clé d’API"
        verbose_name_plural = "clés d’API"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope="national", resource_centre__isnull=True, site__isnull=True)
                    | models.Q(scope="crpv", resource_centre__isnull=False, site__isnull=True)
                    | models.Q(scope="site", resource_centre__isnull=True, site__isnull=False)
                ),
                name="api_key_scope_target",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_label(self) -> str:
        if self.scope == ApiKeyScope.CRPV:
            return f"Régions du {self.resource_centre}"
        if self.scope == ApiKeyScope.SITE:
            return f"Site « {self.site} »"
        return self.get_scope_display()
