"""Background work on sites."""

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import Site
from .notifications import send_due_notification_mails, send_notification_mails

__all__ = ["record_activity", "send_due_notification_mails", "send_notification_mails"]


@shared_task
def record_activity(site_id: int, at: str | None = None) -> bool:
    """Move a site's last-activity mark forward (never backward): idempotent, safe to run twice."""
    moment = parse_datetime(at) if at else timezone.now()
    site = Site.objects.filter(pk=site_id).only("last_activity_at").first()
    if site is None:
        return False
    if site.last_activity_at is None or site.last_activity_at < moment:
        Site.objects.filter(pk=site_id).update(last_activity_at=moment)
    return True
