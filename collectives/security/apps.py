from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "collectives.security"
    label = "account_security"
    verbose_name = "Sécurité des comptes"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
