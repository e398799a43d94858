"""A PostgreSQL restart under load: a real web server (gunicorn, persistent connections as in production)
keeps answering once every connection to the database was cut, and nothing written before is lost.

By default the test cuts every other connection of the test database (`pg_terminate_backend`, what a restart
does to the application); with QIC_PG_RESTART_COMMAND set (.ci/run sets it), it really restarts the server."""

import os
import subprocess
import sys
import threading
import time

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from sites.models import SiteStatusChange
from tests.processes import database_url as shared_database_url
from tests.processes import free_port, wait_for

RESTART_COMMAND = os.environ.get("QIC_PG_RESTART_COMMAND", "")

if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite has no server to restart", allow_module_level=True)


@pytest.fixture
def web_server(transactional_db, tmp_path):
    """gunicorn serving the test database with two workers, each keeping its connection (CONN_MAX_AGE)."""
    database_url = shared_database_url("gunicorn cannot share the in-memory SQLite test database")
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qic.settings_test", "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "gunicorn", "qic.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return requests.get(f"{base}{reverse('account_login')}", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or a worker still loading
            return False

    try:
        assert wait_for(up, 60), log.read_text()
        yield base
    finally:
        process.terminate()
        process.wait(20)


def signed_in(base, user) -> requests.Session:
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def change_status(session, base, site, to_status, seen_status, reason):
    page = session.get(f"{base}{site.get_absolute_url()}", timeout=10)
    assert page.status_code == 200
    return session.post(
        f"{base}{reverse('sites:status', kwargs={'site_slug': site.slug})}",
        data={"to_status": to_status, "seen_status": seen_status, "reason": reason},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": base + "/"},
        allow_redirects=False,
        timeout=10,
    )


def cut_every_connection():
    """What a restart does to the application: every connection to the database is gone."""
    if RESTART_COMMAND:
        result = subprocess.run(RESTART_COMMAND, shell=True, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None, dbname="postgres"
    ) as admin:
        admin.autocommit = True
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> "
            "pg_backend_pid()",
            [db["NAME"]],
        ).fetchone()[0]
    assert killed >= 2  # the web workers' connections at least


@pytest.mark.exclusive  # a real restart cuts the connections of every test running beside it
def test_after_a_postgres_restart_under_load_the_next_requests_work_and_nothing_is_lost(web_server, world):
    base, site = web_server, world.site_a
    national = signed_in(base, world.national)
    assert change_status(national, base, site, "paused", "active", "Avant le redémarrage").status_code == 302

    # Load: two readers on the dashboard and a site page, as long as the test runs.
    results, stop = [], threading.Event()

    def read(url):
        reader = signed_in(base, world.national)
        while not stop.is_set():
            started = time.monotonic()
            try:
                status = reader.get(url, timeout=30).status_code
            except requests.RequestException as exc:
                status = repr(exc)
            results.append((started, status))

    readers = [
        threading.Thread(target=read, args=(f"{base}{url}",))
        for url in (reverse("sites:dashboard"), site.get_absolute_url())
    ]
    for reader in readers:
        reader.start()
    try:
        assert wait_for(lambda: len(results) >= 4, 30)
        cut_every_connection()
        connection.close()  # this process's connection was cut too
        cut_at = time.monotonic()
        assert wait_for(lambda: sum(1 for started, _ in results if started > cut_at) >= 6, 60)
        # The next write works.
        response = change_status(national, base, site, "active", "paused", "Après le redémarrage")
        assert response.status_code == 302
    finally:
        stop.set()
        for reader in readers:
            reader.join(30)

    after = [status for started, status in results if started > cut_at]
    assert after and all(status == 200 for status in after), after
    reasons = list(SiteStatusChange.objects.filter(site=site).order_by("pk").values_list("reason", flat=True))
    assert reasons == ["Avant le redémarrage", "Après le redémarrage"]
