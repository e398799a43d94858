from django.apps import AppConfig


class VisionConfig(AppConfig):
    name = "vision"
    verbose_name = "Vision et stratégie de changement"

    def ready(self):
        from collectives.handover import PackSection, register_section

        from . import panels, progress, reports

        progress.connect()
        panels.connect()
        # The handover pack (collectives) shows the vision and the strategy: collectives sits below vision.
        register_section(
            PackSection(
                "vision",
                "Vision et analyse de contexte",
                "collectives/pdf/handover/vision.html",
                reports.vision_section,
                10,
            )
        )
        register_section(
            PackSection(
                "strategy",
                "Stratégie de changement",
                "collectives/pdf/handover/strategy.html",
                reports.strategy_section,
                20,
            )
        )
