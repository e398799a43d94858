from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The default cache (rate limits, used two-factor codes) is a database table: every `migrate` makes sure
    # it exists (createcachetable skips a table that is there).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("qic", "0003_t15_audit_outlives_sites"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
