"""A real Redis that the tests stop and restart, Celery in this process pointed at it, and a real worker.

These tests need `redis-server` on PATH: they skip without it, and fail instead when QIC_REQUIRE_WORKER is set
(the PostgreSQL + Redis pass of .ci/run)."""

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import redis
from django.core.cache import cache

from qic.celery import app as celery_app
from tests.processes import CeleryWorker, database_url, free_port, wait_for

REDIS_SERVER = shutil.which("redis-server")


def require_redis_server():
    if REDIS_SERVER:
        return
    if os.environ.get("QIC_REQUIRE_WORKER"):
        pytest.fail("QIC_REQUIRE_WORKER is set but redis-server is not on PATH: these tests cannot run")
    pytest.skip("needs redis-server on PATH (apt-get install redis-server): these tests stop and restart it")


class RedisServer:
    """One redis-server process on a free port, stopped and started again on the same port."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.ping, 10), (self.folder / "redis.log").read_text()

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def ping(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            return False

    def queued_tasks(self, queue: str = "celery") -> list[tuple[str, list]]:
        """The tasks waiting in the broker's queue, as (name, args) (kombu keeps one JSON message an item)."""
        items = redis.Redis.from_url(self.url).lrange(queue, 0, -1)
        messages = [json.loads(item) for item in items]
        return sorted((m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages)


def _reset_celery_connections():
    # Dropped, not closed: kombu keeps each broker's pool in a registry shared by the whole process, and the
    # pool of the configured broker must still work for the tests after these.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_server(tmp_path):
    require_redis_server()
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server, transactional_db):
    """Celery in this process sends its tasks to the test's Redis, as in production (no in-process tasks).
    The database is the transactional one: tasks are sent when a transaction really commits."""
    cache.clear()  # rate-limit counters: a transactional test's database flush leaves the cache table alone
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    _reset_celery_connections()
    conf.update(broker_url=redis_server.url, result_backend=redis_server.url, task_always_eager=False)
    yield redis_server
    _reset_celery_connections()
    conf.update(saved)
    cache.clear()


class Worker(CeleryWorker):
    """A real `celery worker` process reading the test database through the test's Redis."""

    def __init__(self, broker_url: str, folder: Path):
        self.mail_dir = folder / "mail"
        self.mail_dir.mkdir(exist_ok=True)
        env = {"REDIS_URL": broker_url, "QIC_TEST_WORKER": "1", "QIC_EMAIL_FILE_PATH": str(self.mail_dir)}
        super().__init__(folder, "resilience", env=env)

    def emails(self) -> list[str]:
        """The messages written so far (each file ends with a line of dashes once its message is complete)."""
        texts = [path.read_text() for path in sorted(self.mail_dir.glob("*.log"))]
        return [text for text in texts if text.endswith("-" * 79 + "\n")]


@pytest.fixture
def worker_factory(broker, tmp_path):
    """Start a worker when the test says so (PostgreSQL only: a worker cannot share an in-memory SQLite)."""
    database_url("a worker process cannot share the in-memory SQLite test database (run on PostgreSQL)")
    workers = []

    def start():
        worker = Worker(broker.url, tmp_path)
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()
