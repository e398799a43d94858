"""Background work for people: sending email outside the request."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from qic import queue
from qic.sanitize import xml_safe


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(
    subject: str, body: str, to: list[str], html: str | None = None, from_email: str | None = None
):
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    return len(to)


def queue_email(message):
    """Send a rendered EmailMessage from a worker once the current transaction commits (kept in the database
    while the broker is unavailable: see `qic.queue.enqueue`, whose result this returns)."""
    html = None
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = xml_safe(content)
    # Typed text (a name, a session title) may hold control characters no mail client should receive.
    subject, body = xml_safe(message.subject), xml_safe(message.body)
    return queue.enqueue(send_email, subject, body, list(message.to), html, message.from_email)


# --- Sessions (issue 7): scheduled by Celery beat (collectives/migrations/0005_session_schedules.py) --------


@shared_task
def send_session_reminders() -> int:
    """Email the participants of tomorrow's sessions (each once, however often this runs)."""
    from .sessions import reminders

    return reminders.send_due()


@shared_task
def record_held_coaching() -> int:
    """Write the journal entry of coaching sessions that took place since they were planned (idempotent)."""
    from .services import coaching

    return coaching.record_held()
