from django.apps import AppConfig


class QicConfig(AppConfig):
    name = "qic"
    verbose_name = "Plateforme QIC"
