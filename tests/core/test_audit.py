"""docs/security-targets.md C1 (the row's contents), C2 (denied requests) and C3: the audit log is
append-only at the database, chained by SHA-256, and `manage.py audit_verify` names any row changed
or removed behind the application's back."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from needlepoint.core import audit_triggers
from needlepoint.core.audit import GENESIS_HASH, audit_record, audit_row_hash
from needlepoint.core.models import AuditAction, AuditEvent
from tests.support import factories
from tests.support.personas import sign_in

# Distinctive names, so finding them anywhere in a row can only mean PHI leaked into it.
PLANTED_FIRST = "Zephyrine"
PLANTED_LAST = "Quillfeather"
FROZEN_AT = datetime(2026, 3, 2, 17, 4, 5, tzinfo=UTC)


@pytest.fixture
def planted_patient(cast):
    return factories.PatientFactory(
        organization=cast.clinic, first_name=PLANTED_FIRST, last_name=PLANTED_LAST
    )


def _row_text(event: AuditEvent) -> str:
    """Every stored column of the row as one string (detail as stored JSON)."""
    values = AuditEvent.objects.filter(pk=event.pk).values().get()
    return " | ".join(f"{key}={value!r}" for key, value in values.items())


def _three_rows(cast) -> list[AuditEvent]:
    for action in (AuditAction.LOGIN, AuditAction.LIST, AuditAction.LOGOUT):
        audit_record(action=action, actor=cast.practitioner, organization=cast.clinic)
    return list(AuditEvent.objects.order_by("id"))


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def triggers_dropped():
    """Play the attacker with direct database access: triggers off for the tampering,
    back on before the verifier runs (and whatever happens)."""
    audit_triggers.drop(connection)
    try:
        yield
    finally:
        audit_triggers.install(connection)


def _verify() -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("audit_verify", stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def _verify_fails() -> str:
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=io.StringIO(), stderr=stderr)
    return stderr.getvalue()


# --- the row -------------------------------------------------------------------------


def test_it_records_who_what_where_and_when_in_utc(cast, planted_patient, time_machine):
    time_machine.move_to(FROZEN_AT, tick=False)
    url = reverse("patients:patient-detail", kwargs={"public_id": planted_patient.public_id})
    # The name sits in the query string; the row keeps the path only.
    request = RequestFactory().get(f"{url}?q={PLANTED_FIRST}", REMOTE_ADDR="198.51.100.23")
    request.user = cast.practitioner
    request.organization = cast.clinic

    event = audit_record(
        action=AuditAction.VIEW, request=request, obj=planted_patient, patient=planted_patient
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == cast.practitioner
    assert stored.actor_label == "prac"
    assert stored.organization == cast.clinic
    assert stored.action == "view"
    assert stored.object_type == "patients.patient"
    assert stored.object_id == str(planted_patient.public_id)
    assert stored.patient_ref == str(planted_patient.public_id)
    assert stored.ip_address == "198.51.100.23"
    assert stored.path == url
    assert stored.occurred_at == FROZEN_AT
    assert stored.occurred_at.utcoffset() == timedelta(0)


def test_it_keeps_phi_values_out_of_every_column(cast, planted_patient):
    url = reverse("patients:patient-detail", kwargs={"public_id": planted_patient.public_id})
    request = RequestFactory().get(f"{url}?q={PLANTED_LAST}", REMOTE_ADDR="198.51.100.23")
    request.user = cast.practitioner
    request.organization = cast.clinic

    event = audit_record(
        action=AuditAction.VIEW,
        request=request,
        obj=planted_patient,
        patient=planted_patient,
        detail={"count": 1},
    )

    text = _row_text(event).lower()
    assert PLANTED_FIRST.lower() not in text
    assert PLANTED_LAST.lower() not in text
    assert planted_patient.email.lower() not in text


def test_it_keeps_phi_out_of_the_row_a_real_page_view_writes(client, cast, planted_patient):
    sign_in(client, cast.practitioner)
    url = reverse("patients:patient-detail", kwargs={"public_id": planted_patient.public_id})

    response = client.get(url, {"q": PLANTED_FIRST})

    assert response.status_code == 200
    assert PLANTED_FIRST in response.content.decode()  # the page itself does show the name
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    text = _row_text(event).lower()
    assert PLANTED_FIRST.lower() not in text
    assert PLANTED_LAST.lower() not in text


# --- the chain -----------------------------------------------------------------------


def test_it_chains_each_row_to_the_one_before(cast):
    rows = _three_rows(cast)

    assert rows[0].prev_hash == GENESIS_HASH
    for previous, row in itertools.pairwise(rows):
        assert row.prev_hash == previous.row_hash
    assert len({row.row_hash for row in rows}) == len(rows)
    assert all(len(row.row_hash) == 64 for row in rows)


def test_it_hashes_the_row_content_with_the_previous_hash(cast):
    first, second, _ = _three_rows(cast)
    fields = {
        "occurred_at": second.occurred_at.astimezone(UTC).isoformat(),
        "organization_id": second.organization_id,
        "actor_id": second.actor_id,
        "actor_label": second.actor_label,
        "action": second.action,
        "object_type": second.object_type,
        "object_id": second.object_id,
        "patient_ref": second.patient_ref,
        "ip_address": second.ip_address,
        "path": second.path,
        "detail": second.detail,
    }

    assert second.row_hash == audit_row_hash(prev_hash=first.row_hash, fields=fields)
    assert second.row_hash != audit_row_hash(prev_hash=GENESIS_HASH, fields=fields)


# --- append-only at the database -----------------------------------------------------


def test_it_refuses_a_raw_sql_update(cast):
    row = _three_rows(cast)[1]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("UPDATE core_auditevent SET action = %s WHERE id = %s", ["export", row.pk])

    assert AuditEvent.objects.get(pk=row.pk).action == row.action


def test_it_refuses_a_raw_sql_update_of_the_hash_columns(cast):
    row = _three_rows(cast)[1]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("UPDATE core_auditevent SET row_hash = %s WHERE id = %s", ["f" * 64, row.pk])

    assert AuditEvent.objects.get(pk=row.pk).row_hash == row.row_hash


def test_it_refuses_a_raw_sql_delete(cast):
    rows = _three_rows(cast)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM core_auditevent WHERE id = %s", [rows[1].pk])

    assert list(AuditEvent.objects.order_by("id").values_list("pk", flat=True)) == [
        row.pk for row in rows
    ]


def test_it_refuses_a_raw_sql_delete_of_the_whole_table(cast):
    rows = _three_rows(cast)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM core_auditevent WHERE id > %s", [0])

    assert AuditEvent.objects.count() == len(rows)


def test_it_refuses_an_orm_update_and_delete(cast):
    row = _three_rows(cast)[0]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(actor_label="someone else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).delete()

    assert AuditEvent.objects.get(pk=row.pk).actor_label == "prac"


# --- the verifier --------------------------------------------------------------------


def test_it_verifies_an_intact_chain(cast):
    rows = _three_rows(cast)

    stdout, stderr = _verify()

    assert f"{len(rows)} rows verified" in stdout
    assert stderr == ""


@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "export"), ("detail", '{"reason": "nothing to see"}'), ("actor_label", "dir")],
)
def test_it_names_the_row_whose_content_was_changed(cast, triggers_dropped, column, value):
    rows = _three_rows(cast)
    changed = rows[1]
    _raw(f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, changed.pk])  # noqa: S608
    audit_triggers.install(connection)

    stderr = _verify_fails()

    assert f"audit row {changed.pk}: content changed" in stderr
    for other in (rows[0], rows[2]):
        assert f"audit row {other.pk}:" not in stderr


def test_it_names_the_row_after_a_deleted_one(cast, triggers_dropped):
    rows = _three_rows(cast)
    _raw("DELETE FROM core_auditevent WHERE id = %s", [rows[1].pk])
    audit_triggers.install(connection)

    stderr = _verify_fails()

    assert f"audit row {rows[2].pk}: does not follow the previous row" in stderr
    assert f"audit row {rows[0].pk}:" not in stderr


def test_it_notices_a_rewritten_row_even_with_its_hash_recomputed_alone(cast, triggers_dropped):
    """An attacker who changes a row and recomputes that row's own hash still breaks the
    link to the next row."""
    rows = _three_rows(cast)
    changed = rows[1]
    fields = {
        "occurred_at": changed.occurred_at.astimezone(UTC).isoformat(),
        "organization_id": changed.organization_id,
        "actor_id": changed.actor_id,
        "actor_label": changed.actor_label,
        "action": "export",
        "object_type": changed.object_type,
        "object_id": changed.object_id,
        "patient_ref": changed.patient_ref,
        "ip_address": changed.ip_address,
        "path": changed.path,
        "detail": changed.detail,
    }
    forged = audit_row_hash(prev_hash=changed.prev_hash, fields=fields)
    _raw(
        "UPDATE core_auditevent SET action = %s, row_hash = %s WHERE id = %s",
        ["export", forged, changed.pk],
    )
    audit_triggers.install(connection)

    stderr = _verify_fails()

    assert f"audit row {rows[2].pk}: does not follow the previous row" in stderr
    assert f"audit row {changed.pk}:" not in stderr


# --- pages write rows ----------------------------------------------------------------


def test_it_writes_exactly_one_view_row_for_a_patient_page(client, cast):
    sign_in(client, cast.practitioner)
    url = reverse("patients:patient-detail", kwargs={"public_id": cast.patient.public_id})

    response = client.get(url, REMOTE_ADDR="192.0.2.40")

    assert response.status_code == 200
    views = AuditEvent.objects.filter(action=AuditAction.VIEW)
    assert views.count() == 1
    event = views.get()
    assert event.patient_ref == str(cast.patient.public_id)
    assert event.object_id == str(cast.patient.public_id)
    assert event.actor == cast.practitioner
    assert event.organization == cast.clinic
    assert event.ip_address == "192.0.2.40"


def test_it_writes_a_list_row_for_the_patient_list(client, cast):
    sign_in(client, cast.practitioner)

    response = client.get(reverse("patients:patient-list"))

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.LIST)
    assert event.actor == cast.practitioner
    assert event.organization == cast.clinic
    assert event.patient_ref == ""
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_it_writes_a_denied_row_when_a_role_is_refused(client, cast):
    sign_in(client, cast.frontdesk)

    response = client.get(reverse("core:audit-log"), REMOTE_ADDR="192.0.2.41")

    assert response.status_code == 403
    event = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert event.actor == cast.frontdesk
    assert event.organization == cast.clinic
    assert event.path == reverse("core:audit-log")
    assert event.ip_address == "192.0.2.41"


def test_it_shows_the_owner_who_opened_a_record(client, cast):
    url = reverse("patients:patient-detail", kwargs={"public_id": cast.patient.public_id})
    sign_in(client, cast.practitioner)
    assert client.get(url).status_code == 200
    client.logout()

    sign_in(client, cast.owner)
    body = client.get(url).content.decode()

    assert "Access history" in body
    history = body.split("Access history", 1)[1]
    assert "<td>prac</td><td>Viewed</td>" in history
    assert "<td>own</td><td>Viewed</td>" in history


def test_it_hides_the_access_history_from_a_practitioner(client, cast):
    url = reverse("patients:patient-detail", kwargs={"public_id": cast.patient.public_id})
    sign_in(client, cast.owner)
    assert client.get(url).status_code == 200
    client.logout()

    sign_in(client, cast.practitioner)
    response = client.get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Access history" not in body
    assert "<td>own</td>" not in body
