"""API tokens: created and revoked through the service, the staff page and the management
command; only a hash is kept; the secret is shown once."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from needlepoint.accounts.models import ApiToken
from needlepoint.accounts.services import api_token_create, api_token_revoke
from needlepoint.core.models import AuditAction, AuditEvent
from tests.support.api_support import get
from tests.support.personas import sign_in


def test_a_token_keeps_only_the_hash_of_its_secret(cast):
    staff = cast.practitioner.staff_profile
    token, secret = api_token_create(staff=staff, name="  Chair-side tablet ")
    assert secret.startswith("np_") and len(secret) >= 40
    assert token.name == "Chair-side tablet"
    assert token.prefix == secret[:8]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert secret not in {str(value) for value in stored.values()}
    event = AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(token.public_id))
    assert event.get().detail == {"for_staff": str(staff.public_id), "prefix": token.prefix}


def test_two_tokens_never_share_a_secret(cast):
    staff = cast.owner.staff_profile
    secrets = {api_token_create(staff=staff, name="t")[1] for _ in range(5)}
    assert len(secrets) == 5


def test_revoking_is_audited_once(cast):
    token, _secret = api_token_create(staff=cast.owner.staff_profile, name="t")
    api_token_revoke(token=token)
    api_token_revoke(token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert (
        AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(token.public_id)).count()
        == 1
    )


def test_using_a_token_notes_when_it_was_last_used(client, cast, time_machine):
    time_machine.move_to("2027-01-04T15:00:00Z", tick=False)
    token, secret = api_token_create(staff=cast.owner.staff_profile, name="t")
    get(client, "/patients", token=secret)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    time_machine.shift(timedelta(seconds=30))
    get(client, "/patients", token=secret)
    token.refresh_from_db()
    assert token.last_used_at == first  # at most one write a minute
    time_machine.shift(timedelta(minutes=2))
    get(client, "/patients", token=secret)
    token.refresh_from_db()
    assert token.last_used_at > first


# --- manage.py api_token --------------------------------------------------------------


def test_the_command_prints_the_token_alone_on_its_last_line(client, cast):
    out = io.StringIO()
    call_command("api_token", "desk", "--name", "Front desk tablet", stdout=out)
    last = out.getvalue().rstrip("\n").splitlines()[-1]
    assert last.startswith("np_") and " " not in last
    token = ApiToken.objects.get()
    assert token.name == "Front desk tablet"
    assert token.staff.user == cast.frontdesk
    assert get(client, "/patients", token=last).status_code == 200
    assert AuditEvent.objects.filter(object_id=str(token.public_id)).get().actor_label == (
        "manage.py api_token"
    )


@pytest.mark.parametrize("username", ["nobody", "pat"])  # unknown, and a patient
def test_the_command_refuses_non_staff(cast, username):
    with pytest.raises(CommandError):
        call_command("api_token", username, stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_the_command_refuses_a_deactivated_user(cast):
    cast.owner.is_active = False
    cast.owner.save()
    with pytest.raises(CommandError):
        call_command("api_token", "own", stdout=io.StringIO())


# --- The staff page -------------------------------------------------------------------

LIST = "accounts:api-token-list"


def test_the_page_creates_a_token_and_shows_its_secret_once(client, cast):
    sign_in(client, cast.frontdesk)
    response = client.post(reverse(LIST), {"name": "Check-in kiosk"})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith(token.prefix)
    assert secret in response.content.decode()
    assert response["Cache-Control"].startswith("no-store")
    assert token.staff == cast.frontdesk.staff_profile
    assert get(client, "/patients", token=secret).status_code == 200
    # Never again: the list shows only the prefix.
    again = client.get(reverse(LIST)).content.decode()
    assert secret not in again
    assert token.prefix in again and "Check-in kiosk" in again


def test_the_page_refuses_an_empty_name(client, cast):
    sign_in(client, cast.frontdesk)
    response = client.post(reverse(LIST), {"name": ""})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_the_page_lists_only_ones_own_tokens(client, cast):
    api_token_create(staff=cast.owner.staff_profile, name="Owner laptop")
    api_token_create(staff=cast.frontdesk.staff_profile, name="Desk tablet")
    sign_in(client, cast.frontdesk)
    body = client.get(reverse(LIST)).content.decode()
    assert "Desk tablet" in body and "Owner laptop" not in body


def test_revoking_ones_own_token(client, cast):
    token, secret = api_token_create(staff=cast.practitioner.staff_profile, name="Pen scanner")
    sign_in(client, cast.practitioner)
    url = reverse("accounts:api-token-revoke", kwargs={"public_id": token.public_id})
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(LIST)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert get(client, "/patients", token=secret).status_code == 401
    assert "Revoked" in client.get(reverse(LIST)).content.decode()


@pytest.mark.parametrize("owner", ["owner", "outsider"])
def test_someone_elses_token_cannot_be_revoked(client, cast, owner):
    token, _ = api_token_create(staff=getattr(cast, owner).staff_profile, name="Not yours")
    sign_in(client, cast.practitioner)
    url = reverse("accounts:api-token-revoke", kwargs={"public_id": token.public_id})
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_staff_menu_links_to_the_page(client, cast):
    sign_in(client, cast.frontdesk)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert f'href="{reverse(LIST)}"' in body
