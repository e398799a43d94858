"""Test settings: production settings with fast hashing, eager tasks and strict templates."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF")

from pathlib import Path  # noqa: E402

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
