"""PostgreSQL: a booking's locks, re-check and hold insert in one round trip.

`needlepoint_lock_resources(keys, timeout)` sets the transaction's lock timeout, then
takes a transaction-level advisory lock per distinct key hash in ascending order (so two
bookings never wait for each other in a cycle). Inside a function the statements run in
this order by definition, which one plain SELECT could not promise.

`needlepoint_claim_holds(...)` takes those locks, then inserts the appointment's holds
only if none overlaps an active hold of another appointment, and returns how many it
inserted (all or none). A VOLATILE function's every statement takes a fresh snapshot, so
the re-check sees each booking committed by whoever held the locks before us.

SQLite needs neither: its IMMEDIATE transactions hold the only write lock, and the service
runs the same insert-if-free statement there.
"""

from django.db import migrations

LOCK = """
CREATE OR REPLACE FUNCTION needlepoint_lock_resources(keys text[], timeout text)
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('lock_timeout', timeout, true);
    PERFORM pg_advisory_xact_lock(lock_id)
    FROM (SELECT DISTINCT hashtext(key) AS lock_id FROM unnest(keys) AS key) AS ids
    ORDER BY lock_id;
END;
$$
"""

CLAIM = """
CREATE OR REPLACE FUNCTION needlepoint_claim_holds(
    appointment bigint,
    location bigint,
    resource_keys text[],
    starts timestamptz[],
    ends timestamptz[],
    lock_keys text[],
    timeout text
) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    claimed integer;
BEGIN
    PERFORM needlepoint_lock_resources(lock_keys, timeout);
    INSERT INTO scheduling_hold
        (appointment_id, location_id, resource_key, starts_at, ends_at, is_active)
    SELECT appointment, location, wanted.key, wanted.starts_at, wanted.ends_at, TRUE
    FROM unnest(resource_keys, starts, ends) AS wanted (key, starts_at, ends_at)
    WHERE NOT EXISTS (
        SELECT 1
        FROM scheduling_hold AS held,
             unnest(resource_keys, starts, ends) AS asked (key, starts_at, ends_at)
        WHERE held.is_active
          AND held.resource_key = asked.key
          AND held.starts_at < asked.ends_at
          AND held.ends_at > asked.starts_at
          AND held.appointment_id <> appointment
    );
    GET DIAGNOSTICS claimed = ROW_COUNT;
    RETURN claimed;
END;
$$
"""


def create_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LOCK)
        schema_editor.execute(CLAIM)


def drop_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS "
            "needlepoint_claim_holds(bigint, bigint, text[], timestamptz[], timestamptz[], "
            "text[], text)"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS needlepoint_lock_resources(text[], text)")


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0003_waitlist")]

    operations = [migrations.RunPython(create_functions, drop_functions)]
