"""The monthly schedule of reports, editable in the admin (django-celery-beat)."""

from django.db import migrations


def create_schedule(apps, schema_editor):
    from evaluation.reports.schedule import ensure_schedule

    ensure_schedule(apps.get_model("django_celery_beat", "PeriodicTask"), apps.get_model("django_celery_beat", "CrontabSchedule"))


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0003_reports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, migrations.RunPython.noop)]
