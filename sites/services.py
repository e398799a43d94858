"""Business rules of the registry: creating sites and moving them through their lifecycle."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import ngettext

from qic.roles import TRINOME_SEATS

from . import journal
from .enums import ALLOWED_TRANSITIONS, EventKind, SiteStatus, WavePrerequisite
from .models import PrerequisiteCheck, Site, SiteProgress, SiteStatusChange

# Paths of the registry that sit beside site pages under /sites/: no site may take them as its slug.
RESERVED_SLUGS = frozenset({"tableau-de-bord", "inscriptions"})


class LifecycleError(Exception):
    """A status change or a checklist tick that the rules refuse; the message is shown to the user."""


def unique_site_slug(name: str, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:200] or "site"
    slug, n = base, 2
    existing = Site.objects.exclude(pk=exclude_pk) if exclude_pk else Site.objects.all()
    while slug in RESERVED_SLUGS or existing.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def change_status(site: Site, to_status: str, *, by=None, reason: str = "") -> SiteStatusChange | None:
    """Move a site to a new status and keep the dated transition; nothing happens if it is already there."""
    if to_status not in SiteStatus.values:
        raise ValueError(f"Unknown status {to_status!r}")
    locked = Site.objects.select_for_update().get(pk=site.pk)
    if locked.status == to_status:
        return None
    change = SiteStatusChange.objects.create(
        site=locked, from_status=locked.status, to_status=to_status, reason=reason, changed_by=by
    )
    now = timezone.now()
    Site.objects.filter(pk=site.pk).update(status=to_status, status_changed_at=now)
    locked.status, locked.status_changed_at = to_status, now
    summary = f"Statut : {SiteStatus(change.from_status).label} → {SiteStatus(to_status).label}"
    journal.record(
        locked, EventKind.STATUS_CHANGED, summary + (f" ({reason})" if reason else ""), actor=by, at=now
    )
    site.status, site.status_changed_at, site.last_activity_at = to_status, now, now
    return change


def allowed_transitions(status: str) -> tuple[str, ...]:
    return ALLOWED_TRANSITIONS.get(SiteStatus(status), ())


def missing_prerequisites(site: Site) -> list[str]:
    checked = set(site.prerequisite_checks.values_list("prerequisite", flat=True))
    return [p.label for p in WavePrerequisite if p.value not in checked]


@transaction.atomic
def move_site(site: Site, to_status: str, *, by, reason: str, seen_status: str) -> SiteStatusChange:
    """A status change asked for by a person: the move must be allowed, explained, and made on what they saw.

    `seen_status` is the status shown when the form was displayed: if someone moved the site meanwhile, the
    change is refused instead of silently overriding theirs.
    """
    reason = reason.strip()
    if not reason:
        raise LifecycleError("Indiquez le motif du changement de statut.")
    locked = Site.objects.select_for_update().get(pk=site.pk)
    if locked.status != seen_status:
        raise LifecycleError(
            f"Le statut a été changé entre-temps (il est maintenant « {locked.get_status_display()} ») : "
            "vérifiez l’historique avant de le modifier."
        )
    if to_status not in allowed_transitions(locked.status):
        raise LifecycleError(
            f"Un site « {locked.get_status_display()} » ne peut pas passer au statut "
            f"« {SiteStatus(to_status).label if to_status in SiteStatus.values else to_status} »."
        )
    if locked.status == SiteStatus.REGISTERING and to_status == SiteStatus.IN_TRAINING:
        missing = missing_prerequisites(locked)
        if missing:
            raise LifecycleError(
                "Les trois prérequis de la vague doivent être validés avant l’entrée en formation. "
                f"Il manque : {', '.join(missing)}."
            )
    change = change_status(site, to_status, by=by, reason=reason)
    assert change is not None  # the status differs: checked above under the lock
    return change


@transaction.atomic
def check_prerequisite(site: Site, prerequisite: str, *, by) -> PrerequisiteCheck | None:
    """Tick one prerequisite of the wave for a site; ticking it twice keeps the first tick (who and when)."""
    prerequisite = WavePrerequisite(prerequisite)
    existing = site.prerequisite_checks.filter(prerequisite=prerequisite).first()
    if existing is not None:
        return None
    if prerequisite == WavePrerequisite.TRINOME:
        held = SiteProgress.parse_seats(
            SiteProgress.objects.filter(site=site).values_list("seats_held", flat=True).first()
        )
        vacant = [seat.label.lower() for seat in TRINOME_SEATS if seat.value not in held]
        if vacant:
            raise LifecycleError(
                "Le trinôme n’est pas constitué : "
                + ngettext(
                    "le siège %(seats)s est vacant.", "les sièges %(seats)s sont vacants.", len(vacant)
                )
                % {"seats": " et ".join(", ".join(f"« {seat} »" for seat in vacant).rsplit(", ", 1))}
                + " Invitez les personnes qui les occupent avant de valider ce prérequis."
            )
    try:
        with transaction.atomic():
            check = PrerequisiteCheck.objects.create(site=site, prerequisite=prerequisite, checked_by=by)
    except IntegrityError:  # ticked by someone else at the same moment: theirs stands
        return None
    journal.record(
        site,
        EventKind.PREREQUISITE_CHECKED,
        f"Prérequis validé : {prerequisite.label}",
        actor=by,
        subject=check,
    )
    return check


@transaction.atomic
def uncheck_prerequisite(site: Site, prerequisite: str, *, by) -> bool:
    prerequisite = WavePrerequisite(prerequisite)
    deleted, _ = site.prerequisite_checks.filter(prerequisite=prerequisite).delete()
    if deleted:
        journal.record(
            site, EventKind.PREREQUISITE_UNCHECKED, f"Prérequis retiré : {prerequisite.label}", actor=by
        )
    return bool(deleted)
