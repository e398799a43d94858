"""Test settings: production settings with fast hashing, eager tasks and strict templates."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF")

from qic.settings import *  # noqa: E402,F403
from qic.settings import STORAGES, TEMPLATES  # noqa: E402

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
CELERY_TASK_EAGER_PROPAGATES = True

TEMPLATES[0]["OPTIONS"]["debug"] = True

# A real Celery worker started by tests/test_worker.py writes its email to files the test reads.
if os.environ.get("QIC_EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["QIC_EMAIL_FILE_PATH"]

# Two-factor enforcement is on in production; the tests of it turn it on (tests/collectives/test_mfa.py).
QIC_MFA_REQUIRED = False
