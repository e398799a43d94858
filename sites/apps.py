from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = "Sites et vagues"

    def ready(self):
        from qic import fragments

        from . import seats
        from .dashboard import cache

        cache.connect()
        seats.connect()
        fragments.connect()
