"""The monthly schedule of reports (django-celery-beat), created once and then edited in the admin."""

from __future__ import annotations

import json

SCHEDULE_NAME = "Bilans mensuels : synthèses nationales et bilans des sites"
TASK = "evaluation.reports.scheduled"
DEFAULT_KWARGS = {"rollups": True, "per_wave": True, "bilans": True}
DESCRIPTION = (
    "Le 1er de chaque mois à 6 h : la synthèse nationale de tous les sites, une synthèse par vague et le lot "
    "des bilans de tous les sites. Arguments : rollups (synthèses), per_wave (une par vague), bilans (lot)."
)


def ensure_schedule(periodic_task_model=None, crontab_model=None):
    """Create the monthly schedule if it does not exist; never overwrite what was edited in the admin.

    Takes the models as arguments so that a data migration can pass its historical models.
    """
    if periodic_task_model is None:
        from django_celery_beat.models import CrontabSchedule, PeriodicTask

        periodic_task_model, crontab_model = PeriodicTask, CrontabSchedule
    existing = periodic_task_model.objects.filter(name=SCHEDULE_NAME).first()
    if existing is not None:
        return existing, False
    crontab, _ = crontab_model.objects.get_or_create(
        minute="0",
        hour="6",
        day_of_week="*",
        day_of_month="1",
        month_of_year="*",
        timezone="Europe/Paris",
    )
    task = periodic_task_model.objects.create(
        name=SCHEDULE_NAME,
        task=TASK,
        crontab=crontab,
        kwargs=json.dumps(DEFAULT_KWARGS),
        description=DESCRIPTION,
        enabled=True,
    )
    return task, True
