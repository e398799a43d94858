"""Tasks sent through a real Redis broker to a real Celery worker process (the production path)."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from collectives.enums import MemberRole
from qic.celery import app as celery_app
from sites.models import Site
from sites.tasks import record_activity
from tests.processes import CeleryWorker, wait_for

pytestmark = pytest.mark.worker

if not os.environ.get("REDIS_URL"):
    if os.environ.get("QIC_REQUIRE_WORKER"):
        raise RuntimeError("QIC_REQUIRE_WORKER is set but REDIS_URL is not: the worker tests cannot run")
    pytest.skip("needs REDIS_URL and PostgreSQL (run by .ci/run)", allow_module_level=True)


@pytest.fixture
def unstarted_worker(transactional_db, tmp_path):
    """Tasks go to the real broker; the `celery worker` process that will read them (the test database,
    mailing into tmp_path / "mail") is started by the test."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    celery_app.control.purge()
    process = CeleryWorker(tmp_path, env={"QIC_EMAIL_FILE_PATH": str(mail_dir)})
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield process
    finally:
        celery_app.conf.task_always_eager = previous
        process.stop()


@pytest.fixture
def worker(unstarted_worker, tmp_path):
    """A real `celery worker` process reading the test database, mailing into tmp_path / "mail"."""
    unstarted_worker.start()
    return tmp_path / "mail"


def test_password_reset_email_is_sent_by_the_worker(worker, client):
    from tests.collectives.factories import UserFactory

    UserFactory(email="agent@exemple.fr")
    response = client.post(reverse("account_reset_password"), {"email": "agent@exemple.fr"})
    assert response.status_code == 302

    # The file appears before the worker has written the message (and its closing line of dashes) into it.
    done = "-" * 79 + "\n"
    files = wait_for(lambda: [f for f in Path(worker).glob("*.log") if f.read_text().endswith(done)])
    assert files, "the worker sent no email"
    message = files[0].read_text()
    assert "To: agent@exemple.fr" in message
    assert "/comptes/password/reset/key/" in message


def test_worker_updates_the_database(worker, world):
    site = world.site_a
    assert site.last_activity_at is None
    record_activity.delay(site.pk)
    assert wait_for(lambda: Site.objects.get(pk=site.pk).last_activity_at is not None)


@pytest.fixture
def short_mail_delay(monkeypatch, settings):
    """Notification e-mails wait 2 s, not 2 min (asked for before `worker`: the worker reads it at start)."""
    monkeypatch.setenv("QIC_NOTIFICATION_MAIL_DELAY", "2")
    settings.QIC_NOTIFICATION_MAIL_DELAY = 2


def test_a_burst_of_ten_edits_is_one_email_per_person(short_mail_delay, unstarted_worker, world, tmp_path):
    from tests.vision.factories import full_trinome
    from vision import services as vision

    seats = full_trinome(world.site_a, civil_society=world.seat_holder_a)
    for number in range(10):
        vision.save_statement(
            world.site_a,
            world.seat_holder_a,
            expected_version=number + 1,
            statement=f"V{number}",
            horizon_year=2045,
        )
    # The worker starts once the burst is over: ten edits on a busy two-core machine can outlast the 2 s
    # grouping delay (then an edit made after the first mail rightly goes in a second one). Its ten tasks,
    # due 2 s after each edit, then run one after the other: the first one due sends everything, one e-mail
    # per person; the others find the rows sent, or locked by it (`select_for_update(skip_locked=True)`).
    unstarted_worker.start()
    worker = tmp_path / "mail"
    log = tmp_path / "worker.log"

    def finished():
        return re.findall(r"sites\.send_notification_mails\[[^]]+\] succeeded", log.read_text())

    assert wait_for(lambda: len(finished()) == 10, 60), log.read_text()
    done = "-" * 79 + "\n"
    messages = [f.read_text() for f in Path(worker).glob("*.log")]
    assert all(m.endswith(done) for m in messages)
    recipients = sorted(line for m in messages for line in m.splitlines() if line.startswith("To: "))
    expected = [seats[MemberRole.PREFECT_DELEGATE].email, seats[MemberRole.MUNICIPALITY].email]
    assert recipients == sorted(f"To: {email}" for email in expected)
    assert all("Version 10 de la vision" in m for m in messages)
