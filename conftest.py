"""Shared pytest fixtures: personas, and keeping the audit triggers intact across flushes."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from needlepoint.core import audit_triggers

# Playwright's sync API runs an event loop in the test thread; the ORM calls the browser
# tests make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def cast(db):
    from tests.personas import make_cast

    return make_cast()


@pytest.fixture
def _audit_triggers_restored(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        audit_triggers.install(connection)


@pytest.fixture
def transactional_db(_audit_triggers_restored, transactional_db):
    """Transactional tests end with a flush, which on SQLite is a DELETE that the audit
    log's append-only triggers refuse. Drop them for the flush and put them back after
    (fixture teardown runs in reverse: this body, the flush, then the restore)."""
    yield transactional_db
    if connection.vendor == "sqlite":
        audit_triggers.drop(connection)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is what production uses (tested in test_passwords); tests hash with MD5 to
    keep the suite fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
