from django.apps import AppConfig


class VisionConfig(AppConfig):
    name = "vision"
    verbose_name = "Vision et stratégie de changement"

    def ready(self):
        from . import panels, progress

        progress.connect()
        panels.connect()
