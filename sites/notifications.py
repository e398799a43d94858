"""Notifications (issue 18): what each person is told, written by the service that makes the event, in its
transaction (`notify`), and read through the access module (`readable`: a person who lost a site no longer
sees what was said about it).

E-mails go after commit through the task outbox (`qic.queue`): a person's notifications due for immediate mail
wait `QIC_NOTIFICATION_MAIL_DELAY` seconds, then one task sends them all in one message (a burst of edits is
one e-mail), marking them sent in the same transaction (two tasks never send the same one twice). Those chosen
for the weekly digest go with it (`digest_items`); open items asking for an act are the "À faire" list's
(`open_items`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from functools import cached_property

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from qic import access, queue, text
from qic.sanitize import xml_safe

from .enums import DEFAULT_DELIVERY, Delivery, NotificationKind
from .models import Notification, NotificationPreference

LIST_LIMIT = 200  # the notification centre lists the latest ones
SWEEP_HORIZON = dt.timedelta(days=2)  # the periodic sweep looks back this far for e-mails a task missed


def subject_of(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}" if obj is not None else ""


def _mail_delay() -> dt.timedelta:
    return dt.timedelta(seconds=settings.QIC_NOTIFICATION_MAIL_DELAY)


# Writing ------------------------------------------------------------------------------------------------


def notify(
    kind: str,
    recipients: Iterable,
    *,
    title: str,
    url: str,
    site=None,
    actor=None,
    subject=None,
    action: bool = False,
    include_actor: bool = False,
) -> list[Notification]:
    """Tell these people (users or ids) about one event, in the caller's transaction: one query for their
    preferences, one insert, one task for the e-mails. The person who made the event is left out unless
    `include_actor` (an adoption is everyone's news, the last approver's too)."""
    ids = {getattr(person, "pk", person) for person in recipients if person is not None}
    if actor is not None and not include_actor:
        ids.discard(actor.pk)
    if not ids:
        return []
    chosen = dict(
        NotificationPreference.objects.filter(user__in=ids, kind=kind).values_list("user_id", "delivery")
    )
    default = DEFAULT_DELIVERY[kind]
    now = timezone.now()
    actor_label = (actor.get_full_name() or actor.email) if actor is not None else ""
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user_id=pk,
                site=site,
                kind=kind,
                title=title[:300],
                url=url,
                subject=subject_of(subject),
                actor_label=actor_label,
                created_at=now,
                is_action=action,
                delivery=chosen.get(pk, default),
            )
            for pk in sorted(ids)
        ]
    )
    mail_now = sorted(pk for pk in ids if chosen.get(pk, default) == Delivery.IMMEDIATE)
    if mail_now:
        queue.enqueue(send_notification_mails, mail_now, eta=now + _mail_delay())
    return rows


def close(subject, kinds: Iterable[str], *, users: Iterable | None = None) -> int:
    """Close the open items about this thing (the act was done, or can no longer be): they leave "À faire"."""
    qs = Notification.objects.filter(subject=subject_of(subject), kind__in=list(kinds))
    qs = qs.filter(closed_at__isnull=True)
    if users is not None:
        qs = qs.filter(user__in=[getattr(person, "pk", person) for person in users])
    return qs.update(closed_at=timezone.now())


def open_for(subject, kind: str, users: Iterable) -> set[int]:
    """Who among these people already has an open item of this kind about this thing (not told twice)."""
    ids = [getattr(person, "pk", person) for person in users]
    return set(
        Notification.objects.filter(
            subject=subject_of(subject), kind=kind, closed_at__isnull=True, user__in=ids
        ).values_list("user_id", flat=True)
    )


def close_site_items(site, kind: str) -> int:
    """Close every open item of this kind on a site (a newer version replaces the one awaiting approval)."""
    return Notification.objects.filter(site=site, kind=kind, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )


# Reading (always through the access module) --------------------------------------------------------------


def readable(user, scope: access.Scope | None = None) -> QuerySet:
    """This person's notifications that they may still see: those of sites they lost access to are hidden
    (a member's sites read from the request's `scope` when it has them)."""
    if not (user and user.is_authenticated and user.is_active):
        return Notification.objects.none()
    mine = Notification.objects.filter(user=user)
    if access.sees_all_sites(user):
        return mine  # every site is visible: no need to ask which (the header counts on every page)
    ids = scope.site_ids if scope is not None and scope.user == user and scope.has_read else None
    return mine.filter(
        Q(site__isnull=True) | Q(site__in=access.visible_site_ids(user) if ids is None else ids)
    )


class Inbox:
    """The header's unread count, one query, only if a page shows it."""

    def __init__(self, user, scope: access.Scope | None = None):
        self.user, self.scope = user, scope

    @cached_property
    def unread(self) -> int:
        user = self.user
        if not (user and user.is_authenticated and user.is_active):
            return 0
        scope = self.scope if self.scope is not None and self.scope.user == user else None
        ids = scope.site_ids if scope is not None and scope.has_read else None
        key = (user.pk, user.role, user.resource_centre_id, None if ids is None else tuple(ids))
        query = _UNREAD_SQL.get(key)
        if query is None:
            query = _unread_sql(user, scope)
            if len(_UNREAD_SQL) >= UNREAD_SQL_KEPT:
                _UNREAD_SQL.clear()
            _UNREAD_SQL[key] = query
        sql, params = query
        if sql is None:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]


