"""E-consent: a clinic's versioned documents, signing, verifying, withdrawing the marketing
authorization, what a visit still needs, the signed PDF, and the patients' signed links.

A signature keeps the text the patient read (names filled in). Its SHA-256 covers that
text, the document's kind, version and title, the signer, the typed name, the drawn image,
the signing time and the expiry, so `consent_verify` shows the row is unchanged (SECURITY.md
C4); database triggers refuse any UPDATE or DELETE of it. Writes: check, validate, save,
audit, in one transaction (STYLE.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from string import Template
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.catalog.models import Service, ServiceKind
from needlepoint.core.audit import audit_record, client_address
from needlepoint.core.dates import add_months
from needlepoint.core.links import absolute as absolute_url
from needlepoint.core.links import link_public_id, link_token
from needlepoint.core.models import AuditAction, Organization
from needlepoint.intake.models import (
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    ConsentWithdrawal,
)
from needlepoint.patients.models import Patient
from needlepoint.scheduling.models import Appointment, AppointmentStatus

DOCUMENTS_FILE = Path(__file__).parent / "data" / "consent_documents.json"

MAX_SIGNATURE_BYTES = 512 * 1024
MAX_SIGNATURE_PIXELS = 4_000_000
# A signature needs at least this many dark pixels: a tap or a speck is not a signature.
MIN_INK_PIXELS = 40
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BLANK_SIGNATURE = "Please draw your signature in the box, with your finger, a stylus or the mouse."
NOT_A_SIGNATURE = "The signature did not arrive as an image. Please clear the box and sign again."

# Visits a patient may still sign for.
SIGNABLE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class ConsentError(Exception):
    """A signature or withdrawal that cannot be accepted; `field` names the form field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConsentNotConfigured(ConsentError):
    """The clinic has no published document for a consent a service requires."""


class ConsentStatus(models.TextChoices):
    VALID = "valid", "Valid"
    EXPIRED = "expired", "Expired"
    SUPERSEDED = "superseded", "Superseded by a newer version"
    WITHDRAWN = "withdrawn", "Withdrawn"


# --- Documents ---------------------------------------------------------------------------


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


# --- Validation --------------------------------------------------------------------------


def _name_words(value: str) -> list[str]:
    """Lower-case words without accents; apostrophes and dots dropped, hyphens split."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = re.sub(r"['’`.]", "", plain)
    return re.sub(r"[\W_]+", " ", plain).split()


def typed_name_clean(*, patient: Patient, typed_name: str) -> str:
    """The typed name with its spaces tidied, if it is the patient's first (or preferred)
    and last name; middle names may come between. Case and accents do not matter."""
    cleaned = " ".join(typed_name.split())
    if not cleaned:
        raise ConsentError("Please type your full name to sign.", field="typed_name")
    if len(cleaned) > 200:
        raise ConsentError(
            "That name is too long: please type your first and last name.", field="typed_name"
        )
    typed = _name_words(cleaned)
    last = _name_words(patient.last_name)
    for first in (_name_words(patient.first_name), _name_words(patient.preferred_name)):
        if (
            first
            and len(typed) >= len(first) + len(last)
            and typed[: len(first)] == first
            and typed[len(typed) - len(last) :] == last
        ):
            return cleaned
    if len(typed) == 1 and last:
        raise ConsentError(
            "Please type your first and last name, not just one of them.", field="typed_name"
        )
    raise ConsentError(
        "The name you typed does not match the name on this booking. Please type your first "
        "and last name as you gave them when you booked (capital letters and accents do not "
        "matter).",
        field="typed_name",
    )


def signature_png_clean(data: bytes) -> bytes:
    """Decode the drawn signature, refuse anything that is not a non-blank PNG of sensible
    size, and return it re-encoded (nothing but pixels kept)."""
    if not data:
        raise ConsentError(BLANK_SIGNATURE, field="signature")
    if len(data) > MAX_SIGNATURE_BYTES:
        raise ConsentError(
            "The signature image is too large. Please clear the box and sign again.",
            field="signature",
        )
    if not data.startswith(PNG_MAGIC):
        raise ConsentError(NOT_A_SIGNATURE, field="signature")
    try:
        with Image.open(BytesIO(data), formats=["PNG"]) as image:
            if image.width * image.height > MAX_SIGNATURE_PIXELS:
                raise ConsentError(
                    "The signature image is too large. Please clear the box and sign again.",
                    field="signature",
                )
            image.load()
            drawing = image.convert("RGBA")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ConsentError(NOT_A_SIGNATURE, field="signature") from exc
    on_white = Image.alpha_composite(Image.new("RGBA", drawing.size, "white"), drawing)
    dark_pixels = sum(on_white.convert("L").histogram()[:160])
    if dark_pixels < MIN_INK_PIXELS:
        raise ConsentError(BLANK_SIGNATURE, field="signature")
    out = BytesIO()
    drawing.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- Signing and verifying ---------------------------------------------------------------


def consent_zone(signature_or_appointment: ConsentSignature | Appointment) -> ZoneInfo:
    """The visit's location's zone, else the organization's."""
    if isinstance(signature_or_appointment, Appointment):
        return signature_or_appointment.location.zone
    appointment = signature_or_appointment.appointment
    if appointment is not None:
        return appointment.location.zone
    return ZoneInfo(signature_or_appointment.organization.default_timezone)


