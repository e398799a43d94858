from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

# The trinôme's seats, as stored in `Membership.role` (collectives.enums.TRINOME_SEATS) when this was written.
SEATS = ("prefect_delegate", "municipality", "civil_society")


def count_seats(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Membership = apps.get_model("collectives", "Membership")
    filled = (
        Membership.objects.filter(site=OuterRef("pk"), ended_on__isnull=True, role__in=SEATS)
        .order_by()
        .values("site")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Site.objects.update(seats_filled=Coalesce(Subquery(filled, output_field=IntegerField()), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0006_data_version"),
        ("collectives", "0005_session_schedules"),
    ]

    operations = [
        migrations.AddField(
            model_name="site",
            name="seats_filled",
            field=models.PositiveSmallIntegerField(
                default=0, editable=False, verbose_name="sièges du trinôme pourvus"
            ),
        ),
        migrations.RunPython(count_seats, migrations.RunPython.noop),
    ]
