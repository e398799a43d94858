"""The open-data generation through a real Redis broker and a real Celery worker (the production path): the
page's button queues it (qic/queue.py), the worker writes and publishes the files, the page serves them."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from evaluation.models import OpenDataRelease
from qic.celery import app as celery_app
from tests.processes import database_url, wait_for

pytestmark = pytest.mark.worker

if not os.environ.get("REDIS_URL"):
    if os.environ.get("QIC_REQUIRE_WORKER"):
        raise RuntimeError("QIC_REQUIRE_WORKER is set but REDIS_URL is not: the worker tests cannot run")
    pytest.skip("needs REDIS_URL and PostgreSQL (run by .ci/run)", allow_module_level=True)


def test_national_staff_ask_and_a_worker_publishes_the_files(
    transactional_db, world, client, media_root, tmp_path
):
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qic.settings_test",
        "DATABASE_URL": database_url("a worker process cannot share the in-memory SQLite test database"),
        "MEDIA_ROOT": str(media_root),
        "QIC_TEST_WORKER": "1",
    }
    celery_app.control.purge()
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "qic", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--hostname", f"opendata-{os.getpid()}@%h"],
        cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        assert wait_for(lambda: "ready" in log.read_text(), 60), log.read_text()
        world.login(client, world.national)
        assert client.post(reverse("opendata:index")).status_code == 302
        assert wait_for(lambda: OpenDataRelease.objects.exists(), 60), log.read_text()
        client.logout()
        response = client.get(reverse("opendata:file", args=["sites.csv"]))
        assert world.site_b.name in b"".join(response.streaming_content).decode()
        assert "Données arrêtées le" in client.get(reverse("opendata:index")).content.decode()
    finally:
        celery_app.conf.task_always_eager = previous
        process.terminate()
        process.wait(20)
        celery_app.control.purge()
