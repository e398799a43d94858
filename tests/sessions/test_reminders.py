"""Day-before reminders: one email per participant of tomorrow's sessions, sent after commit, never twice;
scheduled by Celery beat (the periodic task exists once, however often the migration runs)."""

import datetime as dt

from django.core import mail
from django.utils import timezone

from collectives.models import Participant
from collectives.sessions import reminders, services
from collectives.tasks import send_session_reminders
from tests.sessions.factories import at, make_session

NOON = at(days=0, hour=12, minute=0)


def _tomorrow(world, site_a2, **extra):
    return make_session([world.site_a, site_a2], starts_at=at(days=1, hour=9, minute=30), **extra)


def test_participants_of_tomorrow_get_one_reminder_each(world, site_a2, django_capture_on_commit_callbacks):
    session = _tomorrow(world, site_a2, title="Module 3 — l’entente")
    services.add_guest(session, name="Inès Martin", organisation="CAF", email="ines@exemple.fr", actor=None)
    services.add_guest(session, name="Sans adresse", organisation="", email="", actor=None)
    make_session([world.site_a], starts_at=at(days=2), title="Après-demain")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = reminders.send_due(now=NOON)
    assert sent == 4  # three members and the guest with an address
    assert len(callbacks) == 4  # queued on commit, not before
    recipients = sorted(address for message in mail.outbox for address in message.to)
    expected = sorted(
        [
            world.seat_holder_a.email,
            world.partner_a.email,
            site_a2.memberships.get().user.email,
            "ines@exemple.fr",
        ]
    )
    assert recipients == expected
    message = next(m for m in mail.outbox if m.to == [world.seat_holder_a.email])
    assert message.subject == "[QIC] Rappel\u00a0: Module 3 — l’entente, demain à 9\u00a0h\u00a030"
    assert "Salle des fêtes" in message.body
    assert f"/sessions/{session.pk}/" in message.body
    guest_message = next(m for m in mail.outbox if m.to == ["ines@exemple.fr"])
    assert "/sessions/" not in guest_message.body  # no account: no link to a sign-in page
    assert not Participant.objects.filter(
        session=session, email="ines@exemple.fr", reminder_sent_at__isnull=True
    ).exists()


def test_running_the_task_twice_sends_nothing_twice(world, site_a2, django_capture_on_commit_callbacks):
    _tomorrow(world, site_a2)
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.send_due(now=NOON)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders.send_due(now=NOON + dt.timedelta(hours=1))
        third = send_session_reminders.delay().get()
    assert (first, second, third) == (3, 0, 0)
    assert len(mail.outbox) == 3


def test_a_participant_claimed_by_another_run_is_skipped(world, site_a2, django_capture_on_commit_callbacks):
    session = _tomorrow(world, site_a2)
    due_ids = list(reminders.due(NOON).values_list("pk", flat=True))
    # another worker marks one participant between this run's listing and its claim
    Participant.objects.filter(pk=due_ids[0]).update(reminder_sent_at=timezone.now())
    original = reminders.due
    reminders.due = lambda now=None: Participant.objects.filter(pk__in=due_ids).order_by("id")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sent = reminders.send_due(now=NOON)
    finally:
        reminders.due = original
    assert sent == 2
    assert len(mail.outbox) == 2
    assert session.participants.filter(reminder_sent_at__isnull=True).count() == 0


def test_no_reminder_for_cancelled_sessions_or_the_day_itself(
    world, site_a2, django_capture_on_commit_callbacks
):
    session = _tomorrow(world, site_a2)
    services.cancel_session(session, user=world.national)
    make_session([world.site_a], starts_at=at(days=0, hour=18), title="Ce soir")
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due(now=NOON) == 0
    assert mail.outbox == []


def test_tomorrow_is_the_next_local_day():
    late = timezone.make_aware(dt.datetime(2026, 3, 28, 23, 30))  # the night before the change to summer time
    start, end = reminders.tomorrow_bounds(late)
    assert timezone.localtime(start) == timezone.make_aware(dt.datetime(2026, 3, 29, 0, 0))
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=23)


def test_the_reminder_task_is_scheduled_once(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="collectives.tasks.send_session_reminders")
    assert task.enabled and task.crontab.hour == "8-20" and task.crontab.timezone.key == "Europe/Paris"
    assert PeriodicTask.objects.filter(task="collectives.tasks.record_held_coaching").count() == 1


def test_creating_the_schedules_again_changes_nothing(db):
    import importlib

    from django.apps import apps
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    migration = importlib.import_module("collectives.migrations.0005_session_schedules")
    before = (PeriodicTask.objects.count(), CrontabSchedule.objects.count())
    migration.create_schedules(apps, None)
    migration.create_schedules(apps, None)
    assert (PeriodicTask.objects.count(), CrontabSchedule.objects.count()) == before
