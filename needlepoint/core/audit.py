"""The tamper-evident audit log: writing rows, hashing them, verifying the chain.

Writers are serialized so that every row can carry the previous row's hash: PostgreSQL
takes a transaction-level advisory lock, SQLite already holds its single write lock
(IMMEDIATE transactions, see settings). The lock lasts until the surrounding transaction
commits, so a request's audit row and the change it describes land together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from needlepoint.core.actor import Actor, actor_from_request
from needlepoint.core.models import AuditAction, AuditEvent, Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the audit chain's advisory lock on PostgreSQL.
_AUDIT_LOCK_KEY = 0x4E50_4155_4449_54


def audit_row_hash(*, prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and a canonical JSON of the row's own fields."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "organization_id": event.organization_id,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "patient_ref": event.patient_ref,
        "ip_address": event.ip_address,
        "path": event.path,
        "detail": event.detail,
    }


def audit_record(
    *,
    action: AuditAction | str,
    by: Actor | None = None,
    request: HttpRequest | None = None,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    actor_label: str = "",
    organization: Organization | None = None,
    obj: Any = None,
    patient: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. Who acted comes from `by` (a service's actor) or, at the edge,
    from `request`; `actor`, `actor_label` and `organization` override it. `obj` and `patient`
    contribute ids only, never their values."""
    if by is None and request is not None:
        by = actor_from_request(request)  # fresh: a login changes the user mid-request
    if actor is None and by is not None:
        actor = by.user
    user = actor if actor is not None and actor.is_authenticated else None
    if organization is None and by is not None:
        organization = by.organization
    event = AuditEvent(
        occurred_at=timezone.now(),
        organization=organization,
        actor=user,  # type: ignore[misc]
        actor_label=actor_label
        or (user.get_username() if user is not None else (by.label if by is not None else "")),
        action=str(action),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "public_id", getattr(obj, "pk", ""))) if obj else "",
        patient_ref=str(patient.public_id) if patient is not None else "",
        ip_address=by.address if by is not None else None,
        path=by.path if by is not None else "",
        detail=detail or {},
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
        event.prev_hash = last or GENESIS_HASH
        event.row_hash = audit_row_hash(prev_hash=event.prev_hash, fields=_hashed_fields(event))
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class AuditProblem:
    event_id: int
    reason: str


def audit_verify(*, chunk_size: int = 2000) -> Iterator[AuditProblem]:
    """Recompute the chain from the first row; yield every row that does not match."""
    expected_prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        if event.prev_hash != expected_prev:
            yield AuditProblem(event.id, "does not follow the previous row (row removed or moved)")
        recomputed = audit_row_hash(prev_hash=event.prev_hash, fields=_hashed_fields(event))
        if recomputed != event.row_hash:
            yield AuditProblem(event.id, "content changed after it was written")
        expected_prev = event.row_hash


def audit_events_for_patient(*, organization: Organization, patient_ref: str, limit: int = 50):
    return (
        AuditEvent.objects.filter(organization=organization, patient_ref=patient_ref)
        .select_related("actor")
        .order_by("-id")[:limit]
    )


def as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)
