from django.apps import AppConfig


class QicConfig(AppConfig):
    name = "qic"
    verbose_name = "Plateforme QIC"

    def ready(self):
        from . import audit, db

        audit.connect()
        db.connect()
