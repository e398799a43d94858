"""Day-before reminders: one email per participant of tomorrow's sessions, never two.

Celery beat runs `collectives.tasks.send_session_reminders` every hour of the working day. Each participant is
claimed by one conditional UPDATE (`... WHERE reminder_sent_at IS NULL`): the database's row lock makes
concurrent or repeated runs agree on a single winner, and the email is queued in the same transaction, to be
sent by a worker only once that mark is committed.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Participant, Session
from .services import person_name


def tomorrow_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Tomorrow, midnight to midnight, in the platform's time zone."""
    today = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=2), dt.time.min))
    return start, end


def due(now=None):
    """Participants of tomorrow's (not cancelled) sessions who have an address and no reminder yet."""
    now = now or timezone.now()
    start, end = tomorrow_bounds(now)
    return (
        Participant.objects.filter(
            reminder_sent_at__isnull=True,
            session__cancelled_at__isnull=True,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .filter(Q(user__isnull=False, user__is_active=True) | (Q(user__isnull=True) & ~Q(email="")))
        .order_by("session_id", "id")
    )


def _context(participant: Participant, session: Session) -> dict:
    return {
        "participant": participant,
        "name": person_name(participant.user) if participant.user_id else participant.name,
        "session": session,
        "starts_at": timezone.localtime(session.starts_at),
        "ends_at": timezone.localtime(session.ends_at),
        "facilitators": ", ".join(person_name(u) for u in session.facilitators.all()),
        "sites": ", ".join(s.name for s in session.sites.all()),
        # Guests have no account: the link would only lead them to a sign-in page.
        "url": settings.SITE_URL + session.get_absolute_url() if participant.user_id else "",
    }


def send_due(now=None) -> int:
    """Send every due reminder once; returns how many this run sent (0 when run again)."""
    now = now or timezone.now()
    sent = 0
    sessions: dict[int, Session] = {}
    for participant_id, session_id in due(now).values_list("pk", "session_id"):
        with transaction.atomic():
            claimed = Participant.objects.filter(pk=participant_id, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue  # another run sent it first
            participant = Participant.objects.select_related("user").get(pk=participant_id)
            if session_id not in sessions:
                sessions[session_id] = Session.objects.prefetch_related("facilitators", "sites").get(
                    pk=session_id
                )
            address = participant.contact_email
            get_adapter().send_mail(
                "sessions/email/reminder", address, _context(participant, sessions[session_id])
            )
            sent += 1
    return sent
