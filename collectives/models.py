"""People and collectives: accounts, memberships (the trinôme seats among them), invitations, the
cooperation agreement and who carries the backbone roles."""

import hashlib
import secrets
import uuid
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone

from qic.audit import AuditedQuerySet
from qic.locking import Versioned

from .enums import (
    TRINOME_SEATS,
    AgreementPart,
    AgreementStatus,
    BackboneRole,
    ContinuumLevel,
    InvitationStatus,
    MemberRole,
    PlatformRole,
    SessionKind,
)

SEAT_VALUES = [r.value for r in TRINOME_SEATS]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", PlatformRole.NATIONAL)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account. Email is the login; the role says what they see across sites."""

    username = None
    email = models.EmailField("adresse électronique", unique=True)
    role = models.CharField("rôle", max_length=20, choices=PlatformRole.choices, default=PlatformRole.MEMBER)
    resource_centre = models.ForeignKey(
        "sites.ResourceCentre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilitators",
        verbose_name="centre de ressources",
        help_text="Obligatoire pour un·e animateur·rice de CRPV.",
    )
    organisation = models.CharField("organisation", max_length=200, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur·rice"
        verbose_name_plural = "utilisateur·rices"
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="facilitator") | models.Q(resource_centre__isnull=False),
                name="facilitator_has_resource_centre",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        # Only national staff (and superusers) reach the admin.
        self.is_staff = self.is_superuser or self.role == PlatformRole.NATIONAL
        super().save(*args, **kwargs)

    def has_perm(self, perm, obj=None):
        if self.is_active and self.role == PlatformRole.NATIONAL:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if self.is_active and self.role == PlatformRole.NATIONAL:
            return True
        return super().has_module_perms(app_label)


class MembershipQuerySet(AuditedQuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)

    def seats(self):
        return self.filter(role__in=TRINOME_SEATS)


class Membership(models.Model):
    """A person's place in one site's collective, dated; ended memberships stay as history."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("rôle", max_length=20, choices=MemberRole.choices)
    organisation = models.CharField("organisation", max_length=200, blank=True)
    started_on = models.DateField("depuis le", default=timezone.localdate)
    ended_on = models.DateField("jusqu’au", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "membre d’un collectif"
        verbose_name_plural = "membres des collectifs"
        ordering = ["site", "role", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "role"],
                condition=models.Q(ended_on__isnull=True, role__in=SEAT_VALUES),
                name="one_current_holder_per_seat",
            ),
            models.UniqueConstraint(
                fields=["site", "user"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_membership_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "ended_on"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.site})"

    @property
    def is_current(self):
        return self.ended_on is None

    @property
    def is_seat(self):
        return self.role in TRINOME_SEATS


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(AuditedQuerySet):
    def open(self):
        """Neither used nor revoked (possibly expired)."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True)

    def pending(self):
        return self.open().filter(expires_at__gt=timezone.now())

    def find(self, token: str):
        return self.filter(token_hash=hash_token(token)).select_related("site", "invited_by").first()


class Invitation(models.Model):
    """An emailed invitation to join a site's collective in a role (a trinôme seat among them).

    Only a hash of the secret token is stored; the link in the email is the only copy of the token.
    """

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("adresse électronique")
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    organisation = models.CharField("organisation", max_length=200, blank=True)
    role = models.CharField("rôle", max_length=20, choices=MemberRole.choices)
    message = models.TextField("message personnel", blank=True, max_length=1000)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="invité par"
    )
    replaces = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="succède à",
        help_text="Le mandat terminé par la passation de siège qui a donné lieu à cette invitation.",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)
    send_count = models.PositiveSmallIntegerField("envois", default=1)
    expires_at = models.DateTimeField("expire le")
    used_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="accepted_invitations"
    )
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "email"],
                condition=models.Q(used_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_person",
            ),
            models.UniqueConstraint(
                fields=["site", "role"],
                condition=models.Q(used_at__isnull=True, revoked_at__isnull=True, role__in=SEAT_VALUES),
                name="one_open_invitation_per_seat",
            ),
        ]
        indexes = [models.Index(fields=["site", "used_at", "revoked_at"])]

    def __str__(self):
        return f"{self.email} — {self.get_role_display()} ({self.site})"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    def set_token(self, token: str) -> None:
        self.token_hash = hash_token(token)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_seat(self) -> bool:
        return self.role in SEAT_VALUES

    @property
    def status(self) -> str:
        if self.used_at:
            return InvitationStatus.USED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label


class CooperationAgreement(models.Model):
    """One version of a site's cooperation agreement (entente de coopération).

    A site has at most one draft and at most one agreement in force; signed versions are never edited: an edit
    after signature starts a new draft, copied from the version in force.
    """

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="agreements")
    number = models.PositiveSmallIntegerField("version")
    status = models.CharField(
        "statut", max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="reprend"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="ouverte par"
    )
    created_at = models.DateTimeField("ouverte le", default=timezone.now)
    in_force_since = models.DateField("en vigueur depuis le", null=True, blank=True)
    superseded_at = models.DateTimeField("remplacée le", null=True, blank=True)

    class Meta:
        verbose_name = "entente de coopération"
        verbose_name_plural = "ententes de coopération"
        ordering = ["site", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="one_agreement_number_per_site"),
            models.UniqueConstraint(
                fields=["site"], condition=models.Q(status="draft"), name="one_agreement_draft_per_site"
            ),
            models.UniqueConstraint(
                fields=["site"], condition=models.Q(status="in_force"), name="one_agreement_in_force_per_site"
            ),
        ]

    def __str__(self):
        return f"Entente de coopération de {self.site}, version {self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == AgreementStatus.DRAFT

    @property
    def is_in_force(self) -> bool:
        return self.status == AgreementStatus.IN_FORCE


