"""Benchmark settings: production settings (DEBUG off, cached templates, whole middleware stack), in-process.

Only what cannot work without a real deployment changes: no HTTPS redirect, static files served from the
finders (no collectstatic), and no second factor for the benchmark's national account. And no cache at all:
every cache is Django's dummy one (nothing is ever found in it), so that the figures are those of the pages
themselves (the platform keeps no page cache: issue 16 removed it).
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from qic.settings import *  # noqa: E402,F403
from qic.settings import CACHES, STORAGES  # noqa: E402

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
QIC_MFA_REQUIRED = False
CACHES = {alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"} for alias in CACHES}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"handlers": [], "level": "ERROR"}}
