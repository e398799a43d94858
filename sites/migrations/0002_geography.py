"""Reference data: France's regions and departments (INSEE codes), needed in every environment."""

from django.db import migrations


def load(apps, schema_editor):
    from sites.geography import load_geography

    load_geography(apps.get_model("sites", "Region"), apps.get_model("sites", "Department"))


class Migration(migrations.Migration):
    dependencies = [("sites", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
