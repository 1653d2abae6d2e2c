"""PostgreSQL: no two active holds of one resource may overlap (the last line of defence
against double booking; the booking service's locks and re-check come first).

SQLite has no exclusion constraints; there, bookings are serialized by IMMEDIATE
transactions and the service re-checks inside them.
"""

from django.db import migrations

CONSTRAINT = "hold_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"""ALTER TABLE scheduling_hold ADD CONSTRAINT {CONSTRAINT}
            EXCLUDE USING gist (resource_key WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
            WHERE (is_active)"""
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE scheduling_hold DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