def consent_hash(signature: ConsentSignature) -> str:
    """SHA-256 over a canonical JSON of what was signed, by whom and when."""
    document = signature.document
    fields = {
        "document": str(document.public_id),
        "kind": document.kind,
        "version": document.version,
        "title": document.title,
        "text": signature.document_text,
        "patient": str(signature.patient.public_id),
        "typed_name": signature.typed_name,
        "signature_png_sha256": hashlib.sha256(bytes(signature.signature_png)).hexdigest(),
        "signed_at": signature.signed_at.astimezone(UTC).isoformat(),
        "expires_on": signature.expires_on.isoformat(),
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def consent_verify(signature: ConsentSignature) -> bool:
    """True when the stored hash recomputes equal from the stored row (SECURITY.md C4)."""
    return hmac.compare_digest(consent_hash(signature), signature.content_sha256)


def consent_sign(
    *,
    patient: Patient,
    document: ConsentDocument,
    typed_name: str,
    signature_png: bytes,
    appointment: Appointment | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> ConsentSignature:
    """Record the patient's signature on the latest version of a document and (unless
    `notify=False`: demo data, imports) email them a copy once it is committed."""
    if document.organization_id != patient.organization_id:
        raise ConsentError("This form belongs to another clinic.")
    if appointment is not None and appointment.patient_id != patient.pk:
        raise ConsentError("This visit is booked for someone else.")
    current = consent_documents_current(
        organization_id=patient.organization_id, kinds=[document.kind]
    ).get(document.kind)
    if document.published_at is None or current is None or current.pk != document.pk:
        raise ConsentError("This version of the form is not the current one: please reload it.")
    name = typed_name_clean(patient=patient, typed_name=typed_name)
    png = signature_png_clean(signature_png)
    signed_at = now or timezone.now()
    zone = (
        consent_zone(appointment)
        if appointment is not None
        else ZoneInfo(patient.organization.default_timezone)
    )
    signature = ConsentSignature(
        organization_id=patient.organization_id,
        patient=patient,
        document=document,
        appointment=appointment,
        document_text=consent_text(document=document, appointment=appointment),
        typed_name=name,
        signature_png=png,
        signed_at=signed_at,
        signed_ip=client_address(request),
        user_agent=(request.headers.get("User-Agent", "") if request is not None else "")[:300],
        expires_on=add_months(signed_at.astimezone(zone).date(), document.valid_months),
    )
    signature.content_sha256 = consent_hash(signature)
    with transaction.atomic():
        signature.save(force_insert=True)
        audit_record(
            action=AuditAction.CREATE,
            request=request,
            actor_label="patient (consent link)",
            organization=patient.organization,
            obj=signature,
            patient=patient,
            detail={"kind": document.kind, "version": document.version},
        )
        if notify:
            from needlepoint.intake.tasks import consent_copy_send

            transaction.on_commit(
                lambda: consent_copy_send.enqueue(signature_id=signature.pk), robust=True
            )
    return signature


def consent_withdraw(
    *,
    signature: ConsentSignature,
    by_patient: bool,
    staff: StaffProfile | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> ConsentWithdrawal:
    """Withdraw a marketing-photo authorization, at once (SECURITY.md I2): the patient's
    every marketing signature still in force is withdrawn with it, so a link from an older
    email ends a newer authorization too. Signature rows are left as they were; withdrawing
    twice returns the first withdrawal."""
    if signature.document.kind != ConsentKind.MARKETING_PHOTOS:
        raise ConsentError(
            "Only the marketing-photo authorization can be withdrawn here. To stop treatment "
            "or change a treatment consent, please talk to the clinic."
        )
    reason = reason.strip()[:1000]
    if not by_patient:
        if staff is None or staff.organization_id != signature.organization_id:
            raise ConsentError("A member of this clinic's staff must record the withdrawal.")
        if not reason:
            raise ConsentError(
                "Please give a reason, for example how the patient asked (in person, by phone).",
                field="reason",
            )
    with transaction.atomic():
        in_force = list(
            ConsentSignature.objects.select_for_update(of=("self",))
            .filter(
                patient_id=signature.patient_id,
                document__kind=ConsentKind.MARKETING_PHOTOS,
                withdrawal__isnull=True,
            )
            .defer("signature_png", "document_text")
            .order_by("pk")
        )
        existing = ConsentWithdrawal.objects.filter(signature=signature).first()
        now = timezone.now()
        for row in in_force:
            made = ConsentWithdrawal.objects.create(
                organization_id=row.organization_id,
                signature=row,
                withdrawn_at=now,
                by_patient=by_patient,
                staff=None if by_patient else staff,
                reason=reason,
            )
            audit_record(
                action=AuditAction.CREATE,
                request=request,
                actor_label="patient (withdrawal link)" if by_patient else "",
                organization=signature.organization,
                obj=made,
                patient=signature.patient,
                detail={"kind": ConsentKind.MARKETING_PHOTOS.value, "by_patient": by_patient},
            )
            if row.pk == signature.pk:
                existing = made
    assert existing is not None  # noqa: S101 - the signature was in force or withdrawn before
    return existing


# --- Selectors ---------------------------------------------------------------------------


def consent_signature_status(
    signature: ConsentSignature, *, current_ids: set[int], on: date
) -> ConsentStatus:
    """Withdrawn, else superseded (a newer version exists), else expired on `on`, else valid."""
    if signature_withdrawal(signature) is not None:
        return ConsentStatus.WITHDRAWN
    if signature.document_id not in current_ids:
        return ConsentStatus.SUPERSEDED
    if signature.expires_on <= on:
        return ConsentStatus.EXPIRED
    return ConsentStatus.VALID


def signature_withdrawal(signature: ConsentSignature) -> ConsentWithdrawal | None:
    try:
        return signature.withdrawal
    except ConsentWithdrawal.DoesNotExist:
        return None


def consent_missing(*, patient: Patient, service: Service, on: date) -> list[ConsentDocument]:
    """The documents the patient must still sign before `service` on day `on`: the latest
    published version of each required kind without a signature that counts on `on` (for
    that version, not expired, not withdrawn). Raises ConsentNotConfigured when the clinic
    has no published document of a required kind, so a check-in fails closed."""
    kinds = consents_required(service=service)
    if not kinds:
        return []
    current = consent_documents_current(organization_id=patient.organization_id, kinds=kinds)
    unpublished = [kind for kind in kinds if kind not in current]
    if unpublished:
        labels = ", ".join(ConsentKind(kind).label for kind in unpublished)
        raise ConsentNotConfigured(
            f"The clinic has no published consent form for: {labels}. "
            "The medical director needs to publish one."
        )
    # A record merged into this one keeps its signatures (they never change, C4); they
    # still count for the person.
    signers = [
        patient.pk,
        *Patient.objects.filter(merged_into=patient).values_list("pk", flat=True),
    ]
    signed = set(
        ConsentSignature.objects.filter(
            patient_id__in=signers,
            document__in=[current[kind] for kind in kinds],
            expires_on__gt=on,
            withdrawal__isnull=True,
        ).values_list("document_id", flat=True)
    )
    return [current[kind] for kind in kinds if current[kind].pk not in signed]


def marketing_photos_authorized(*, patient: Patient, on: date) -> bool:
    """Whether the patient's photos may be used for marketing on `on`: a signature on the
    latest marketing document, not expired and not withdrawn. A withdrawal counts from the
    moment it is recorded (SECURITY.md I2)."""
    current = consent_documents_current(
        organization_id=patient.organization_id, kinds=[ConsentKind.MARKETING_PHOTOS]
    ).get(ConsentKind.MARKETING_PHOTOS)
    if current is None:
        return False
    return ConsentSignature.objects.filter(
        patient=patient, document=current, expires_on__gt=on, withdrawal__isnull=True
    ).exists()


@dataclass(frozen=True)
class ConsentItem:
    """One document a visit asks for: the signature that counts on the visit's day, or
    else the status of the patient's latest earlier signature (None: never signed)."""

    document: ConsentDocument
    required: bool
    signature: ConsentSignature | None
    status: ConsentStatus | None


def consent_overview(*, appointment: Appointment) -> list[ConsentItem]:
    """The visit's required documents, then the optional marketing authorization (when
    the clinic has published one), each with where the patient stands."""
    on = appointment.starts_at.astimezone(consent_zone(appointment)).date()
    required = consents_required(service=appointment.service)
    current = consent_documents_current(
        organization_id=appointment.organization_id,
        kinds=[*required, ConsentKind.MARKETING_PHOTOS],
    )
    unpublished = [kind for kind in required if kind not in current]
    if unpublished:
        labels = ", ".join(ConsentKind(kind).label for kind in unpublished)
        raise ConsentNotConfigured(f"The clinic has no published consent form for: {labels}.")
    kinds = [kind for kind in ConsentKind if kind in current]
    current_ids = {document.pk for document in current.values()}
    signatures = (
        ConsentSignature.objects.filter(patient=appointment.patient, document__kind__in=kinds)
        .select_related("document", "withdrawal")
        .defer("signature_png", "document_text")
        .order_by("-signed_at", "-pk")
    )
    counting: dict[str, ConsentSignature] = {}
    latest: dict[str, ConsentSignature] = {}
    for signature in signatures:
        kind = signature.document.kind
        latest.setdefault(kind, signature)
        if (
            consent_signature_status(signature, current_ids=current_ids, on=on)
            == ConsentStatus.VALID
        ):
            counting.setdefault(kind, signature)
    items = []
    for kind in kinds:
        counts, earlier = counting.get(kind), latest.get(kind)
        standing: ConsentStatus | None = None
        if counts is not None:
            standing = ConsentStatus.VALID
        elif earlier is not None:
            standing = consent_signature_status(earlier, current_ids=current_ids, on=on)
        items.append(ConsentItem(current[kind], kind in required, counts, standing))
    return items


@dataclass(frozen=True)
class SignatureRow:
    signature: ConsentSignature
    status: ConsentStatus
    verified: bool


def consent_signatures_for_patient(*, patient: Patient, on: date) -> list[SignatureRow]:
    """Every signature of the patient, newest first, with its status on `on` and whether
    its hash recomputes equal."""
    current_ids = {
        document.pk
        for document in consent_documents_current(organization_id=patient.organization_id).values()
    }
    signatures = (
        ConsentSignature.objects.filter(patient=patient)
        .select_related("document", "appointment__service", "withdrawal__staff__user")
        .order_by("-signed_at", "-pk")
    )
    rows = []
    for signature in signatures:
        signature.patient = patient
        rows.append(
            SignatureRow(
                signature,
                consent_signature_status(signature, current_ids=current_ids, on=on),
                consent_verify(signature),
            )
        )
    return rows


def consent_upcoming_visits(
    *, patient: Patient, now: datetime, limit: int = 5
) -> list[tuple[Appointment, list[ConsentDocument]]]:
    """The patient's next booked visits, each with the documents still to sign."""
    visits = (
        Appointment.objects.filter(
            patient=patient, status__in=SIGNABLE_STATUSES, starts_at__gte=now
        )
        .select_related("service", "location")
        .order_by("starts_at")[:limit]
    )
    result = []
    for visit in visits:
        on = visit.starts_at.astimezone(visit.location.zone).date()
        result.append((visit, consent_missing(patient=patient, service=visit.service, on=on)))
    return result


# --- PDF ---------------------------------------------------------------------------------

# A Unicode font when the system has one (Debian: fonts-dejavu-core); otherwise the PDF
# core font, which knows Latin-1 only, and text outside it is approximated.
PDF_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_PDF_LATIN1_SWAPS = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "•": "-", "…": "..."}
)


class _ConsentPdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="Letter")
        regular, bold = PDF_FONT_DIR / "DejaVuSans.ttf", PDF_FONT_DIR / "DejaVuSans-Bold.ttf"
        self.unicode = regular.exists() and bold.exists()
        if self.unicode:
            self.add_font("DejaVu", "", str(regular))
            self.add_font("DejaVu", "B", str(bold))
        self.family = "DejaVu" if self.unicode else "Helvetica"
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def text_for_font(self, value: str) -> str:
        if self.unicode:
            return value
        value = value.translate(_PDF_LATIN1_SWAPS)
        if value.isascii():
            return value
        decomposed = unicodedata.normalize("NFKD", value)
        value = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return value.encode("latin-1", "replace").decode("latin-1")

    def write_block(self, text: str, *, size: float = 10, bold: bool = False, indent: float = 0):
        self.set_font(self.family, "B" if bold else "", size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            0, size * 0.5, self.text_for_font(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 5, f"Page {self.page_no()}", align="C")


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day:%Y}"


