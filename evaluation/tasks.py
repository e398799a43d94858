"""Celery tasks of the evaluation app (Celery autodiscovers this module)."""

from .reports.tasks import assemble_batch, generate_batch, generate_report, scheduled_reports

__all__ = ["assemble_batch", "generate_batch", "generate_report", "scheduled_reports"]