class AgreementSection(Versioned):
    """The text of one of the five parts of an agreement version."""

    agreement = models.ForeignKey(CooperationAgreement, on_delete=models.CASCADE, related_name="sections")
    part = models.CharField("partie", max_length=20, choices=AgreementPart.choices)
    text = models.TextField("texte", blank=True, max_length=10000)

    class Meta:
        verbose_name = "partie d’une entente"
        verbose_name_plural = "parties des ententes"
        constraints = [models.UniqueConstraint(fields=["agreement", "part"], name="one_section_per_part")]

    def __str__(self):
        return f"{self.get_part_display()} ({self.agreement})"


class CooperationSpace(Versioned):
    """A space of cooperation named by the agreement: what it is for, how often, who, what it decides."""

    agreement = models.ForeignKey(CooperationAgreement, on_delete=models.CASCADE, related_name="spaces")
    # The same space across the versions of the agreement (a new draft copies the spaces with their uid).
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField("nom", max_length=150)
    purpose = models.TextField("rôle et responsabilités", blank=True, max_length=2000)
    frequency = models.CharField("fréquence", max_length=150, blank=True)
    participants = models.TextField("qui y participe", blank=True, max_length=2000)
    decisions = models.TextField("ce qu’il décide", blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "lieu de coopération"
        verbose_name_plural = "lieux de coopération"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "uid"], name="one_space_copy_per_version")
        ]

    def __str__(self):
        return self.name


class AgreementSignature(models.Model):
    """A trinôme seat's dated signature of one agreement version."""

    agreement = models.ForeignKey(CooperationAgreement, on_delete=models.CASCADE, related_name="signatures")
    seat = models.CharField("siège", max_length=20, choices=[(r.value, r.label) for r in TRINOME_SEATS])
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="signée par")
    signed_on = models.DateField("signée le", default=timezone.localdate)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "signature d’une entente"
        verbose_name_plural = "signatures des ententes"
        ordering = ["signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "seat"], name="one_signature_per_seat")]

    def __str__(self):
        return f"{self.get_seat_display()} : {self.signed_by} ({self.signed_on:%d/%m/%Y})"


class AgreementChange(models.Model):
    """Who changed what in an agreement version: the version's authors."""

    agreement = models.ForeignKey(CooperationAgreement, on_delete=models.CASCADE, related_name="changes")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    summary = models.CharField("modification", max_length=250)

    class Meta:
        verbose_name = "modification d’une entente"
        verbose_name_plural = "modifications des ententes"
        ordering = ["-at", "-id"]

    def __str__(self):
        return self.summary


class BackboneAssignment(Versioned):
    """Who carries one of the seven backbone roles for a site: a person, an organisation, or both."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="backbone_assignments")
    role = models.CharField("rôle", max_length=20, choices=BackboneRole.choices)
    person = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="personne"
    )
    organisation = models.CharField("organisation", max_length=200, blank=True)
    note = models.TextField("comment ce rôle est porté", blank=True, max_length=2000)

    class Meta:
        verbose_name = "rôle de la structure de soutien"
        verbose_name_plural = "rôles de la structure de soutien"
        ordering = ["site", "role"]
        constraints = [
            models.UniqueConstraint(fields=["site", "role"], name="one_assignment_per_backbone_role")
        ]

    def __str__(self):
        return f"{self.get_role_display()} ({self.site})"

    @property
    def is_carried(self) -> bool:
        return self.person_id is not None or bool(self.organisation.strip())


# --- Sessions (issue 7): training days, learning collectives and site coaching; attendance, live exercises,
# free outputs per site, reminders and the personal calendar feed. Business rules: services/sessions.py and
# its neighbours (coaching.py, exercises.py, calendar.py); who may do what: qic/access.py.


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from qic import access

        return access.visible_sessions(user, self)

    def active(self):
        return self.filter(cancelled_at__isnull=True)

    def coaching(self):
        return self.filter(kind=SessionKind.SITE_COACHING)


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
        help_text="Vide : session nationale.",
    )
    place = models.CharField("lieu", max_length=255, blank=True)
    online_url = models.URLField("lien de connexion", max_length=500, blank=True)
    agenda = models.TextField("ordre du jour", blank=True, max_length=10000)
    notes = models.TextField("notes", blank=True, max_length=10000)
    facilitators = models.ManyToManyField(
        User, related_name="facilitated_sessions", blank=True, verbose_name="animation"
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
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="planifiée par"
    )
    created_at = models.DateTimeField("planifiée le", default=timezone.now)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancelled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
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
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

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
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="session_participations"
    )
    member_role = models.CharField("qualité", max_length=20, choices=MemberRole.choices, blank=True)
    # Guests have no account: who they are is typed by the facilitator.
    name = models.CharField("nom et prénom", max_length=200, blank=True)
    organisation = models.CharField("organisation", max_length=200, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    present = models.BooleanField("présent·e", default=False)
    marked_at = models.DateTimeField("présence notée le", null=True, blank=True)
    marked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reminder_sent_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
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
    opened_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    closed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

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
        return f"{self.site} : {self.get_level_display()}"


class SessionOutput(Versioned):
    """What a site produced during a session (e.g. its cooperation agreement prototype), kept with it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="outputs")
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="session_outputs")
    title = models.CharField("titre", max_length=200)
    text = models.TextField("contenu", max_length=10000)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "production d’une session"
        verbose_name_plural = "productions des sessions"
        ordering = ["session", "site", "created_at", "id"]

    def __str__(self):
        return f"{self.title} ({self.site})"


class CalendarFeed(models.Model):
    """A person's secret calendar link (ICS). Only a hash of the secret is stored; revoking ends the link."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds")
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