# The header's unread count is on every page a signed-in person opens. Built by the ORM on each page, it
# cost 0.9-1.1 ms of processor time for national staff and 1.5-2.1 ms for a member or a facilitator (the
# visibility rule's subquery): 5-16 % of their pages' time, for a query PostgreSQL runs in 0.1 ms. Its SQL
# depends only on who the person is (id, role, resource centre, and a member's sites when the page has read
# them): the rule's subquery reads the memberships and regions when it runs, so a person who loses or regains
# a site is counted right by the same SQL. It is built once per process and person by `readable` (the rule
# stays in the access module), then run as is. Cleared when it holds UNREAD_SQL_KEPT people (under 1 kB each).
UNREAD_SQL_KEPT = 5000
_UNREAD_SQL: dict[tuple, tuple[str | None, tuple]] = {}


def _unread_sql(user, scope: access.Scope | None) -> tuple[str | None, tuple]:
    unread = readable(user, scope).filter(read_at__isnull=True).order_by().values("pk")
    try:
        sql, params = unread.query.sql_with_params()
    except EmptyResultSet:
        return None, ()
    return f"SELECT COUNT(*) FROM ({sql}) AS unread", tuple(params)


def grouped(user) -> list[tuple[object, list[Notification]]]:
    """The latest notifications grouped by site (sites by name, then those about no site), newest first."""
    rows = list(readable(user).select_related("site").order_by("-created_at", "-id")[:LIST_LIMIT])
    rows.sort(key=lambda n: (n.site is None, n.site.name if n.site else ""))
    return [(site, list(items)) for site, items in itertools.groupby(rows, key=lambda n: n.site)]


def get_for_user(user, pk: int) -> Notification | None:
    return readable(user).filter(pk=pk).first()


def mark_read(user, pk: int | None = None) -> int:
    """Mark one notification (or all) as read; what the person may not see is left alone."""
    qs = readable(user).filter(read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=timezone.now())


def open_items(user) -> QuerySet:
    """What awaits this person's act (versions to approve, agreements to sign, remarks to answer)."""
    return readable(user).filter(is_action=True, closed_at__isnull=True).select_related("site")


def digest_items(user) -> list[Notification]:
    """What this person chose to read in the weekly digest and has not been sent yet."""
    return list(
        readable(user)
        .filter(delivery=Delivery.DIGEST, mailed_at__isnull=True)
        .select_related("site")
        .order_by("created_at", "id")
    )


def digest_recipient_ids() -> QuerySet:
    return (
        Notification.objects.filter(delivery=Delivery.DIGEST, mailed_at__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def mark_mailed(notifications: Iterable[Notification]) -> int:
    return Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(mailed_at=timezone.now())


# Preferences ----------------------------------------------------------------------------------------------


def preferences(user) -> dict[str, str]:
    """Each kind's delivery for this person (their choice, or the default)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NotificationKind.values}


def set_preferences(user, wanted: dict[str, str]) -> None:
    with transaction.atomic():
        for kind, delivery in wanted.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"delivery": delivery}
            )


# E-mails --------------------------------------------------------------------------------------------------


def send_mail_for(user_id: int, *, now: dt.datetime | None = None) -> int:
    """Send this person, in one message, every notification waiting for immediate mail, once the oldest has
    waited the grouping delay; returns how many went. Rows are locked and marked in one transaction: a second
    task skips them (locked) or finds them sent."""
    now = now or timezone.now()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    with transaction.atomic():
        rows = list(
            readable(user)
            .filter(delivery=Delivery.IMMEDIATE, mailed_at__isnull=True)
            .select_related("site")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("created_at", "id")
        )
        if not rows or rows[0].created_at > now - _mail_delay():
            return 0  # nothing, or a burst still going on: the task of its first notification will come
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(mailed_at=now)
        # An item already done or replaced (the version approved, or a newer one to approve) is not news.
        news = [n for n in rows if not (n.is_action and n.closed_at)]
        if news:
            _send(user, news)  # a failure rolls the marks back: the next task or the sweep sends them
    return len(news)


@shared_task(name="sites.send_notification_mails")
def send_notification_mails(user_ids: list[int]) -> int:
    """After an event (eta: the grouping delay later): each person's waiting notifications, one e-mail."""
    return sum(send_mail_for(pk) for pk in user_ids)


@shared_task(name="sites.send_due_notification_mails")
def send_due_notification_mails() -> int:
    """Every few minutes (Celery beat): the e-mails whose task was lost (a worker killed mid-way)."""
    return sum(send_mail_for(pk) for pk in due_mail_user_ids())


def due_mail_user_ids(*, now: dt.datetime | None = None) -> list[int]:
    """People with notifications waiting for immediate mail past the delay (a task lost or refused)."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            delivery=Delivery.IMMEDIATE,
            mailed_at__isnull=True,
            created_at__lte=now - _mail_delay(),
            created_at__gte=now - SWEEP_HORIZON,
        )
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )


def _send(user, rows: list[Notification]) -> None:
    base = settings.SITE_URL.rstrip("/")
    groups = [(site, list(items)) for site, items in itertools.groupby(rows, key=lambda n: n.site)]
    groups.sort(key=lambda pair: (pair[0] is None, pair[0].name if pair[0] else ""))
    context = {
        "user": user,
        "groups": groups,
        "count": len(rows),
        "base": base,
        "centre_url": base + reverse("notifications:list"),
        "preferences_url": base + reverse("notifications:preferences"),
    }
    count = text.plural(len(rows), "notification", "notifications")
    subject = rows[0].title if len(rows) == 1 else f"{count} sur vos sites"
    body = xml_safe(render_to_string("sites/email/notifications.txt", context))
    message = EmailMultiAlternatives(subject=subject, body=body, to=[user.email])
    html = xml_safe(render_to_string("sites/email/notifications.html", context))
    message.attach_alternative(html, "text/html")
    message.send()
