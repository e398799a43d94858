from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Évaluation"

    def ready(self):
        from . import panels, progress

        progress.connect()
        panels.connect()
