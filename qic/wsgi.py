"""WSGI entry point (gunicorn qic.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qic.settings")
application = get_wsgi_application()

from qic.warmup import settle  # noqa: E402 - needs the settings loaded above

settle()
