"""For the tests that run real processes (Celery workers, redis-server, the demo): wait for something to
happen, a free port, the test database's address for another process, and a Celery worker on it."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """The predicate's first true value within `timeout` seconds, or its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(why: str) -> str:
    """The test database as a URL another process can use; PostgreSQL only (skips with `why` otherwise)."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip(why)
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class CeleryWorker:
    """A real `celery worker` process on the test database (PostgreSQL), its log in `folder / f"{name}.log"`.

    `env`: what to set in its environment beside the settings and the database (the broker, the media
    folder, QIC_TEST_WORKER...); `pool`: "prefork" (production's, one process) or "solo" (the task runs in the
    process itself: killing it kills the task). `stop()` kills its process group at once: a warm shutdown
    waited up to a second for the broker's poll, then a second more for the interpreter to exit (2-3.5 s a
    worker, about a dozen workers a run, at the tail of CI's PostgreSQL pass). A test of a graceful stop does
    its own (tests/test_demo.py)."""

    def __init__(self, folder: Path, name: str = "worker", *, pool: str = "prefork", env: dict | None = None):
        self.log = folder / f"{name}.log"
        self.name = name
        self.pool = pool
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "qic.settings_test",
            "DATABASE_URL": database_url("a worker process cannot share the in-memory SQLite test database"),
            **(env or {}),
        }
        self.process = None

    def start(self) -> "CeleryWorker":
        command = [sys.executable, "-m", "celery", "-A", "qic", "worker", f"--pool={self.pool}"]
        command += ["--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
        command += ["--hostname", f"{self.name}-{os.getpid()}@%h"]
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: `stop` reaches its pool's processes too
        )
        assert wait_for(lambda: "ready" in self.log.read_text(), 60), self.log.read_text()
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self):
        """What a machine that dies does to it (SIGKILL to every process of its group)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # the whole group has already ended
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        self.kill()
        self.process = None

    def output(self) -> str:
        return self.log.read_text()