def consent_pdf(signature: ConsentSignature) -> bytes:
    """The signed document as a PDF: text, version, patient, typed name, drawn signature,
    signing time in the clinic's zone and the hash (with the check made on export)."""
    document, patient = signature.document, signature.patient
    zone = consent_zone(signature)
    signed_local = signature.signed_at.astimezone(zone)
    pdf = _ConsentPdf()
    pdf.set_title(f"{document.title} (version {document.version})")
    pdf.set_creator("Needlepoint")
    pdf.add_page()
    pdf.write_block(signature.organization.name, size=9)
    pdf.write_block(document.title, size=15, bold=True)
    pdf.write_block(f"Version {document.version} · {document.get_kind_display()}", size=9)
    pdf.ln(3)
    for block in consent_blocks(signature.document_text):
        if block.kind == "heading":
            pdf.ln(2)
            pdf.write_block(block.text, size=11, bold=True)
        elif block.kind == "list":
            for item in block.items:
                pdf.write_block(f"• {item}", indent=4)
        else:
            pdf.write_block(block.text)
        pdf.ln(1)
    pdf.ln(4)
    pdf.write_block("Signature", size=12, bold=True)
    facts = [
        ("Patient", f"{patient.full_name} ({patient.record_number})"),
        ("Typed name", signature.typed_name),
        ("Signed", f"{_long_date(signed_local)}, {signed_local:%H:%M %Z} ({zone.key})"),
        ("Valid through", _long_date(signature.valid_through)),
    ]
    if signature.appointment is not None:
        visit = signature.appointment.starts_at.astimezone(zone)
        facts.append(("Visit", f"{signature.appointment.service.name}, {visit:%Y-%m-%d %H:%M}"))
    facts.append(("From address", signature.signed_ip or "not recorded"))
    withdrawal = signature_withdrawal(signature)
    if withdrawal is not None:
        who = "by the patient" if withdrawal.by_patient else "by staff on the patient's request"
        when = withdrawal.withdrawn_at.astimezone(zone)
        facts.append(("Withdrawn", f"{when:%Y-%m-%d %H:%M %Z}, {who}"))
    for label, value in facts:
        pdf.write_block(f"{label}: {value}")
    pdf.ln(2)
    png = bytes(signature.signature_png)
    with Image.open(BytesIO(png)) as image:
        width_px, height_px = image.size
    width = min(80.0, 35.0 * width_px / height_px)
    pdf.image(BytesIO(png), x=pdf.l_margin, w=width, h=width * height_px / width_px)
    pdf.ln(3)
    pdf.write_block(f"SHA-256: {signature.content_sha256}", size=8)
    check = (
        "recomputes equal: unchanged since signing"
        if consent_verify(signature)
        else "DOES NOT MATCH: this record has been altered"
    )
    pdf.write_block(f"Integrity check on export: the stored hash {check}.", size=8)
    return bytes(pdf.output())


