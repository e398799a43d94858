"""People and collectives: accounts, memberships (the trinôme seats among them), invitations, the
cooperation agreement and who carries the backbone roles."""

import hashlib
import secrets
import uuid

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone

from qic import text
from qic.audit import AuditedQuerySet
from qic.forms import plausible_date
from qic.locking import Versioned

from .enums import (
    TRINOME_SEATS,
    AgreementPart,
    AgreementStatus,
    BackboneRole,
    InvitationStatus,
    MemberRole,
    PlatformRole,
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


# The admin's apps national staff do not run: groups and permissions (which would grant what their role
# does not), the scheduled tasks (what runs when). Superusers do.
SUPERUSER_APPS = frozenset({"auth", "django_celery_beat"})


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
        if (
            self.is_active
            and self.role == PlatformRole.NATIONAL
            and perm.partition(".")[0] not in SUPERUSER_APPS
        ):
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if self.is_active and self.role == PlatformRole.NATIONAL and app_label not in SUPERUSER_APPS:
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
    started_on = models.DateField("depuis le", default=timezone.localdate, validators=[plausible_date])
    ended_on = models.DateField("jusqu’au", null=True, blank=True, validators=[plausible_date])
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
    in_force_since = models.DateField(
        "en vigueur depuis le", null=True, blank=True, validators=[plausible_date]
    )
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
    signed_on = models.DateField("signée le", default=timezone.localdate, validators=[plausible_date])
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "signature d’une entente"
        verbose_name_plural = "signatures des ententes"
        ordering = ["signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "seat"], name="one_signature_per_seat")]

    def __str__(self):
        return f"{self.get_seat_display()} : {self.signed_by} ({text.date(self.signed_on)})"


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
        return is_carried(self.person_id, self.organisation)


def is_carried(person_id: int | None, organisation: str) -> bool:
    """A backbone role is carried by a person of the platform or by an organisation."""
    return person_id is not None or bool(organisation.strip())


# The sessions are their own sub-domain (collectives/sessions/); their models are imported here so that Django
# finds them in the collectives app, with the same app label, tables and migrations.
from .sessions.models import (  # noqa: E402, F401
    CalendarFeed,
    ContinuumAnswer,
    ContinuumExercise,
    Participant,
    Session,
    SessionOutput,
    SessionQuerySet,
    SessionSite,
)
