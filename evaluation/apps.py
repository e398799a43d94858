from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Évaluation"

    def ready(self):
        # Collectives sits below evaluation: what it needs from evaluation is registered here.
        from django.db.backends.signals import connection_created

        from collectives.handover import PackSection, register_section
        from collectives.sessions.exercises import continuum_closed

        from . import assessments, panels, progress, search
        from .reports import families

        progress.connect()
        connection_created.connect(search.register_sqlite_function, dispatch_uid="evaluation.search_sqlite")
        panels.connect()
        # A closed continuum exercise records each site's position as its self-assessment.
        continuum_closed.connect(assessments.record_continuum, dispatch_uid="evaluation.record_continuum")
        # The handover pack shows the self-assessments over time, laid out like the bilan's section.
        register_section(
            PackSection(
                "self_assessment",
                "Dernière auto-évaluation",
                "collectives/pdf/handover/self_assessment.html",
                families.handover_self_assessments,
                40,
                empty="Aucune auto-évaluation pour le moment.",
            )
        )
