"""With Redis stopped, people sign in, read every main page and save their forms; the tasks they asked for are
kept in the database and reach the broker (and a worker) once Redis is back."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from collectives.enums import MemberRole
from collectives.models import Invitation
from evaluation.models import Report
from evaluation.reports.enums import ReportState
from qic import queue, tasks
from qic.models import PendingTask
from sites.models import SiteStatusChange
from vision.models import Revision

from .conftest import wait_for

pytestmark = pytest.mark.redis

WAITING = "Le service de traitement est momentanément indisponible : la production démarrera dès son retour."
MAIL_LATER = "Le service de traitement est momentanément indisponible : l’e-mail partira dès son retour."


def sign_in(user, password) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get(reverse("home")).status_code in (200, 302)
    return client


def timed(call):
    start = time.perf_counter()
    response = call()
    return response, time.perf_counter() - start


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


def ask_for_the_bilan(client, site):
    return client.post(reverse("reports:site_reports", kwargs={"site_slug": site.slug}))


def invite(client, site, email):
    data = {"role": MemberRole.PARTNER, "email": email, "first_name": "Léa", "last_name": "Roux"}
    return client.post(reverse("collectives:invite", kwargs={"site_slug": site.slug}), data)


def test_with_redis_stopped_people_sign_in_read_and_save_and_their_tasks_wait(broker, world, password):
    broker.stop()
    national = sign_in(world.national, password)
    seat = sign_in(world.seat_holder_a, password)
    site = world.site_a

    # Every main page reads.
    for client, url in [
        (national, site.get_absolute_url()),
        (national, reverse("sites:dashboard")),
        (national, reverse("sites:list")),
        (seat, reverse("vision:workspace", kwargs={"site_slug": site.slug})),
        (seat, reverse("collectives:members", kwargs={"site_slug": site.slug})),
        (seat, reverse("reports:site_reports", kwargs={"site_slug": site.slug})),
    ]:
        assert client.get(url).status_code == 200, url

    # Forms save: a status change, a vision edit, an invitation (an e-mail), a bilan (a report task).
    response, status_seconds = timed(
        lambda: national.post(
            reverse("sites:status", kwargs={"site_slug": site.slug}),
            {"to_status": "paused", "reason": "Élections municipales", "seen_status": site.status},
        )
    )
    assert response.status_code == 302 and SiteStatusChange.objects.filter(site=site).exists()
    response = seat.post(
        reverse("vision:statement", kwargs={"site_slug": site.slug}),
        {"version": 1, "statement": "Un quartier où chacun trouve sa place.", "horizon_year": 2045},
    )
    assert response.status_code == 302 and Revision.objects.filter(site=site).exists()

    response, invite_seconds = timed(lambda: invite(seat, site, "nouvelle@exemple.fr"))
    assert response.status_code == 302 and Invitation.objects.filter(email="nouvelle@exemple.fr").exists()
    assert MAIL_LATER in messages_of(response)

    response, report_seconds = timed(lambda: ask_for_the_bilan(seat, site))
    report = Report.objects.get(site=site)
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert WAITING in messages_of(response)
    assert WAITING in seat.get(report.get_absolute_url()).content.decode()
    assert report.state == ReportState.PENDING

    # Nothing is lost: both tasks wait in the database; a stopped Redis costs a request well under a second
    # or two (a refused connection, one retry).
    assert sorted(PendingTask.objects.values_list("task", flat=True)) == [
        "collectives.tasks.send_email",
        "evaluation.reports.generate",
    ]
    assert max(status_seconds, invite_seconds, report_seconds) < 3
    print(f"\nRedis stopped: status change {status_seconds * 1000:.0f} ms", end=", ")
    print(f"invitation {invite_seconds * 1000:.0f} ms, bilan request {report_seconds * 1000:.0f} ms")

    # Beat's periodic task finds the broker back and sends them; the report page no longer says it waits.
    broker.start()
    assert tasks.publish_pending() == 2
    assert not PendingTask.objects.exists()
    assert [name for name, _ in broker.queued_tasks()] == [
        "collectives.tasks.send_email",
        "evaluation.reports.generate",
    ]
    assert ("evaluation.reports.generate", [report.pk]) in broker.queued_tasks()
    assert WAITING not in seat.get(report.get_absolute_url()).content.decode()


def test_with_redis_running_tasks_go_straight_to_the_broker(broker, world, password):
    seat = sign_in(world.seat_holder_a, password)
    response, invite_seconds = timed(lambda: invite(seat, world.site_a, "nouvelle@exemple.fr"))
    assert response.status_code == 302 and MAIL_LATER not in messages_of(response)
    response, report_seconds = timed(lambda: ask_for_the_bilan(seat, world.site_a))
    assert "la production commence" in messages_of(response)
    assert not PendingTask.objects.exists()
    assert [name for name, _ in broker.queued_tasks()] == [
        "collectives.tasks.send_email",
        "evaluation.reports.generate",
    ]
    print(f"\nRedis running: invitation {invite_seconds * 1000:.0f} ms", end=", ")
    print(f"bilan request {report_seconds * 1000:.0f} ms")


def test_the_next_task_sent_takes_the_waiting_ones_along(broker, world, password):
    seat = sign_in(world.seat_holder_a, password)
    broker.stop()
    invite(seat, world.site_a, "premiere@exemple.fr")
    assert PendingTask.objects.count() == 1
    broker.start()
    invite(seat, world.site_a, "seconde@exemple.fr")
    assert not PendingTask.objects.exists()
    assert len(broker.queued_tasks()) == 2


def test_failed_sign_ins_are_still_rate_limited_with_redis_stopped(broker, world, password):
    broker.stop()
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": world.national.email, "password": "mauvais"})
    # Even the right password is refused for a while: the counters live in the database, not in Redis.
    response = client.post(reverse("account_login"), {"login": world.national.email, "password": password})
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_session_ended_while_redis_is_stopped_stays_ended(broker, world, password):
    client = sign_in(world.national, password)
    broker.stop()
    assert client.post(reverse("account_logout")).status_code == 302
    broker.start()
    response = client.get(reverse("sites:dashboard"))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_tasks_kept_while_redis_was_stopped_are_run_by_the_worker_that_starts(
    broker, worker_factory, world, password
):
    seat = sign_in(world.seat_holder_a, password)
    broker.stop()
    invite(seat, world.site_a, "nouvelle@exemple.fr")
    ask_for_the_bilan(seat, world.site_a)
    kept = list(PendingTask.objects.values_list("pk", flat=True))
    assert len(kept) == 2

    broker.start()
    worker = worker_factory()  # its `worker_ready` sends what waited
    assert wait_for(lambda: Report.objects.get().state == ReportState.DONE, 60), worker.log.read_text()
    [email] = wait_for(worker.emails)
    assert "To: nouvelle@exemple.fr" in email and "Invitation au collectif de Quartier A" in email
    assert wait_for(lambda: not PendingTask.objects.filter(pk__in=kept).exists(), 10)
    # The finished bilan tells its trinôme ("Document prêt"): that e-mail's task passes through the outbox
    # too, written once the bilan is marked done; it leaves once the broker has it (CI saw it still there).
    waiting = lambda: list(PendingTask.objects.values_list("task", flat=True))  # noqa: E731
    assert wait_for(lambda: not waiting(), 30), waiting()
    assert not queue.is_waiting("evaluation.reports.generate", Report.objects.get().pk)
