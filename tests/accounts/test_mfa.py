"""docs/security-targets.md B2 (RFC 6238 §5.2): a TOTP code works once, for as long as any window
that accepts it lasts, and a code of a time-step at or before the last accepted one is refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from needlepoint.accounts.mfa import (
    LAST_COUNTER,
    totp_code_accept,
    totp_counters,
    totp_fresh_counter,
)
from tests.support import factories
from tests.support.factories import TEST_PASSWORD
from tests.support.personas import TEST_TOTP_SECRET

# Five seconds into a 30-second window: +33 s is the next window (where the tolerance still
# accepts this window's code), +59 s the one after.
START = datetime(2026, 3, 2, 17, 0, 5, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def code_for(counter: int, secret: str = TEST_TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, counter))


def current_counter() -> int:
    return int(time.time()) // 30


def sign_in_with(login: str, code: str) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": login, "password": TEST_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": code})
    return client


def reaches_dashboard(client: Client) -> bool:
    return client.get(reverse("core:dashboard")).status_code == 200


# --- Pure rules -------------------------------------------------------------------------


def test_the_accepted_steps_are_the_current_one_and_its_neighbours():
    assert totp_counters(65.0, period=30, tolerance=1) == [1, 2, 3]


def test_a_step_at_or_before_the_last_accepted_one_is_not_fresh():
    assert totp_fresh_counter([5], 5) is None
    assert totp_fresh_counter([4], 5) is None
    assert totp_fresh_counter([6], 5) == 6
    assert totp_fresh_counter([6], None) == 6
    assert totp_fresh_counter([], None) is None


# --- Through the sign-in ----------------------------------------------------------------


def test_a_code_is_refused_every_time_it_is_replayed_across_the_window_boundary(cast, clock):
    code = code_for(current_counter())
    assert reaches_dashboard(sign_in_with("prac", code))

    for seconds in (0, 20, 33, 59):
        clock.move_to(START + timedelta(seconds=seconds))
        assert not reaches_dashboard(sign_in_with("prac", code)), seconds


def test_the_previous_windows_code_is_refused_after_a_newer_one_was_used(cast, clock):
    first = current_counter()
    clock.move_to(START + timedelta(seconds=30))
    assert reaches_dashboard(sign_in_with("prac", code_for(first + 1)))

    # Still inside the tolerance, but older than the step just accepted.
    assert not reaches_dashboard(sign_in_with("prac", code_for(first)))


def test_an_early_next_code_makes_the_current_one_stale(cast, clock):
    now = current_counter()
    assert reaches_dashboard(sign_in_with("prac", code_for(now + 1)))

    assert not reaches_dashboard(sign_in_with("prac", code_for(now)))


def test_a_fresh_code_of_the_next_window_is_accepted(cast, clock):
    first = current_counter()
    assert reaches_dashboard(sign_in_with("prac", code_for(first)))

    clock.move_to(START + timedelta(seconds=30))

    assert reaches_dashboard(sign_in_with("prac", code_for(first + 1)))


def test_the_last_accepted_step_is_stored_on_the_authenticator(cast, clock):
    sign_in_with("prac", code_for(current_counter()))

    totp = Authenticator.objects.get(user=cast.practitioner, type=Authenticator.Type.TOTP)
    assert totp.data[LAST_COUNTER] == current_counter()


def test_a_replayed_code_is_audited_as_a_refused_code(cast, clock):
    from needlepoint.core.models import AuditAction, AuditEvent

    code = code_for(current_counter())
    sign_in_with("prac", code)
    clock.move_to(START + timedelta(seconds=33))
    sign_in_with("prac", code)

    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED).count() == 1


def test_one_users_used_code_does_not_block_another_user(cast, clock):
    code = code_for(current_counter())  # the cast share one secret
    assert reaches_dashboard(sign_in_with("prac", code))

    assert reaches_dashboard(sign_in_with("desk", code))


def test_the_check_refuses_the_second_of_two_uses(cast, clock):
    totp = Authenticator.objects.get(user=cast.practitioner, type=Authenticator.Type.TOTP)
    code = code_for(current_counter())

    assert totp_code_accept(authenticator=totp, code=code)
    stale = Authenticator.objects.get(pk=totp.pk)
    stale.data.pop(LAST_COUNTER)  # an instance read before the first use
    assert not totp_code_accept(authenticator=stale, code=code)


def test_the_code_typed_to_enrol_does_not_sign_in_afterwards(
    cast, clock, django_capture_on_commit_callbacks
):
    newcomer = factories.UserFactory(username="newcomer")
    factories.StaffFactory(user=newcomer, organization=cast.clinic)
    client = Client()
    client.post(reverse("account_login"), {"login": "newcomer", "password": TEST_PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session["mfa.totp.secret"]
    code = code_for(current_counter(), secret)
    with django_capture_on_commit_callbacks(execute=True):
        enrolled = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert enrolled.status_code == 302
    assert Authenticator.objects.filter(user=newcomer, type=Authenticator.Type.TOTP).exists()

    clock.move_to(START + timedelta(seconds=10))
    assert not reaches_dashboard(sign_in_with("newcomer", code))
    clock.move_to(START + timedelta(seconds=30))
    assert reaches_dashboard(sign_in_with("newcomer", code_for(current_counter(), secret)))
