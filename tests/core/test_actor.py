"""The actor (core/actor.py): built once per request at the edge, read by services for the
audit row, never the request itself."""

from __future__ import annotations

import pytest
from django.urls import reverse

from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction, AuditEvent
from tests.support.personas import sign_in


def test_every_answer_carries_a_request_id(client, db):
    first = client.get(reverse("site:home"))["X-Request-ID"]
    second = client.get(reverse("site:home"))["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.parametrize(
    ("given", "kept"),
    [("support-1234-abcd", True), ("short", False), ("bad id with spaces", False)],
)
def test_a_sane_request_id_from_the_caller_is_kept(client, db, given, kept):
    answered = client.get(reverse("site:home"), HTTP_X_REQUEST_ID=given)["X-Request-ID"]
    assert (answered == given) is kept


def test_a_service_audits_who_acted_from_the_actor(cast):
    actor = Actor(
        user=cast.frontdesk, organization=cast.clinic, address="203.0.113.9", path="/staff/x/"
    )
    event = audit_record(action=AuditAction.VIEW, by=actor, obj=cast.patient, patient=cast.patient)
    assert (event.actor, event.organization, event.ip_address, event.path) == (
        cast.frontdesk,
        cast.clinic,
        "203.0.113.9",
        "/staff/x/",
    )


def test_a_job_without_a_user_is_named_by_its_label(cast):
    event = audit_record(
        action=AuditAction.UPDATE, by=Actor.system(organization=cast.clinic, label="nightly sweep")
    )
    assert event.actor is None and event.actor_label == "nightly sweep"


def test_a_staff_page_read_is_audited_with_the_signed_in_user_and_address(client, cast):
    sign_in(client, cast.frontdesk)
    client.get(reverse("patients:patient-detail", args=[cast.patient.public_id]))
    event = AuditEvent.objects.filter(patient_ref=str(cast.patient.public_id)).latest("id")
    assert event.actor == cast.frontdesk
    assert event.ip_address == "127.0.0.1"
