"""The weekly digest: one email per person listing what is due on their sites, what awaits their own act and
the notifications they chose to read here (`sites.notifications`, the source the "À faire" list reads too).

Recipients: national staff (every site), CRPV facilitators (the sites of their regions), trinôme seat
holders (their sites) and anyone with notifications kept for the digest, unless they opted out in their
profile. Celery beat runs `evaluation.weekly_digests`
every Monday (schedule created by a data migration, editable in the admin); it fans out one
`send_digest(user_id, week)` per person. A `DigestSent` row per person and week makes a second run send
nothing.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from collectives.enums import TRINOME_SEATS, PlatformRole
from collectives.models import User
from qic import access, text
from qic.sanitize import xml_safe
from sites import notifications

from .due import due_by_site
from .models import DigestPreference, DigestSent

SCHEDULE_NAME = "Résumé hebdomadaire : ce qui est à faire sur les sites"
TASK = "evaluation.weekly_digests"
DESCRIPTION = "Chaque lundi à 7 h : un courriel par personne listant ce qui est à faire sur ses sites."
MAX_SITES = 40  # beyond, the email says how many more sites and links to the full list


def week_of(day: dt.date) -> dt.date:
    """The Monday of the week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def wants_digest(user) -> bool:
    return not DigestPreference.objects.filter(user=user, opted_out=True).exists()


def recipient_ids() -> list[int]:
    """Active people who may act on sites and did not opt out."""
    seat_holders = Q(
        role=PlatformRole.MEMBER,
        memberships__ended_on__isnull=True,
        memberships__role__in=TRINOME_SEATS,
    )
    staff = Q(role=PlatformRole.NATIONAL) | Q(role=PlatformRole.FACILITATOR, resource_centre__isnull=False)
    told = Q(pk__in=notifications.digest_recipient_ids())
    opted_out = DigestPreference.objects.filter(opted_out=True).values("user")
    return list(
        User.objects.filter(is_active=True)
        .filter(staff | seat_holders | told)
        .exclude(email="")
        .exclude(pk__in=opted_out)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def sites_of(user):
    """The sites a person's digest covers (seat holders: only the sites where they hold a seat)."""
    if user.role == PlatformRole.MEMBER:
        return access.report_sites(user)
    return access.visible_sites(user)


def digest_for(user, *, sites=None, today: dt.date | None = None) -> list[tuple[object, list]]:
    """The person's sites that have something due, by name, each with its items."""
    sites = sites_of(user) if sites is None else sites
    due = due_by_site(sites, today=today)
    with_items = [pk for pk, items in due.items() if items]
    named = {
        site.pk: site for site in sites.model.objects.filter(pk__in=with_items).only("pk", "name", "slug")
    }
    return sorted(((named[pk], due[pk]) for pk in with_items), key=lambda pair: pair[0].name)


def send_digest(user_id: int, week: dt.date) -> bool:
    """Send this person's digest for this week, once: True if an email went out now."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not wants_digest(user):
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                DigestSent.objects.create(user=user, week=week)
        except IntegrityError:
            return False  # already sent (or being sent) for this week
        entries = digest_for(user)
        awaiting = list(awaiting_for(user))
        told = notifications.digest_items(user)
        if not (entries or awaiting or told):
            return False  # nothing due: the mark stays, no email this week
        notifications.mark_mailed(told)
        _send(user, entries, week, awaiting, told)  # a failure rolls the marks back: the retry sends it
    return True


def awaiting_for(user):
    """What awaits this person's own act (versions to approve, agreements to sign, remarks to answer): the
    open items of their notifications, shown by the "À faire" list and the digest alike."""
    return notifications.open_items(user).order_by("site__name", "-created_at")


def _send(user, entries, week: dt.date, awaiting=(), told=()) -> None:
    base = settings.SITE_URL.rstrip("/")
    context = {
        "user": user,
        "awaiting": awaiting,
        "told": told,
        "entries": entries[:MAX_SITES],
        "more": max(len(entries) - MAX_SITES, 0),
        "total_items": sum(len(items) for _, items in entries),
        "week": week,
        "base": base,
        "due_url": base + reverse("evaluation:due"),
        "centre_url": base + reverse("notifications:list"),
        "preferences_url": base + reverse("evaluation:digest_preferences"),
    }
    subject = f"Ce qui est à faire sur vos sites — semaine du {text.date(week)}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=xml_safe(render_to_string("evaluation/email/digest.txt", context)),
        to=[user.email],
    )
    message.attach_alternative(
        xml_safe(render_to_string("evaluation/email/digest.html", context)), "text/html"
    )
    message.send()


def ensure_schedule(periodic_task_model=None, crontab_model=None):
    """Create the weekly schedule if it does not exist; never overwrite what was edited in the admin."""
    if periodic_task_model is None:
        from django_celery_beat.models import CrontabSchedule, PeriodicTask

        periodic_task_model, crontab_model = PeriodicTask, CrontabSchedule
    existing = periodic_task_model.objects.filter(name=SCHEDULE_NAME).first()
    if existing is not None:
        return existing, False
    crontab, _ = crontab_model.objects.get_or_create(
        minute="0", hour="7", day_of_week="1", day_of_month="*", month_of_year="*", timezone="Europe/Paris"
    )
    task = periodic_task_model.objects.create(
        name=SCHEDULE_NAME, task=TASK, crontab=crontab, kwargs=json.dumps({}), description=DESCRIPTION
    )
    return task, True
