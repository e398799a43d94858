"""Business rules of the registry: creating sites and moving them through their lifecycle."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import journal
from .enums import EventKind, SiteStatus
from .models import Site, SiteStatusChange


def unique_site_slug(name: str, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:200] or "site"
    slug, n = base, 2
    existing = Site.objects.exclude(pk=exclude_pk) if exclude_pk else Site.objects.all()
    while existing.filter(slug=slug).exists():
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
    summary = f"Statut : {SiteStatus(locked.status).label} → {SiteStatus(to_status).label}"
    journal.record(
        locked, EventKind.STATUS_CHANGED, summary + (f" ({reason})" if reason else ""), actor=by, at=now
    )
    site.status, site.status_changed_at, site.last_activity_at = to_status, now, now
    return change