# --- Signed links ------------------------------------------------------------------------
# Tokens carry a public id only, never a name or a date of birth (SECURITY.md D6).

CONSENT_SALT = "needlepoint.consent-sign"
# A patient may withdraw at any time: the link never expires (core/links.py).
WITHDRAW_SALT = "needlepoint.marketing-withdraw"


def _absolute(path: str, absolute: bool) -> str:
    return absolute_url(path) if absolute else path


def consent_token(appointment: Appointment) -> str:
    return link_token(appointment.public_id, salt=CONSENT_SALT)


def appointment_from_consent_token(token: str) -> Appointment | None:
    """The visit a signing link points to, or None if the link is forged."""
    public_id = link_public_id(token, salt=CONSENT_SALT)
    if public_id is None:
        return None
    return (
        Appointment.objects.select_related(
            "location", "service", "patient", "organization", "practitioner__user"
        )
        .filter(public_id=public_id)
        .first()
    )


def consent_sign_url(appointment: Appointment, *, absolute: bool = True) -> str:
    """The patient's link to read and sign the visit's consents (no account needed)."""
    path = reverse("site:consent-overview", kwargs={"token": consent_token(appointment)})
    return _absolute(path, absolute)


def marketing_withdraw_token(signature: ConsentSignature) -> str:
    return link_token(signature.public_id, salt=WITHDRAW_SALT)


def signature_from_withdraw_token(token: str) -> ConsentSignature | None:
    """The marketing authorization a withdrawal link points to, or None."""
    public_id = link_public_id(token, salt=WITHDRAW_SALT)
    if public_id is None:
        return None
    return (
        ConsentSignature.objects.select_related(
            "document", "patient", "organization", "appointment__location", "withdrawal"
        )
        .defer("signature_png", "document_text")
        .filter(public_id=public_id, document__kind=ConsentKind.MARKETING_PHOTOS)
        .first()
    )


def marketing_withdraw_url(signature: ConsentSignature, *, absolute: bool = True) -> str:
    """The patient's link to withdraw a marketing-photo authorization at any time."""
    path = reverse("site:marketing-withdraw", kwargs={"token": marketing_withdraw_token(signature)})
    return _absolute(path, absolute)
