"""A clinic's versioned consent documents: the shipped ones and seeding them, the current
version of each kind, which kinds a service requires, and the text as the patient reads it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.catalog.models import Service, ServiceKind
from needlepoint.core.models import Organization
from needlepoint.intake.models import ConsentDocument, ConsentKind
from needlepoint.scheduling.models import Appointment

DOCUMENTS_FILE = Path(__file__).parent.parent / "data" / "consent_documents.json"


@cache
def default_consent_documents() -> list[dict[str, Any]]:
    """Version 1 of the shipped documents (data/consent_documents.json)."""
    return json.loads(DOCUMENTS_FILE.read_text(encoding="utf-8"))["documents"]


@transaction.atomic
def intake_seed_consents(*, organization: Organization) -> int:
    """Give an organization the shipped documents, published now; returns how many were
    added. A version it already has is never overwritten."""
    now = timezone.now()
    added = 0
    for data in default_consent_documents():
        _, created = ConsentDocument.objects.get_or_create(
            organization=organization,
            kind=data["kind"],
            version=data["version"],
            defaults={
                "title": data["title"],
                "body": "\n".join(data["body"]),
                "valid_months": data["valid_months"],
                "source_ids": data["source_ids"],
                "published_at": now,
            },
        )
        added += created
    return added


def consent_documents_current(
    *, organization_id: int, kinds: Iterable[str] | None = None
) -> dict[str, ConsentDocument]:
    """The latest published version of each kind, by kind."""
    documents = ConsentDocument.objects.filter(
        organization_id=organization_id, published_at__isnull=False
    )
    if kinds is not None:
        documents = documents.filter(kind__in=list(kinds))
    latest: dict[str, ConsentDocument] = {}
    for document in documents.order_by("kind", "-version"):
        latest.setdefault(document.kind, document)
    return latest


def consents_required(*, service: Service) -> list[ConsentKind]:
    """Treatments need micro-needling and medical-photo consent, plus PRP when the service
    uses PRP (an add-on with PRP needs the PRP one); consultations need none. The marketing
    authorization is never required."""
    if service.kind == ServiceKind.CONSULTATION:
        return []
    wanted = set()
    if service.kind == ServiceKind.TREATMENT:
        wanted |= {ConsentKind.MICRO_NEEDLING, ConsentKind.MEDICAL_PHOTOS}
    if service.uses_prp:
        wanted.add(ConsentKind.PRP)
    return [kind for kind in ConsentKind if kind in wanted]


@dataclass(frozen=True)
class ConsentBlock:
    """A piece of a document's text: a heading, a paragraph or a list of items."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()


def consent_blocks(text: str) -> list[ConsentBlock]:
    """Split a document's text into headings ('## '), lists ('- ') and paragraphs."""
    blocks: list[ConsentBlock] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            blocks.append(ConsentBlock("heading", line[3:].strip()))
        elif line.startswith("- "):
            item = line[2:].strip()
            if blocks and blocks[-1].kind == "list":
                blocks[-1] = ConsentBlock("list", items=(*blocks[-1].items, item))
            else:
                blocks.append(ConsentBlock("list", items=(item,)))
        else:
            blocks.append(ConsentBlock("paragraph", line))
    return blocks


def _medical_director_label(organization_id: int) -> str:
    director = (
        StaffProfile.objects.filter(
            organization_id=organization_id,
            role=Role.MEDICAL_DIRECTOR,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if director is None:
        return "our medical director"
    return f"our medical director, {director.display_name}"


def consent_text(*, document: ConsentDocument, appointment: Appointment | None = None) -> str:
    """The document's text as the patient reads it, with the clinic, the practitioner
    (when the visit has one) and the medical director named."""
    practitioner = appointment.practitioner if appointment is not None else None
    return Template(document.body).safe_substitute(
        clinic=document.organization.name,
        practitioner=practitioner.display_name if practitioner else "your practitioner",
        medical_director=_medical_director_label(document.organization_id),
        valid_months=str(document.valid_months),
    )


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
