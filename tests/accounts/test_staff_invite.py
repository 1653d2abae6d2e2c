import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.accounts.services import staff_invite
from needlepoint.core.models import AuditAction, AuditEvent
from tests.support.personas import sign_in

NEW_PASSWORD = "a long enough passphrase for the clinic"


def test_owner_adds_a_practitioner_who_sets_a_password_then_must_enrol_mfa(
    client, cast, django_capture_on_commit_callbacks
):
    sign_in(client, cast.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_staffprofile_add"),
            {
                "username": "nina",
                "first_name": "Nina",
                "last_name": "Tsosie",
                "email": "Nina@Example.com",
                "role": Role.PRACTITIONER,
                "title": "RN",
            },
        )
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user__username="nina")
    assert profile.organization == cast.clinic
    assert profile.user.email == "nina@example.com"
    assert not profile.user.has_usable_password()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(profile.public_id))

    (message,) = mail.outbox
    assert message.to == ["nina@example.com"]
    link = re.search(r"https?://\S+(/accounts/password/reset/key/\S+)", message.body).group(1)

    client.logout()
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(username="nina").check_password(NEW_PASSWORD)

    client.post(reverse("account_login"), {"login": "nina", "password": NEW_PASSWORD})
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_it_refuses_a_taken_username_without_writing_anything(cast):
    users = User.objects.count()
    with pytest.raises(ValidationError):
        staff_invite(
            organization=cast.clinic,
            username="PRAC",
            email="new@example.com",
            first_name="Dup",
            last_name="Licate",
            role=Role.FRONT_DESK,
        )
    assert User.objects.count() == users


def test_admin_form_explains_a_taken_email(client, cast):
    sign_in(client, cast.owner)
    response = client.post(
        reverse("admin:accounts_staffprofile_add"),
        {
            "username": "fresh",
            "first_name": "F",
            "last_name": "R",
            "email": cast.practitioner.email,
            "role": Role.FRONT_DESK,
        },
    )
    assert response.status_code == 200
    assert "Someone already signs in with that email." in response.content.decode()
