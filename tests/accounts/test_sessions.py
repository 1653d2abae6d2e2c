"""docs/security-targets.md A6: staff sessions end after 15 minutes idle and 12 hours in all;
patients' after 30 minutes idle. Frozen time: the session middleware reads time.time()."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from needlepoint.core.models import AuditAction, AuditEvent
from tests.support.personas import sign_in

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
SIGNED_OUT_MESSAGE = "You were signed out to protect patient information."


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def visit(client: Client, url_name: str = "site:health"):
    return client.get(reverse(url_name))


def still_signed_in(client: Client, url_name: str = "site:health") -> bool:
    """Make one request; True when it was served, signed in, as an ordinary page."""
    response = visit(client, url_name)
    served = response.status_code == 200
    return served and response.wsgi_request.user.is_authenticated and _has_login(client)


def signed_out_by(client: Client, url_name: str) -> bool:
    """Make one request; True when it found the person signed out (whatever the answer)."""
    response = visit(client, url_name)
    return not response.wsgi_request.user.is_authenticated and not _has_login(client)


def _has_login(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def staff_client(cast, clock):
    client = Client()
    sign_in(client, cast.practitioner)
    assert visit(client, "core:dashboard").status_code == 200  # starts the clock
    return client


@pytest.fixture
def patient_client(cast, clock):
    client = Client()
    sign_in(client, cast.patient_user)
    assert still_signed_in(client, "site:home")  # starts the clock
    return client


def _expiries() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED))


# --- staff ---------------------------------------------------------------------------


def test_it_signs_staff_out_after_sixteen_idle_minutes(staff_client, cast, clock):
    clock.shift(timedelta(minutes=16))

    assert signed_out_by(staff_client, "core:dashboard")
    (event,) = _expiries()
    assert event.actor == cast.practitioner
    assert event.detail == {"why": "idle"}


def test_it_files_a_staff_expiry_under_their_clinic(staff_client, cast, clock):
    clock.shift(timedelta(minutes=16))
    visit(staff_client, "core:dashboard")

    (event,) = _expiries()
    assert event.organization == cast.clinic


def test_it_keeps_staff_signed_in_after_fourteen_idle_minutes(staff_client, clock):
    clock.shift(timedelta(minutes=14))

    assert still_signed_in(staff_client, "core:dashboard")
    assert _expiries() == []


def test_it_keeps_staff_out_after_an_idle_expiry(staff_client, clock):
    clock.shift(timedelta(minutes=16))
    visit(staff_client, "core:dashboard")

    response = visit(staff_client, "core:dashboard")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_keeps_an_active_staff_member_signed_in_for_eleven_hours(staff_client, clock):
    for step in range(66):  # a request every 10 minutes, 11 hours
        clock.shift(timedelta(minutes=10))
        assert still_signed_in(staff_client), step

    assert visit(staff_client, "core:dashboard").status_code == 200
    assert _expiries() == []


def test_it_signs_staff_out_after_twelve_hours_even_when_active(staff_client, cast, clock):
    elapsed = timedelta(0)
    while elapsed < timedelta(hours=11, minutes=50):
        clock.shift(timedelta(minutes=14))
        elapsed += timedelta(minutes=14)
        assert still_signed_in(staff_client), elapsed

    clock.shift(timedelta(hours=12, minutes=1) - elapsed)

    assert signed_out_by(staff_client, "core:dashboard")
    (event,) = _expiries()
    assert event.actor == cast.practitioner
    assert event.detail == {"why": "absolute"}


# --- patients ------------------------------------------------------------------------


def test_it_keeps_a_patient_signed_in_after_twenty_idle_minutes(patient_client, clock):
    clock.shift(timedelta(minutes=20))

    assert still_signed_in(patient_client, "site:home")
    assert _expiries() == []


def test_it_signs_a_patient_out_after_thirty_one_idle_minutes(patient_client, cast, clock):
    clock.shift(timedelta(minutes=31))

    assert signed_out_by(patient_client, "site:home")
    (event,) = _expiries()
    assert event.actor == cast.patient_user
    assert event.detail == {"why": "idle"}


def test_it_counts_a_patients_idle_time_from_the_last_request(patient_client, clock):
    clock.shift(timedelta(minutes=20))
    assert still_signed_in(patient_client, "site:home")

    clock.shift(timedelta(minutes=20))

    assert still_signed_in(patient_client, "site:home")


# --- what the person sees when a session ends ----------------------------------------


def test_it_sends_an_expired_staff_member_to_the_login_page_with_a_note(client, cast, clock):
    sign_in(client, cast.practitioner)
    assert visit(client, "core:dashboard").status_code == 200
    clock.shift(timedelta(minutes=16))

    response = visit(client, "core:dashboard")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert SIGNED_OUT_MESSAGE in client.get(response["Location"]).content.decode()


def test_it_answers_an_expired_htmx_request_with_a_redirect_header(client, cast, clock):
    sign_in(client, cast.practitioner)
    assert visit(client, "core:dashboard").status_code == 200
    clock.shift(timedelta(minutes=16))

    response = client.get(reverse("patients:patient-list"), headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("account_login")


def test_it_shows_an_expired_patient_a_page_not_an_error(client, cast, clock):
    sign_in(client, cast.patient_user)
    assert visit(client, "site:home").status_code == 200
    clock.shift(timedelta(minutes=31))

    response = visit(client, "site:home")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
