"""The sessions' models: training days, learning collectives and site coaching; attendance, live exercises,
free outputs per site, reminders and the personal calendar feed. They belong to the collectives app
(`collectives.models` imports them, so app label, table names and migrations stay the same). Business rules:
`services.py` and its neighbours (exercises.py, calendar.py, reminders.py; coaching hours in
`collectives/services/coaching.py`); who may do what: qic/access.py.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from qic import access, text
from qic.locking import Versioned

from ..enums import ContinuumLevel, MemberRole, SessionKind


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return access.visible_sessions(user, self)

    def active(self):
        return self.filter(cancelled_at__isnull=True)

    def coaching(self):
        return self.filter(kind=SessionKind.SITE_COACHING)

    def without_texts(self):
        """For lists, summaries and tasks: the agenda and the notes (10,000 characters each) are read where
        they are shown, on the session's own page."""
        return self.defer("agenda", "notes")


class Session(Versioned):
    """A dated session: a national training day, a regional module, a site's coaching, a webinar, a meeting.

    A session without region is national (run by national staff); a regional one is run by the CRPV covering
    its region, and every site it involves lies in that region. The duration is kept in minutes so that
    coaching hours add up in one query on every database.
    """

    kind = models.CharField("type", max_length=30, choices=SessionKind.choices)
    title = models.CharField("intitulé", max_length=200)
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    duration_minutes = models.PositiveIntegerField("durée (minutes)", default=0, editable=False)
    region = models.ForeignKey(
        "sites.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name="région",
        help_text="Vide : session nationale.",
    )
    place = models.CharField("lieu", max_length=255, blank=True)
    online_url = models.URLField("lien de connexion", max_length=500, blank=True)
    # Announced on the public page of its sites that published theirs: date, place and title only.
    is_public = models.BooleanField("annoncée sur les pages publiques", default=False)
    agenda = models.TextField("ordre du jour", blank=True, max_length=10000)
    notes = models.TextField("notes", blank=True, max_length=10000)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_sessions", blank=True, verbose_name="animation"
    )
    sites = models.ManyToManyField(
        "sites.Site", through="SessionSite", related_name="sessions", verbose_name="sites concernés"
    )
    overbooking_reason = models.TextField(
        "raison du dépassement du budget d’accompagnement",
        blank=True,
        max_length=2000,
        help_text="Demandée quand un accompagnement dépasse le budget d’heures du site.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="planifiée par",
    )
    created_at = models.DateTimeField("planifiée le", default=timezone.now)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField("motif d’annulation", max_length=300, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = "session"
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["region", "starts_at"]),
            models.Index(fields=["kind", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({text.date(timezone.localtime(self.starts_at))})"

    def save(self, *args, **kwargs):
        self.duration_minutes = self.compute_duration()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "duration_minutes" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "duration_minutes"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("sessions:detail", args=[self.pk])

    def compute_duration(self) -> int:
        if not (self.starts_at and self.ends_at):
            return 0
        return max(0, int((self.ends_at - self.starts_at).total_seconds() // 60))

    @property
    def duration_hours(self):
        return Decimal(self.duration_minutes) / 60

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_national(self) -> bool:
        return self.region_id is None

    @property
    def is_coaching(self) -> bool:
        return self.kind == SessionKind.SITE_COACHING

    def has_started(self, now=None) -> bool:
        return self.starts_at <= (now or timezone.now())

    def has_ended(self, now=None) -> bool:
        return self.ends_at <= (now or timezone.now())


class SessionSite(models.Model):
    """A site involved in a session (its members are invited)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="session_sites")
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="session_links")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "site d’une session"
        verbose_name_plural = "sites des sessions"
        constraints = [models.UniqueConstraint(fields=["session", "site"], name="one_link_per_session_site")]

    def __str__(self):
        return f"{self.site} — {self.session}"


class Participant(models.Model):
    """A person invited to a session: a member of an involved site (with an account) or a named guest.

    Whether they came is ticked on the day; the reminder mark makes the day-before email go once only.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="session_participations",
        verbose_name="au titre du site",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="session_participations",
    )
    member_role = models.CharField("qualité", max_length=20, choices=MemberRole.choices, blank=True)
    # Guests have no account: who they are is typed by the facilitator.
    name = models.CharField("nom et prénom", max_length=200, blank=True)
    organisation = models.CharField("organisation", max_length=200, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    present = models.BooleanField("présent·e", default=False)
    marked_at = models.DateTimeField("présence notée le", null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminder_sent_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "participant·e"
        verbose_name_plural = "participant·es"
        ordering = ["session", "site", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=models.Q(user__isnull=False),
                name="one_participation_per_person",
            ),
            models.UniqueConstraint(
                fields=["session", "email"],
                condition=models.Q(user__isnull=True) & ~models.Q(email=""),
                name="one_participation_per_guest_email",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(name=""), name="guest_has_a_name"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "present"]),
            models.Index(fields=["site", "present"]),
            models.Index(fields=["reminder_sent_at"]),
        ]

    def __str__(self):
        return f"{self.display_name} — {self.session}"

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def display_name(self) -> str:
        if self.user_id is not None:
            return self.user.get_full_name() or self.user.email
        return self.name

    @property
    def contact_email(self) -> str:
        return self.user.email if self.user_id is not None else self.email


class ContinuumExercise(models.Model):
    """The cooperation continuum exercise of a session: open while sites answer, closed when recorded."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="continuum")
    opened_at = models.DateTimeField("ouvert le", default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "exercice du continuum de la coopération"
        verbose_name_plural = "exercices du continuum de la coopération"

    def __str__(self):
        return f"Continuum — {self.session}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ContinuumAnswer(Versioned):
    """Where a site places itself on the continuum during a session, and what moved it there."""

    exercise = models.ForeignKey(ContinuumExercise, on_delete=models.CASCADE, related_name="answers")
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="continuum_answers")
    level = models.PositiveSmallIntegerField("position", choices=ContinuumLevel.choices)
    moved_by = models.TextField("ce qui nous a fait bouger", blank=True, max_length=3000)

    class Meta:
        verbose_name = "réponse au continuum"
        verbose_name_plural = "réponses au continuum"
        ordering = ["exercise", "site__name"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "site"], name="one_continuum_answer_per_site"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=7), name="continuum_answer_level_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.site} : {self.get_level_display()}"


class SessionOutput(Versioned):
    """What a site produced during a session (e.g. its cooperation agreement prototype), kept with it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="outputs")
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="session_outputs")
    title = models.CharField("titre", max_length=200)
    text = models.TextField("contenu", max_length=10000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "production d’une session"
        verbose_name_plural = "productions des sessions"
        ordering = ["session", "site", "created_at", "id"]

    def __str__(self):
        return f"{self.title} ({self.site})"


class CalendarFeed(models.Model):
    """A person's secret calendar link (ICS). Only a hash of the secret is stored; revoking ends the link."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    last_used_at = models.DateTimeField("dernière lecture", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "lien d’agenda"
        verbose_name_plural = "liens d’agenda"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="one_active_calendar_feed"
            ),
        ]

    def __str__(self):
        return f"Agenda de {self.user}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
