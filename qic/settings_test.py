"""Test settings: production settings with fast hashing, eager tasks and strict templates."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF")

from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

# pytest-xdist (CI's PostgreSQL pass runs on two cores): each worker has its own test database (pytest-django
# names it), and here its own Redis database (broker, results, cache: a worker's `purge` or queued task never
# reaches the other's Celery worker) and its own media folder. The processes a test starts inherit both.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER and os.environ.get("QIC_XDIST_ISOLATED") != _XDIST_WORKER:
    os.environ["QIC_XDIST_ISOLATED"] = _XDIST_WORKER
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix=f"qic-test-media-{_XDIST_WORKER}-")
    if os.environ.get("REDIS_URL"):
        _url = urlsplit(os.environ["REDIS_URL"])
        _index = int(_url.path.strip("/") or 0) + int(_XDIST_WORKER.removeprefix("gw")) + 1
        os.environ["REDIS_URL"] = _url._replace(path=f"/{_index}").geturl()

from qic.settings import *  # noqa: E402,F403
from qic.settings import CACHES, STORAGES, TEMPLATES  # noqa: E402

# Uploaded and generated files (reports) go to a temporary directory, shared with worker processes the tests
# start (they inherit the environment).
if not os.environ.get("MEDIA_ROOT"):
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="qic-test-media-")
MEDIA_ROOT = Path(os.environ["MEDIA_ROOT"])

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tasks run in the caller unless a test sends them through a real worker (tests/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
# A worker process started by a test sends the tasks it queues itself (a batch's fan-out) through the broker.
if os.environ.get("QIC_TEST_WORKER"):
    CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True

TEMPLATES[0]["OPTIONS"]["debug"] = True

# A real Celery worker started by tests/test_worker.py writes its email to files the test reads.
if os.environ.get("QIC_EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["QIC_EMAIL_FILE_PATH"]

# Two-factor enforcement is on in production; the tests of it turn it on (tests/collectives/test_mfa.py).
QIC_MFA_REQUIRED = False

# The partner API's rate-limit counters: none in tests (keys get the same ids test after test); the tests
# of the limits turn them on (tests/api/).
CACHES = {**CACHES, "api": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
