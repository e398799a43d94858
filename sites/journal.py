"""The site journal: one feed of dated events, written by every app through `record`."""

from django.db.models import Q
from django.utils import timezone

from .models import Site, SiteEvent


def record(site, kind: str, summary: str, *, actor=None, at=None, subject=None) -> SiteEvent:
    """Add an event to the site's journal and move its last-activity mark forward."""
    at = at or timezone.now()
    subject_ref = f"{subject._meta.label_lower}:{subject.pk}" if subject is not None else ""
    event = SiteEvent.objects.create(
        site=site, kind=kind, summary=summary[:300], actor=actor, occurred_at=at, subject=subject_ref
    )
    Site.objects.filter(pk=site.pk).filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=at)
    ).update(last_activity_at=at)
    return event


def feed(site, limit: int = 50) -> list:
    """The site's latest journal events, newest first."""
    return list(site.events.select_related("actor").order_by("-occurred_at", "-id")[:limit])


__all__ = ["record", "feed"]
