"""docs/security-targets.md B6: staff cannot remove their own authenticator; a reset is the owner's
audited action, ends the member's sessions and forces re-enrolment."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.forms import DeactivateTOTPForm
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from needlepoint.accounts.services import StaffRefused, staff_authenticator_reset
from needlepoint.core.models import AuditAction, AuditEvent
from tests.support.factories import TEST_PASSWORD
from tests.support.personas import TEST_TOTP_SECRET, sign_in

DEACTIVATE_URL = "/accounts/2fa/totp/deactivate/"


def reset_url(user) -> str:
    return reverse(
        "accounts:staff-authenticator-reset",
        kwargs={"public_id": user.staff_profile.public_id},
    )


def authenticator_types(user) -> set[str]:
    return set(Authenticator.objects.filter(user=user).values_list("type", flat=True))


def sessions_of(user) -> int:
    return sum(
        1
        for session in Session.objects.all()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    )


@pytest.fixture
def practitioner_with_codes(cast):
    RecoveryCodes.activate(cast.practitioner)
    return cast.practitioner


# --- The service ------------------------------------------------------------------------


def test_the_owner_resets_a_members_authenticator_and_recovery_codes(cast, practitioner_with_codes):
    assert authenticator_types(practitioner_with_codes) == {"totp", "recovery_codes"}

    staff_authenticator_reset(
        actor=cast.owner.staff_profile,
        staff=practitioner_with_codes.staff_profile,
        reason="Lost phone",
    )

    assert authenticator_types(practitioner_with_codes) == set()
    assert authenticator_types(cast.owner) == {"totp"}


def test_the_reset_writes_one_audit_row_with_the_reason(cast, practitioner_with_codes):
    staff_authenticator_reset(
        actor=cast.owner.staff_profile,
        staff=practitioner_with_codes.staff_profile,
        reason="  New phone ",
    )

    event = AuditEvent.objects.get(detail__authenticator_reset=True)
    assert event.action == AuditAction.UPDATE
    assert event.actor == cast.owner
    assert event.organization == cast.clinic
    assert event.object_id == str(practitioner_with_codes.staff_profile.public_id)
    assert event.detail["reason"] == "New phone"
    assert event.detail["removed"] == ["recovery_codes", "totp"]


def test_the_reset_ends_the_members_sessions_only(cast):
    member, bystander = sign_in(Client(), cast.practitioner), sign_in(Client(), cast.director)
    sign_in(Client(), cast.practitioner)
    assert sessions_of(cast.practitioner) == 2

    staff_authenticator_reset(
        actor=cast.owner.staff_profile, staff=cast.practitioner.staff_profile, reason="Lost"
    )

    assert sessions_of(cast.practitioner) == 0
    assert member.get(reverse("core:dashboard")).status_code == 302
    assert bystander.get(reverse("core:dashboard")).status_code == 200
    event = AuditEvent.objects.get(detail__authenticator_reset=True)
    assert event.detail["sessions_ended"] == 2


@pytest.mark.parametrize("role", ["director", "practitioner", "frontdesk"])
def test_only_the_owner_may_reset(cast, role):
    with pytest.raises(StaffRefused) as refused:
        staff_authenticator_reset(
            actor=cast.user(role).staff_profile,
            staff=cast.frontdesk.staff_profile
            if role != "frontdesk"
            else cast.practitioner.staff_profile,
            reason="Lost phone",
        )
    assert refused.value.code == "not_owner"
    assert authenticator_types(cast.frontdesk) == {"totp"}
    assert authenticator_types(cast.practitioner) == {"totp"}


def test_the_owner_cannot_reset_their_own(cast):
    with pytest.raises(StaffRefused) as refused:
        staff_authenticator_reset(
            actor=cast.owner.staff_profile, staff=cast.owner.staff_profile, reason="Lost phone"
        )
    assert refused.value.code == "own_authenticator"
    assert authenticator_types(cast.owner) == {"totp"}


def test_the_owner_cannot_reset_another_clinics_staff(cast):
    with pytest.raises(StaffRefused) as refused:
        staff_authenticator_reset(
            actor=cast.owner.staff_profile, staff=cast.outsider.staff_profile, reason="Lost"
        )
    assert refused.value.code == "other_organization"
    assert authenticator_types(cast.outsider) == {"totp"}


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(cast, reason):
    with pytest.raises(StaffRefused) as refused:
        staff_authenticator_reset(
            actor=cast.owner.staff_profile, staff=cast.practitioner.staff_profile, reason=reason
        )
    assert refused.value.code == "reason_required"
    assert refused.value.field == "reason"
    assert authenticator_types(cast.practitioner) == {"totp"}
    assert not AuditEvent.objects.filter(detail__authenticator_reset=True).exists()


def test_after_a_reset_the_member_must_enrol_again_at_the_next_sign_in(cast):
    staff_authenticator_reset(
        actor=cast.owner.staff_profile, staff=cast.practitioner.staff_profile, reason="Lost"
    )
    client = Client()

    response = client.post(reverse("account_login"), {"login": "prac", "password": TEST_PASSWORD})
    assert response.status_code == 302
    dashboard = client.get(reverse("core:dashboard"))

    assert dashboard.status_code == 302
    assert dashboard["Location"] == reverse("mfa_activate_totp")


# --- The pages --------------------------------------------------------------------------


def test_the_team_page_offers_a_reset_for_others_but_not_oneself(client, cast):
    sign_in(client, cast.owner)

    body = client.get(reverse("accounts:staff-list")).content.decode()

    assert reset_url(cast.practitioner) in body
    assert reset_url(cast.owner) not in body
    assert cast.outsider.username not in body


def test_the_owner_resets_through_the_page(client, cast):
    member = sign_in(Client(), cast.practitioner)
    sign_in(client, cast.owner)

    response = client.post(reset_url(cast.practitioner), {"reason": "Lost phone"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:staff-list")
    assert authenticator_types(cast.practitioner) == set()
    assert member.get(reverse("core:dashboard")).status_code == 302
    event = AuditEvent.objects.get(detail__authenticator_reset=True)
    assert event.actor == cast.owner
    assert event.ip_address == "127.0.0.1"


def test_the_page_asks_again_without_a_reason(client, cast):
    sign_in(client, cast.owner)

    response = client.post(reset_url(cast.practitioner), {"reason": " "})

    assert response.status_code == 422
    assert "Say why the authenticator is reset." in response.content.decode()
    assert authenticator_types(cast.practitioner) == {"totp"}


def test_the_page_refuses_the_owners_own_reset(client, cast):
    sign_in(client, cast.owner)

    page = client.get(reset_url(cast.owner))
    response = client.post(reset_url(cast.owner), {"reason": "Lost phone"})

    assert "You cannot reset your own authenticator" in page.content.decode()
    assert response.status_code == 403
    assert authenticator_types(cast.owner) == {"totp"}


@pytest.mark.parametrize("role", ["frontdesk", "practitioner", "director"])
def test_other_roles_cannot_post_a_reset(client, cast, role):
    sign_in(client, cast.user(role))

    response = client.post(reset_url(cast.frontdesk), {"reason": "Lost phone"})

    assert response.status_code == 403
    assert authenticator_types(cast.frontdesk) == {"totp"}


def test_a_signed_out_visitor_is_sent_to_sign_in(client, cast):
    response = client.post(reset_url(cast.practitioner), {"reason": "Lost phone"})

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert authenticator_types(cast.practitioner) == {"totp"}


# --- Self-removal -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["frontdesk", "practitioner", "director", "owner"])
def test_staff_cannot_deactivate_their_own_authenticator(client, cast, role):
    user = cast.user(role)
    sign_in(client, user)

    page = client.get(DEACTIVATE_URL)
    posted = client.post(DEACTIVATE_URL)

    assert page.status_code == posted.status_code == 403
    assert "ask the clinic owner to reset" in page.content.decode()
    assert authenticator_types(user) == {"totp"}
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, actor=user, path=DEACTIVATE_URL
    ).exists()


def test_the_deactivate_url_is_the_guarded_one():
    assert reverse("mfa_deactivate_totp") == DEACTIVATE_URL


def test_the_security_page_offers_staff_no_deactivate_link(client, cast):
    sign_in(client, cast.practitioner)

    body = client.get(reverse("mfa_index")).content.decode()

    assert DEACTIVATE_URL not in body
    assert "ask the clinic owner to reset it" in body


def test_allauths_form_refuses_a_staff_member_and_allows_a_patient(cast):
    staff_totp = Authenticator.objects.get(user=cast.practitioner)
    patient_totp = TOTP.activate(cast.patient_user, TEST_TOTP_SECRET).instance

    refused = DeactivateTOTPForm(authenticator=staff_totp, data={})
    allowed = DeactivateTOTPForm(authenticator=patient_totp, data={})

    assert not refused.is_valid()
    assert "ask the clinic owner" in str(refused.errors)
    assert allowed.is_valid()


def test_a_patient_keeps_allauths_deactivate_flow(client, cast):
    TOTP.activate(cast.patient_user, TEST_TOTP_SECRET)
    sign_in(client, cast.patient_user)

    security = client.get(reverse("mfa_index")).content.decode()
    response = client.get(DEACTIVATE_URL)

    assert DEACTIVATE_URL in security
    # allauth asks the patient to confirm who they are first, then offers the button.
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
