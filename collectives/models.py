"""People: platform accounts and their memberships in sites' collectives (the trinôme seats among them)."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone

from .enums import TRINOME_SEATS, MemberRole, PlatformRole


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


class MembershipQuerySet(models.QuerySet):
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
                condition=models.Q(ended_on__isnull=True, role__in=[r.value for r in TRINOME_SEATS]),
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
