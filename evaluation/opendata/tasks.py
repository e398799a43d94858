"""The nightly generation of the open-data files (Celery beat: its schedule comes from a migration)."""

from celery import shared_task

TASK = "evaluation.opendata.generate"


@shared_task(name=TASK, acks_late=True)
def generate_open_data() -> int:
    """Write and publish a new set of open-data files; takes no arguments, safe to run twice. Returns the id
    of the published release (a failure raises, and the previous set stays published)."""
    from . import services

    return services.generate().pk
