"""docs/security-targets.md B1–B5, A5 and C2 through the real sign-in flow: allauth's password step,
its TOTP step, django-axes' lockout, and the audit rows each leaves."""

from __future__ import annotations

import importlib
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from needlepoint.accounts.roles import Role
from needlepoint.core.models import AuditAction, AuditEvent
from tests.support import factories
from tests.support.factories import TEST_PASSWORD
from tests.support.personas import TEST_TOTP_SECRET, sign_in

# Five seconds into a 30-second TOTP window, so every code below stays current.
START = datetime(2026, 3, 2, 17, 0, 5, tzinfo=UTC)
WRONG_PASSWORD = "not the password at all"
LOCKOUT_TEXT = "Sign-in paused"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def totp_code(*, step_offset: int = 0) -> str:
    counter = int(time.time()) // 30 + step_offset
    return format_hotp_value(hotp_value(TEST_TOTP_SECRET, counter))


def password_step(client: Client, login: str, password: str = TEST_PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": login, "password": password}, **extra)


def mfa_step(client: Client, code: str, **extra):
    return client.post(reverse("mfa_authenticate"), {"code": code}, **extra)


def full_login(client: Client, login: str, code: str | None = None):
    response = password_step(client, login)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    return mfa_step(client, code or totp_code())


def dashboard_status(client: Client) -> int:
    return client.get(reverse("core:dashboard")).status_code


def _without_csrf(html: str) -> str:
    """CSRF tokens are masked afresh on every render (form field and htmx header)."""
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "<csrf>", html)


# --- B1: MFA before any staff page ---------------------------------------------------


def test_it_keeps_a_password_only_staff_login_out_of_the_dashboard(client, cast, clock):
    response = password_step(client, "prac")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    dashboard = client.get(reverse("core:dashboard"))
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_it_opens_the_dashboard_after_the_right_totp_code(client, cast, clock):
    response = full_login(client, "prac")

    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")
    assert dashboard_status(client) == 200
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert login.actor == cast.practitioner
    assert login.organization == cast.clinic


def test_it_accepts_the_code_from_the_previous_window(client, cast, clock):
    """MFA_TOTP_TOLERANCE = 1: a code typed just before the window turned still works."""
    full_login(client, "prac", totp_code(step_offset=-1))

    assert dashboard_status(client) == 200


def test_it_refuses_a_code_from_two_windows_ago(client, cast, clock):
    response = full_login(client, "prac", totp_code(step_offset=-2))

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert dashboard_status(client) == 302


def test_it_sends_staff_without_totp_to_enrol(client, cast, clock):
    newcomer = factories.UserFactory(username="newcomer")
    factories.StaffFactory(user=newcomer, organization=cast.clinic)

    response = password_step(client, "newcomer")
    assert response.status_code == 302
    dashboard = client.get(reverse("core:dashboard"))

    assert dashboard.status_code == 302
    assert dashboard["Location"] == reverse("mfa_activate_totp")


# --- B2: a code works once; failures are audited -------------------------------------


def test_it_refuses_a_totp_code_used_a_second_time(cast, clock):
    code = totp_code()
    first, second = Client(), Client()

    assert full_login(first, "prac", code)["Location"] == reverse("core:dashboard")
    replay = full_login(second, "prac", code)

    assert replay.status_code == 200
    assert "Incorrect code." in replay.content.decode()
    assert dashboard_status(second) == 302
    assert dashboard_status(first) == 200


def test_it_accepts_the_next_windows_code_after_one_was_used(cast, clock):
    full_login(Client(), "prac")
    clock.shift(timedelta(seconds=30))
    second = Client()

    full_login(second, "prac")

    assert dashboard_status(second) == 200


def test_it_audits_a_wrong_totp_code(client, cast, clock):
    password_step(client, "prac", REMOTE_ADDR="203.0.113.9")
    wrong = format_hotp_value((int(totp_code()) + 1) % 1_000_000)

    response = mfa_step(client, wrong, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.MFA_FAILED)
    assert event.actor == cast.practitioner
    assert event.organization == cast.clinic
    assert event.ip_address == "203.0.113.9"
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


