#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import secrets
import sys

# Commands that only read the code and sign nothing: they run without the production secret (a throwaway key),
# so `makemigrations --check` works on any checkout.
CODE_ONLY_COMMANDS = {"makemigrations"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qic.settings")
    if len(sys.argv) > 1 and sys.argv[1] in CODE_ONLY_COMMANDS:
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads the settings: a bad environment is said plainly, first)
    except ImproperlyConfigured as error:
        sys.exit(f"Configuration error: {error} (for development: DEBUG=true, or `make demo`).")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
