"""Append-only tables: database triggers that refuse UPDATE and DELETE, on SQLite and
PostgreSQL, for rows that must never change once written (the audit log, the billing
ledger with its lines, payments and refunds). A migration installs them with `install`;
apps list their tables in `TABLES` so that the test suite can lift them around a SQLite
flush (`conftest.py`). The signed consents keep their own triggers, since a published
consent document is refused only once published (`intake/models/consent.py`).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLES: dict[str, str] = {}
"""Table name → what its rows are, for the refusal message."""


def register(table: str, what: str) -> None:
    TABLES[table] = what


def _statements(connection: BaseDatabaseWrapper, table: str, what: str) -> list[str]:
    if connection.vendor == "sqlite":
        return [
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, '{what} are append-only: UPDATE refused'); END""",
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
                BEGIN SELECT RAISE(ABORT, '{what} are append-only: DELETE refused'); END""",
        ]
    if connection.vendor == "postgresql":
        return [
            """CREATE OR REPLACE FUNCTION needlepoint_append_only() RETURNS trigger AS $$
               BEGIN
                 RAISE EXCEPTION '% on % refused: the rows are append-only', TG_OP, TG_TABLE_NAME
                   USING ERRCODE = 'insufficient_privilege';
               END; $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION needlepoint_append_only()""",
        ]
    raise RuntimeError(f"No append-only triggers for {connection.vendor}")  # pragma: no cover


def install(connection: BaseDatabaseWrapper, table: str, what: str) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, table, what):
            cursor.execute(statement)


def drop(connection: BaseDatabaseWrapper, table: str) -> None:
    if connection.vendor == "sqlite":
        statements = [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
        ]
    else:
        statements = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