# --- B3: lockout (django-axes) -------------------------------------------------------


def _fail(client: Client, login: str, address: str = "127.0.0.1"):
    return password_step(client, login, WRONG_PASSWORD, REMOTE_ADDR=address)


def test_it_locks_an_account_after_five_failures(client, cast, clock):
    responses = [_fail(client, "prac") for _ in range(5)]

    assert [r.status_code for r in responses[:4]] == [200] * 4
    locked = password_step(client, "prac")

    assert locked.status_code == 429
    assert LOCKOUT_TEXT in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() >= 5
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists()


def test_it_does_not_lock_after_four_failures(client, cast, clock):
    for _ in range(4):
        _fail(client, "prac")

    response = password_step(client, "prac")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists()


def test_it_audits_each_failed_password_without_the_password(client, cast, clock):
    _fail(client, "prac", "203.0.113.10")

    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor_label == "prac"
    assert event.ip_address == "203.0.113.10"
    stored = str(AuditEvent.objects.filter(pk=event.pk).values().get())
    assert WRONG_PASSWORD not in stored


def test_it_keeps_the_lock_for_fifteen_minutes(client, cast, clock):
    for _ in range(5):
        _fail(client, "prac")

    clock.shift(timedelta(minutes=14))
    still_locked = password_step(client, "prac")

    assert still_locked.status_code == 429


def test_it_lets_the_account_in_again_after_fifteen_minutes(client, cast, clock):
    for _ in range(5):
        _fail(client, "prac")
    assert password_step(client, "prac").status_code == 429

    clock.shift(timedelta(minutes=15, seconds=1))
    response = full_login(client, "prac")

    assert response["Location"] == reverse("core:dashboard")
    assert dashboard_status(client) == 200


def test_it_locks_an_address_that_tries_many_usernames(cast, clock):
    attacker = Client()
    for name in ("ghost1", "ghost2", "ghost3", "desk", "own"):
        _fail(attacker, name, "198.51.100.77")

    from_attacker = password_step(attacker, "prac", REMOTE_ADDR="198.51.100.77")
    from_clinic = password_step(Client(), "prac", REMOTE_ADDR="192.0.2.10")

    assert from_attacker.status_code == 429
    assert from_clinic.status_code == 302
    assert from_clinic["Location"] == reverse("mfa_authenticate")


def test_it_locks_an_account_attacked_from_many_addresses(cast, clock):
    for n in range(5):
        _fail(Client(), "prac", f"198.51.100.{n + 1}")

    response = password_step(Client(), "prac", REMOTE_ADDR="192.0.2.10")

    assert response.status_code == 429


def test_it_names_the_locked_account_in_the_lockout_row(client, cast, clock):
    for _ in range(5):
        _fail(client, "prac")

    event = AuditEvent.objects.filter(action=AuditAction.LOCKOUT).first()

    assert event is not None
    assert event.actor_label == "prac"
    assert event.detail["attempted_login"] == "prac"


def test_it_does_not_report_a_lockout_for_one_typo_after_strangers_failed(cast, clock):
    for n in range(5):
        _fail(Client(), f"ghost{n}", f"198.51.100.{n + 1}")

    typo = _fail(Client(), "prac", "192.0.2.10")

    assert typo.status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists()


# --- B4: password rules and hashing --------------------------------------------------


def test_it_rejects_an_eleven_character_password():
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("kq8#vLm2pZx")


def test_it_accepts_a_twelve_character_password():
    validate_password("kq8#vLm2pZx!")


def test_it_rejects_a_common_password():
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234")


def test_it_rejects_a_password_like_the_username(cast):
    user = factories.UserFactory(username="maximiliana.rodriguez", email="mr@example.com")
    with pytest.raises(ValidationError, match="too similar"):
        validate_password("maximiliana.rodriguez", user=user)


def test_it_accepts_a_long_passphrase():
    passphrase = "the quick sandia sunset paints the rio grande valley pink at dusk tonight"
    assert len(passphrase) >= 64

    validate_password(passphrase)


