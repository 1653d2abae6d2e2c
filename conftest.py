"""Shared pytest fixtures: personas, and keeping the audit triggers intact across flushes."""

from __future__ import annotations

import os

import pytest
from django.db import connections
from django.test import TransactionTestCase

from needlepoint.core import append_only, audit_triggers

# Playwright's sync API runs an event loop in the test thread; the ORM calls the browser
# tests make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def cast(db):
    from tests.support.personas import make_cast

    return make_cast()


def _flush_around_audit_triggers(teardown):
    """Transactional tests end with a flush, which on SQLite is a DELETE that the audit
    log's, the signed consents' and the billing rows' append-only triggers refuse. Drop them
    for the flush and put them back after.
    (PostgreSQL flushes with TRUNCATE, which the row triggers do not cover.)"""

    def fixture_teardown(self):
        sqlite = [
            connections[alias]
            for alias in self._databases_names(include_mirrors=False)
            if connections[alias].vendor == "sqlite"
        ]
        from needlepoint.intake.models.consent import (
            drop_consent_triggers,
            install_consent_triggers,
        )

        for conn in sqlite:
            audit_triggers.drop(conn)
            drop_consent_triggers(conn)
            for table in append_only.TABLES:
                append_only.drop(conn, table)
        try:
            teardown(self)
        finally:
            for conn in sqlite:
                audit_triggers.install(conn)
                install_consent_triggers(conn)
                for table, what in append_only.TABLES.items():
                    append_only.install(conn, table, what)

    return fixture_teardown


TransactionTestCase._fixture_teardown = _flush_around_audit_triggers(  # type: ignore[method-assign]
    TransactionTestCase._fixture_teardown
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is what production uses (tested in test_passwords); tests hash with MD5 to
    keep the suite fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_availability_setups():
    """Each test starts without availability set-ups cached by an earlier one: a test
    database reuses primary keys after a rollback, and `on_commit` never runs inside one."""
    from needlepoint.scheduling.setup import forget

    forget()
    yield
    forget()
