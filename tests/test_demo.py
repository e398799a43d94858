"""`make demo` behaves like production: `rundemo` serves the web and a real Celery worker talking through a
folder (no Redis); a bilan asked in the demo is produced by that worker while the page shows its progress,
links follow the address served, and Ctrl+C stops everything."""

import http.cookiejar
import os
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from fixtures.management.commands.rundemo import demo_environment, site_url
from tests.processes import database_url, free_port, wait_for


@pytest.mark.parametrize(
    ("addrport", "url"),
    [
        ("127.0.0.1:8017", "http://127.0.0.1:8017"),
        ("8001", "http://127.0.0.1:8001"),
        ("localhost:8000", "http://localhost:8000"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000"),
        ("[::1]:8000", "http://[::1]:8000"),
        ("[::]:8000", "http://[::1]:8000"),
    ],
)
def test_links_follow_the_address_served(addrport, url):
    assert site_url(addrport) == url


def test_the_demo_uses_its_folder_broker_and_keeps_an_explicit_site_url(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6390/0")
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("QIC_BROKER_DIR", raising=False)
    env = demo_environment("127.0.0.1:8017", broker_dir=tmp_path)
    assert "REDIS_URL" not in env and env["QIC_BROKER_DIR"] == str(tmp_path)
    assert env["SITE_URL"] == "http://127.0.0.1:8017"
    monkeypatch.setenv("SITE_URL", "https://qic.exemple.fr")
    assert demo_environment("127.0.0.1:8017")["SITE_URL"] == "https://qic.exemple.fr"


class Browser:
    """Just enough of a browser: cookies, the CSRF token, redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return urllib.parse.urlsplit(response.geturl()).path, response.read().decode()

    def post(self, path: str, data: dict) -> tuple[str, str]:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, body, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=30) as response:
            return urllib.parse.urlsplit(response.geturl()).path, response.read().decode()


def _answers(browser: Browser) -> bool:
    try:
        return browser.get(reverse("health"))[1] != ""
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _group_alive(pgid: int) -> bool:
    """A process of this group still runs. Zombies do not count: a killed worker's pool processes wait there
    until the machine's init reaps them, which a container's init may do late (CI saw it)."""
    import psutil

    def running() -> bool:
        for process in psutil.process_iter(["status"]):
            try:
                if os.getpgid(process.pid) == pgid and process.info["status"] != psutil.STATUS_ZOMBIE:
                    return True
            except (ProcessLookupError, psutil.Error):
                continue
        return False

    return not wait_for(lambda: not running(), 10)


def test_a_bilan_asked_in_the_demo_is_produced_by_its_worker(transactional_db, world, password, tmp_path):
    port = free_port()
    env = {
        **demo_environment(f"127.0.0.1:{port}", broker_dir=tmp_path / "broker"),
        "DJANGO_SETTINGS_MODULE": "qic.settings_test",
        "DATABASE_URL": database_url("the demo's processes cannot share the in-memory SQLite test database"),
        "QIC_TEST_WORKER": "1",  # the test settings otherwise run tasks in-process
    }
    log = tmp_path / "demo.log"
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "rundemo", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    browser = Browser(f"http://127.0.0.1:{port}")
    try:
        assert wait_for(lambda: _answers(browser) and "ready." in log.read_text(), 90), log.read_text()
        groups = _children(demo.pid)
        assert len(groups) == 2  # the web server and the worker, each leading its own process group

        browser.get(reverse("account_login"))
        browser.post(reverse("account_login"), {"login": world.seat_holder_a.email, "password": password})
        bilans = reverse("reports:site_reports", kwargs={"site_slug": world.site_a.slug})
        path, page = browser.post(bilans, {})
        # The request returns at once, with the progress bar under the message: the worker has the job.
        assert "demande enregistrée, la production commence." in page
        assert "<progress" in page and "Document prêt" not in page
        done = wait_for(lambda: "Document prêt" in browser.get(path)[1], 90)
        assert done, log.read_text()
        assert "Task evaluation.reports.generate" in log.read_text()  # produced by the worker, not the web
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl+C
        try:
            demo.wait(90)
        except subprocess.TimeoutExpired:
            demo.kill()
            raise
    assert demo.returncode == 0, log.read_text()
    assert not [pgid for pgid in groups if _group_alive(pgid)], "a process of the demo outlived it"