def test_it_hashes_passwords_with_argon2_in_the_real_settings():
    real_settings = importlib.import_module("needlepoint.settings")
    hashers = real_settings.PASSWORD_HASHERS

    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    allowed = {
        f"{Argon2PasswordHasher.__module__}.{Argon2PasswordHasher.__name__}",
        f"{PBKDF2PasswordHasher.__module__}.{PBKDF2PasswordHasher.__name__}",
    }
    assert set(hashers) <= allowed
    assert Argon2PasswordHasher().encode("x", Argon2PasswordHasher().salt()).startswith("argon2")


# --- B5: no user enumeration ---------------------------------------------------------


def test_it_answers_a_reset_request_alike_for_known_and_unknown_emails(client, cast):
    url = reverse("account_reset_password")
    known = client.post(url, {"email": "prac@example.com"})
    unknown = client.post(url, {"email": "nobody-here@example.com"})

    assert known.status_code == unknown.status_code
    assert known.get("Location") == unknown.get("Location")
    known_page = client.get(known["Location"]) if known.status_code == 302 else known
    unknown_page = client.get(unknown["Location"]) if unknown.status_code == 302 else unknown
    assert known_page.status_code == unknown_page.status_code == 200
    assert _without_csrf(known_page.content.decode()) == _without_csrf(
        unknown_page.content.decode()
    )


@pytest.mark.parametrize(
    ("known", "unknown"),
    [("prac", "nobody-here"), ("prac@example.com", "nobody-here@example.com")],
)
def test_it_answers_a_failed_login_alike_for_known_and_unknown_accounts(
    client, cast, known, unknown
):
    wrong_password = password_step(client, known, WRONG_PASSWORD)
    no_such_user = password_step(client, unknown, WRONG_PASSWORD)

    assert wrong_password.status_code == no_such_user.status_code == 200
    errors = wrong_password.context["form"].non_field_errors()
    assert errors
    assert errors == no_such_user.context["form"].non_field_errors()
    known_body = _without_csrf(wrong_password.content.decode()).replace(known, "LOGIN")
    unknown_body = _without_csrf(no_such_user.content.decode()).replace(unknown, "LOGIN")
    assert known_body == unknown_body


# --- A5: changes take effect on the next request -------------------------------------


def test_it_ends_access_on_the_next_request_when_a_user_is_deactivated(client, cast):
    sign_in(client, cast.practitioner)
    assert dashboard_status(client) == 200

    cast.practitioner.is_active = False
    cast.practitioner.save(update_fields=["is_active"])

    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_ends_staff_access_on_the_next_request_when_the_profile_is_removed(client, cast):
    sign_in(client, cast.practitioner)
    assert dashboard_status(client) == 200

    cast.practitioner.staff_profile.delete()

    assert dashboard_status(client) == 403
    url = reverse("patients:patient-detail", kwargs={"public_id": cast.patient.public_id})
    assert client.get(url).status_code == 403


def test_it_applies_a_demotion_on_the_next_request(client, cast):
    sign_in(client, cast.owner)
    assert client.get(reverse("core:audit-log")).status_code == 200

    profile = cast.owner.staff_profile
    profile.role = Role.FRONT_DESK
    profile.save(update_fields=["role"])

    assert client.get(reverse("core:audit-log")).status_code == 403


def test_it_ends_access_when_the_user_logs_out(client, cast, clock):
    full_login(client, "prac")
    assert dashboard_status(client) == 200

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert dashboard_status(client) == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=cast.practitioner).exists()


def test_it_throttles_guessing_of_mfa_codes(client, cast, clock):
    """Someone holding the password cannot brute-force the six digits: after six wrong
    codes in five minutes even the right one is refused."""
    assert password_step(client, "prac").status_code == 302
    right = totp_code()
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    for _ in range(6):
        assert mfa_step(client, wrong).status_code == 200

    response = mfa_step(client, right)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED).count() == 6


def test_a_patient_signs_in_to_the_public_site_not_a_staff_page(client, cast):
    response = password_step(client, "pat")
    assert response.status_code == 302
    assert response["Location"] == reverse("site:home")
