"""The open-data generation through a real Redis broker and a real Celery worker (the production path): the
page's button queues it (qic/queue.py), the worker writes and publishes the files, the page serves them."""

import os

import pytest
from django.urls import reverse

from evaluation.models import OpenDataRelease
from qic.celery import app as celery_app
from tests.processes import CeleryWorker, wait_for

pytestmark = pytest.mark.worker

if not os.environ.get("REDIS_URL"):
    if os.environ.get("QIC_REQUIRE_WORKER"):
        raise RuntimeError("QIC_REQUIRE_WORKER is set but REDIS_URL is not: the worker tests cannot run")
    pytest.skip("needs REDIS_URL and PostgreSQL (run by .ci/run)", allow_module_level=True)


def test_national_staff_ask_and_a_worker_publishes_the_files(
    transactional_db, world, client, media_root, tmp_path
):
    env = {"MEDIA_ROOT": str(media_root), "QIC_TEST_WORKER": "1"}
    worker = CeleryWorker(tmp_path, "opendata", pool="solo", env=env)
    celery_app.control.purge()
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        worker.start()
        world.login(client, world.national)
        assert client.post(reverse("opendata:index")).status_code == 302
        assert wait_for(lambda: OpenDataRelease.objects.exists(), 60), worker.output()
        client.logout()
        response = client.get(reverse("opendata:file", args=["sites.csv"]))
        assert world.site_b.name in b"".join(response.streaming_content).decode()
        assert "Données arrêtées le" in client.get(reverse("opendata:index")).content.decode()
    finally:
        celery_app.conf.task_always_eager = previous
        worker.stop()
        celery_app.control.purge()
