"""Database triggers that make the audit table append-only on SQLite and PostgreSQL, through
the shared mechanism of `core/append_only.py`.

The migration installs them; tests that must flush a SQLite database between runs drop and
re-install them around the flush (PostgreSQL flushes with TRUNCATE, which these row
triggers do not cover, and which the application never issues).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from needlepoint.core import append_only

TABLE = "core_auditevent"
WHAT = "audit log rows"


def install(connection: BaseDatabaseWrapper) -> None:
    append_only.install(connection, TABLE, WHAT)


def drop(connection: BaseDatabaseWrapper) -> None:
    append_only.drop(connection, TABLE)
