"""Make the audit table append-only and create the shared cache table."""

from django.core.management import call_command
from django.db import migrations


def install_triggers(apps, schema_editor):
    from needlepoint.core import audit_triggers

    audit_triggers.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from needlepoint.core import audit_triggers

    audit_triggers.drop(schema_editor.connection)


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(install_triggers, drop_triggers),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
