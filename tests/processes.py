"""For the tests that run real processes (Celery workers, redis-server, the demo): wait for something to
happen, a free port, and the test database's address for another process."""

import socket
import time

import pytest
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
