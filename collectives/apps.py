from django.apps import AppConfig


class CollectivesConfig(AppConfig):
    name = "collectives"
    verbose_name = "Personnes et collectifs"

    def ready(self):
        from . import panels, progress

        progress.connect()
        panels.connect()
