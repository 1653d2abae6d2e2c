"""E-consent: versioned documents, signatures that never change and prove it
(docs/security-targets.md C4), expiry and re-consent, the marketing-photo authorization and its
withdrawal (I2), the signed PDF, and the patient and staff pages with their access rules and audit
rows."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from needlepoint.catalog.models import Service, ServiceKind
from needlepoint.core.dates import add_months
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.intake import consents
from needlepoint.intake.consents import (
    BLANK_SIGNATURE,
    NOT_A_SIGNATURE,
    ConsentError,
    ConsentNotConfigured,
    ConsentStatus,
    appointment_from_consent_token,
    consent_hash,
    consent_missing,
    consent_overview,
    consent_pdf,
    consent_sign,
    consent_sign_url,
    consent_signatures_for_patient,
    consent_text,
    consent_token,
    consent_verify,
    consent_withdraw,
    consents_required,
    intake_seed_consents,
    marketing_photos_authorized,
    marketing_withdraw_token,
    marketing_withdraw_url,
    signature_from_withdraw_token,
    text_digest,
)
from needlepoint.intake.models import (
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    ConsentWithdrawal,
)
from needlepoint.intake.models.consent import drop_consent_triggers, install_consent_triggers
from needlepoint.scheduling.links import manage_token
from needlepoint.scheduling.models import AppointmentStatus
from needlepoint.scheduling.selectors import availability_get
from needlepoint.scheduling.services import appointment_book
from tests.support import factories
from tests.support.images import drawn_png
from tests.support.personas import sign_in
from tests.support.scheduling_world import make_world

pytestmark = pytest.mark.django_db

SIGNED_AT = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)  # 10:30 in Denver


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


@pytest.fixture
def world(cast):
    world = make_world(clinic=cast.clinic)
    world.prp.requires_prior_consultation = False
    world.prp.save()
    intake_seed_consents(organization=cast.clinic)
    return world


def book(world, patient, service=None, *, days_ahead: int = 8):
    day = timezone.localdate() + timedelta(days=days_ahead)
    service = service or world.face
    offer = availability_get(
        location=world.location,
        service=service,
        first_day=day,
        last_day=day + timedelta(days=6),
        now=timezone.now(),
    )[0]
    return appointment_book(
        location=world.location,
        service=service,
        start=offer.start,
        patient=patient,
        source="phone",
        notify=False,
    )


def current(cast, kind: str) -> ConsentDocument:
    return (
        ConsentDocument.objects.filter(organization=cast.clinic, kind=kind)
        .order_by("-version")
        .first()
    )


def sign(cast, kind: str, *, patient=None, now=SIGNED_AT, appointment=None) -> ConsentSignature:
    patient = patient or cast.patient
    return consent_sign(
        patient=patient,
        document=current(cast, kind),
        typed_name=patient.full_name,
        signature_png=drawn_png(),
        appointment=appointment,
        now=now,
    )


def publish_v2(cast, kind: str) -> ConsentDocument:
    first = current(cast, kind)
    return ConsentDocument.objects.create(
        organization=cast.clinic,
        kind=kind,
        version=first.version + 1,
        title=first.title,
        body=first.body + "\nA clearer sentence.",
        source_ids=first.source_ids,
        published_at=timezone.now(),
    )


# --- Documents and what a service needs -------------------------------------------------


def test_seeding_adds_the_four_documents_once_and_never_overwrites(cast):
    ConsentDocument.objects.create(
        organization=cast.clinic,
        kind=ConsentKind.PRP,
        version=1,
        title="Our own PRP form",
        body="Clinic text.",
        source_ids="S37",
        published_at=timezone.now(),
    )
    assert intake_seed_consents(organization=cast.clinic) == 3
    assert intake_seed_consents(organization=cast.clinic) == 0
    assert current(cast, ConsentKind.PRP).title == "Our own PRP form"
    kinds = set(
        ConsentDocument.objects.filter(organization=cast.clinic).values_list("kind", flat=True)
    )
    assert kinds == set(ConsentKind.values)
    for document in ConsentDocument.objects.filter(organization=cast.clinic):
        assert document.published_at is not None and document.valid_months == 12
        assert document.source_ids


def test_the_shipped_micro_needling_text_covers_domain_section_9(cast, world):
    document = current(cast, ConsentKind.MICRO_NEEDLING)
    text = consent_text(document=document)
    for phrase in ("laser", "No treatment", "sunburn", "Infection", "cold-sore", "off-label",
                   "numbing", "marketing", "Sandia Test Clinic", "your practitioner"):  # fmt: skip
        assert phrase in text, phrase
    assert "${" not in text
    assert "our medical director, " in text  # named from the clinic's staff


def test_consents_required_follow_the_service_type(world):
    face, prp, consultation = world.face, world.prp, world.consultation
    assert consents_required(service=face) == [
        ConsentKind.MICRO_NEEDLING,
        ConsentKind.MEDICAL_PHOTOS,
    ]
    assert consents_required(service=prp) == [
        ConsentKind.MICRO_NEEDLING,
        ConsentKind.PRP,
        ConsentKind.MEDICAL_PHOTOS,
    ]
    assert consents_required(service=consultation) == []
    add_on = Service(kind=ServiceKind.ADD_ON, uses_prp=False)
    assert consents_required(service=add_on) == []
    add_on.uses_prp = True
    assert consents_required(service=add_on) == [ConsentKind.PRP]


def test_missing_documents_go_away_as_the_patient_signs(cast, world):
    on = date(2026, 3, 20)
    missing = consent_missing(patient=cast.patient, service=world.face, on=on)
    assert [d.kind for d in missing] == [ConsentKind.MICRO_NEEDLING, ConsentKind.MEDICAL_PHOTOS]
    sign(cast, ConsentKind.MICRO_NEEDLING)
    assert [d.kind for d in consent_missing(patient=cast.patient, service=world.face, on=on)] == [
        ConsentKind.MEDICAL_PHOTOS
    ]
    sign(cast, ConsentKind.MEDICAL_PHOTOS)
    assert consent_missing(patient=cast.patient, service=world.face, on=on) == []
    # Someone else's signatures do not count for this patient.
    assert len(consent_missing(patient=cast.other_patient, service=world.face, on=on)) == 2
    assert consent_missing(patient=cast.patient, service=world.consultation, on=on) == []


def test_a_new_service_type_asks_for_the_prp_document(cast, world):
    sign(cast, ConsentKind.MICRO_NEEDLING)
    sign(cast, ConsentKind.MEDICAL_PHOTOS)
    on = date(2026, 4, 1)
    assert consent_missing(patient=cast.patient, service=world.face, on=on) == []
    assert consent_missing(patient=cast.patient, service=world.prp, on=on) == [
        current(cast, ConsentKind.PRP)
    ]


def test_consent_expires_after_the_documents_months(cast, world):
    signature = sign(cast, ConsentKind.MICRO_NEEDLING)
    sign(cast, ConsentKind.MEDICAL_PHOTOS)
    assert signature.expires_on == date(2027, 3, 10)
    assert signature.valid_through == date(2027, 3, 9)
    assert consent_missing(patient=cast.patient, service=world.face, on=date(2027, 3, 9)) == []
    missing = consent_missing(patient=cast.patient, service=world.face, on=date(2027, 3, 10))
    assert {d.kind for d in missing} == {ConsentKind.MICRO_NEEDLING, ConsentKind.MEDICAL_PHOTOS}


def test_expiry_is_per_document_and_counted_in_the_clinics_zone(cast, world):
    document = ConsentDocument.objects.create(
        organization=cast.clinic,
        kind=ConsentKind.PRP,
        version=2,
        title="PRP",
        body="Short.",
        valid_months=6,
        source_ids="S37",
        published_at=timezone.now(),
    )
    # 03:00 UTC on September 1 is still August 31 in Denver.
    late = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
    signature = consent_sign(
        patient=cast.patient,
        document=document,
        typed_name="Paloma Quintana",
        signature_png=drawn_png(),
        now=late,
    )
    assert signature.expires_on == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


def test_a_new_version_supersedes_earlier_signatures(cast, world):
    old = sign(cast, ConsentKind.MICRO_NEEDLING)
    sign(cast, ConsentKind.MEDICAL_PHOTOS)
    newer = publish_v2(cast, ConsentKind.MICRO_NEEDLING)
    assert consent_missing(patient=cast.patient, service=world.face, on=date(2026, 4, 1)) == [newer]
    rows = consent_signatures_for_patient(patient=cast.patient, on=date(2026, 4, 1))
    assert {row.signature.pk: row.status for row in rows}[old.pk] == ConsentStatus.SUPERSEDED
    with pytest.raises(ConsentError, match="not the current one"):
        consent_sign(
            patient=cast.patient,
            document=old.document,
            typed_name="Paloma Quintana",
            signature_png=drawn_png(),
        )


def test_a_clinic_without_published_documents_fails_closed(cast, world):
    other = factories.OrganizationFactory()
    patient = factories.PatientFactory(organization=other)
    service = Service(organization=other, kind=ServiceKind.TREATMENT, uses_prp=False)
    with pytest.raises(ConsentNotConfigured, match="no published consent form"):
        consent_missing(patient=patient, service=service, on=date(2026, 4, 1))


# --- Signing: validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["Paloma Quintana", "  paloma   QUINTANA ", "Palóma Quintána", "Paloma María Quintana"],
)
def test_the_typed_name_may_differ_in_case_accents_spaces_and_middle_names(cast, world, typed):
    signature = consent_sign(
        patient=cast.patient,
        document=current(cast, ConsentKind.MICRO_NEEDLING),
        typed_name=typed,
        signature_png=drawn_png(),
    )
    assert signature.typed_name == " ".join(typed.split())


def test_a_preferred_first_name_is_accepted(cast, world):
    cast.patient.preferred_name = "Lola"
    cast.patient.save()
    assert sign_as(cast, "Lola Quintana").typed_name == "Lola Quintana"


def sign_as(cast, typed: str, png: bytes | None = None) -> ConsentSignature:
    return consent_sign(
        patient=cast.patient,
        document=current(cast, ConsentKind.MICRO_NEEDLING),
        typed_name=typed,
        signature_png=drawn_png() if png is None else png,
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Ramona Begay", "does not match the name on this booking"),
        ("Paloma Begay", "does not match the name on this booking"),
        ("Paloma", "not just one of them"),
        ("   ", "Please type your full name"),
        ("x" * 201, "too long"),
    ],
)
def test_a_mismatched_typed_name_is_refused_with_a_clear_message(cast, world, typed, message):
    with pytest.raises(ConsentError, match=message) as refused:
        sign_as(cast, typed)
    assert refused.value.field == "typed_name"
    assert not ConsentSignature.objects.exists()


def _jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (300, 100), "black").save(out, format="JPEG")
    return out.getvalue()


def _opaque_white_png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (600, 200), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("png", "message"),
    [
        (b"", BLANK_SIGNATURE),
        (drawn_png(ink=False), BLANK_SIGNATURE),
        (_opaque_white_png(), BLANK_SIGNATURE),
        (_jpeg(), NOT_A_SIGNATURE),
        (b"<svg onload=alert(1)>", NOT_A_SIGNATURE),
        (drawn_png()[:60], NOT_A_SIGNATURE),
        (drawn_png(size=(2500, 2000)), "too large"),
    ],
    ids=["empty", "transparent", "white", "jpeg", "svg", "truncated", "too-many-pixels"],
)
def test_a_blank_or_non_png_signature_is_refused(cast, world, png, message):
    with pytest.raises(ConsentError, match=message) as refused:
        sign_as(cast, "Paloma Quintana", png)
    assert refused.value.field == "signature"
    assert not ConsentSignature.objects.exists()


def test_the_stored_signature_is_re_encoded_png(cast, world):
    signature = sign_as(cast, "Paloma Quintana")
    stored = ConsentSignature.objects.get(pk=signature.pk)
    with Image.open(BytesIO(bytes(stored.signature_png))) as image:
        assert image.format == "PNG" and image.size == (600, 200)


def test_signing_refuses_another_clinics_document_or_someone_elses_visit(cast, world):
    intake_seed_consents(organization=cast.outsider_clinic)
    foreign = ConsentDocument.objects.get(
        organization=cast.outsider_clinic, kind=ConsentKind.MICRO_NEEDLING
    )
    with pytest.raises(ConsentError, match="another clinic"):
        consent_sign(
            patient=cast.patient,
            document=foreign,
            typed_name="Paloma Quintana",
            signature_png=drawn_png(),
        )
    visit = book(world, cast.other_patient)
    with pytest.raises(ConsentError, match="someone else"):
        sign(cast, ConsentKind.MICRO_NEEDLING, appointment=visit)


# --- Integrity (C4) ---------------------------------------------------------------------


def test_the_stored_hash_recomputes_equal(cast, world):
    visit = book(world, cast.patient)
    signature = sign(cast, ConsentKind.MICRO_NEEDLING, appointment=visit)
    stored = ConsentSignature.objects.get(pk=signature.pk)
    assert len(stored.content_sha256) == 64
    assert consent_hash(stored) == stored.content_sha256
    assert consent_verify(stored)
    assert stored.document_text == consent_text(document=stored.document, appointment=visit)
    assert visit.practitioner.display_name in stored.document_text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("typed_name", "Paloma Quintanilla"),
        ("document_text", "Something the patient never read."),
        ("signed_at", SIGNED_AT + timedelta(seconds=1)),
        ("expires_on", date(2030, 1, 1)),
        ("signature_png", drawn_png(size=(601, 200))),
    ],
)
def test_any_change_to_what_was_signed_is_detected(cast, world, field, value):
    signature = ConsentSignature.objects.get(pk=sign(cast, ConsentKind.MICRO_NEEDLING).pk)
    setattr(signature, field, value)
    assert not consent_verify(signature)


def test_a_row_altered_behind_the_triggers_back_fails_verification(cast, world):
    signature = sign(cast, ConsentKind.MICRO_NEEDLING)
    drop_consent_triggers(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE intake_consentsignature SET typed_name = %s WHERE id = %s",
                ["Someone Else", signature.pk],
            )
    finally:
        install_consent_triggers(connection)
    assert not consent_verify(ConsentSignature.objects.get(pk=signature.pk))


def _refused(sql: str, params: list) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_update_and_delete_of_signatures_and_withdrawals(cast, world):
    signature = sign(cast, ConsentKind.MARKETING_PHOTOS)
    withdrawal = consent_withdraw(signature=signature, by_patient=True)
    _refused(
        "UPDATE intake_consentsignature SET typed_name = %s WHERE id = %s", ["X", signature.pk]
    )
    _refused("DELETE FROM intake_consentsignature WHERE id = %s", [signature.pk])
    _refused("UPDATE intake_consentwithdrawal SET reason = %s WHERE id = %s", ["X", withdrawal.pk])
    _refused("DELETE FROM intake_consentwithdrawal WHERE id = %s", [withdrawal.pk])
    stored = ConsentSignature.objects.get(pk=signature.pk)
    assert stored.typed_name == "Paloma Quintana" and consent_verify(stored)


def test_the_database_refuses_changes_to_a_published_document_but_not_a_draft(cast, world):
    published = current(cast, ConsentKind.MICRO_NEEDLING)
    _refused("UPDATE intake_consentdocument SET body = %s WHERE id = %s", ["X", published.pk])
    _refused("DELETE FROM intake_consentdocument WHERE id = %s", [published.pk])
    draft = ConsentDocument.objects.create(
        organization=cast.clinic,
        kind=ConsentKind.MICRO_NEEDLING,
        version=9,
        title="Draft",
        body="Work in progress.",
        source_ids="S37",
    )
    draft.body = "Better words."
    draft.save()
    draft.published_at = timezone.now()
    draft.save()
    with pytest.raises(PermissionError):
        draft.save()


def test_the_orm_refuses_to_change_or_delete_signatures(cast, world):
    signature = sign(cast, ConsentKind.MICRO_NEEDLING)
    with pytest.raises(PermissionError):
        signature.save()
    with pytest.raises(PermissionError):
        signature.delete()
    with pytest.raises(PermissionError):
        ConsentSignature.objects.filter(pk=signature.pk).update(typed_name="X")
    with pytest.raises(PermissionError):
        ConsentSignature.objects.all().delete()
    with pytest.raises(PermissionError):
        current(cast, ConsentKind.PRP).delete()


# --- Marketing authorization and withdrawal (I2) -----------------------------------------


def test_withdrawing_marketing_takes_effect_at_once_and_leaves_the_signature(cast, world):
    today = timezone.localdate()
    signature = sign(cast, ConsentKind.MARKETING_PHOTOS, now=timezone.now())
    before = ConsentSignature.objects.get(pk=signature.pk)
    assert marketing_photos_authorized(patient=cast.patient, on=today)
    assert not marketing_photos_authorized(patient=cast.other_patient, on=today)
    audit_rows = AuditEvent.objects.count()

    withdrawal = consent_withdraw(signature=signature, by_patient=True, reason="Changed my mind")
    assert not marketing_photos_authorized(patient=cast.patient, on=today)
    after = ConsentSignature.objects.get(pk=signature.pk)
    assert (after.typed_name, after.content_sha256, after.updated_at) == (
        before.typed_name,
        before.content_sha256,
        before.updated_at,
    )
    assert consent_verify(after)
    assert AuditEvent.objects.count() == audit_rows + 1

    again = consent_withdraw(signature=signature, by_patient=True)
    assert again.pk == withdrawal.pk
    assert ConsentWithdrawal.objects.count() == 1
    assert AuditEvent.objects.count() == audit_rows + 1
    # Signing again authorizes again.
    sign(cast, ConsentKind.MARKETING_PHOTOS, now=timezone.now())
    assert marketing_photos_authorized(patient=cast.patient, on=today)


def test_marketing_authorization_is_never_required_and_follows_the_latest_version(cast, world):
    today = timezone.localdate()
    sign(cast, ConsentKind.MARKETING_PHOTOS, now=timezone.now())
    assert ConsentKind.MARKETING_PHOTOS not in consents_required(service=world.prp)
    publish_v2(cast, ConsentKind.MARKETING_PHOTOS)
    assert not marketing_photos_authorized(patient=cast.patient, on=today)


def test_only_the_marketing_authorization_can_be_withdrawn(cast, world):
    signature = sign(cast, ConsentKind.MICRO_NEEDLING)
    with pytest.raises(ConsentError, match="Only the marketing-photo authorization"):
        consent_withdraw(signature=signature, by_patient=True)
    assert not ConsentWithdrawal.objects.exists()


def test_staff_withdrawal_needs_a_reason_and_a_member_of_this_clinic(cast, world):
    signature = sign(cast, ConsentKind.MARKETING_PHOTOS)
    staff = cast.frontdesk.staff_profile
    with pytest.raises(ConsentError, match="Please give a reason") as refused:
        consent_withdraw(signature=signature, by_patient=False, staff=staff, reason="  ")
    assert refused.value.field == "reason"
    with pytest.raises(ConsentError, match="staff"):
        consent_withdraw(
            signature=signature,
            by_patient=False,
            staff=cast.outsider.staff_profile,
            reason="Asked by phone",
        )
    withdrawal = consent_withdraw(
        signature=signature, by_patient=False, staff=staff, reason="Asked by phone"
    )
    assert (withdrawal.by_patient, withdrawal.staff, withdrawal.reason) == (
        False,
        staff,
        "Asked by phone",
    )


# --- PDF ------------------------------------------------------------------------------------


def test_the_pdf_holds_the_document_the_signature_image_and_the_hash(cast, world):
    visit = book(world, cast.patient)
    signature = sign(cast, ConsentKind.MICRO_NEEDLING, appointment=visit)
    pdf = consent_pdf(ConsentSignature.objects.get(pk=signature.pk))
    assert pdf.startswith(b"%PDF")
    assert b"/Subtype /Image" in pdf
    assert b"/Width 600" in pdf and b"/Height 200" in pdf


def test_the_pdf_falls_back_to_a_core_font_for_any_name(cast, world, monkeypatch, tmp_path):
    monkeypatch.setattr(consents.pdf, "PDF_FONT_DIR", tmp_path)
    patient = factories.PatientFactory(
        organization=cast.clinic, first_name="Łucja", last_name="Nguyễn"
    )
    signature = sign(cast, ConsentKind.MEDICAL_PHOTOS, patient=patient)
    assert signature.typed_name == "Łucja Nguyễn"
    pdf = consent_pdf(ConsentSignature.objects.get(pk=signature.pk))
    assert pdf.startswith(b"%PDF") and b"/Subtype /Image" in pdf
    assert b"Helvetica" in pdf


# --- Signed links -----------------------------------------------------------------------


def test_links_carry_no_personal_data_and_do_not_open_other_doors(cast, world, settings):
    visit = book(world, cast.patient)
    url = consent_sign_url(visit)
    assert url.startswith(settings.SITE_URL.rstrip("/") + "/consent/")
    assert "Paloma" not in url and "Quintana" not in url
    assert appointment_from_consent_token(consent_token(visit)) == visit
    assert appointment_from_consent_token(manage_token(visit)) is None
    assert appointment_from_consent_token("forged:token") is None
    marketing = sign(cast, ConsentKind.MARKETING_PHOTOS)
    assert marketing_withdraw_url(marketing, absolute=False).startswith("/consent/withdraw/")
    assert signature_from_withdraw_token(marketing_withdraw_token(marketing)) == marketing
    treatment = sign(cast, ConsentKind.MICRO_NEEDLING)
    assert signature_from_withdraw_token(marketing_withdraw_token(treatment)) is None
    assert signature_from_withdraw_token(consent_token(visit)) is None


# --- Patient pages ----------------------------------------------------------------------


def _sign_post(client, visit, kind, **overrides):
    appointment_text = consent_text(document=current_for(visit, kind), appointment=visit)
    data = {
        "agree": "on",
        "typed_name": visit.patient.full_name,
        "signature": data_url(drawn_png()),
        "text_sha256": text_digest(appointment_text),
        **overrides,
    }
    url = reverse("site:consent-sign", kwargs={"token": consent_token(visit), "kind": kind})
    return client.post(url, data)


def current_for(visit, kind) -> ConsentDocument:
    return (
        ConsentDocument.objects.filter(organization=visit.organization, kind=kind)
        .order_by("-version")
        .first()
    )


def test_a_patient_reads_and_signs_through_the_link(client, cast, world):
    visit = book(world, cast.patient, world.prp)
    token = consent_token(visit)
    overview = client.get(reverse("site:consent-overview", kwargs={"token": token}))
    assert overview.status_code == 200
    assert "no-store" in overview["Cache-Control"]  # the front-desk tablet is shared
    page = overview.content.decode()
    for kind in ConsentKind:
        assert current_for(visit, kind).title in page
    assert "Optional" in page

    form_page = client.get(
        reverse("site:consent-sign", kwargs={"token": token, "kind": "micro_needling"})
    )
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert "Sandia Test Clinic" in html and "${" not in html
    assert "vendor/signature_pad.umd.min.js" in html and "js/consent-sign.js" in html
    assert "<script>" not in html  # no inline script (CSP)

    response = _sign_post(client, visit, "micro_needling", HTTP_USER_AGENT="PhoneBrowser/1.0")
    assert response.status_code == 302
    assert response["Location"].endswith("/micro_needling/done/")
    signature = ConsentSignature.objects.get()
    assert (signature.appointment, signature.patient) == (visit, cast.patient)
    assert signature.signed_ip == "127.0.0.1"
    assert consent_verify(signature)
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert "it's signed" in done.content.decode()
    assert current_for(visit, ConsentKind.PRP).title in done.content.decode()  # still to sign
    # Signing again is not offered: the page goes straight to the confirmation.
    again = client.get(
        reverse("site:consent-sign", kwargs={"token": token, "kind": "micro_needling"})
    )
    assert again.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"signature": ""}, "Please draw your signature"),
        ({"signature": data_url(drawn_png(ink=False))}, "Please draw your signature"),
        ({"signature": data_url(_jpeg()).replace("png", "jpeg", 1)}, "did not arrive as an image"),
        ({"signature": "data:image/png;base64,@@@not-base64"}, "did not arrive as an image"),
        ({"signature": data_url(_jpeg())}, "did not arrive as an image"),
        ({"typed_name": "Ramona Begay"}, "does not match the name on this booking"),
        ({"typed_name": ""}, "Please type your full name"),
        ({"agree": ""}, "Please tick the box"),
    ],
    ids=["missing", "blank", "jpeg-url", "bad-base64", "jpeg-bytes", "wrong-name", "no-name",
         "no-tick"],
)  # fmt: skip
def test_bad_input_on_the_sign_page_is_a_422_with_a_message_and_writes_nothing(
    client, cast, world, overrides, message
):
    visit = book(world, cast.patient)
    response = _sign_post(client, visit, "micro_needling", **overrides)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ConsentSignature.objects.exists()


def test_a_form_changed_while_being_read_must_be_read_again(client, cast, world):
    visit = book(world, cast.patient)
    response = _sign_post(client, visit, "micro_needling", text_sha256="0" * 64)
    assert response.status_code == 409
    assert "read it again" in response.content.decode()
    assert not ConsentSignature.objects.exists()


def test_links_that_do_not_fit_are_not_found(client, cast, world):
    visit = book(world, cast.patient)
    token = consent_token(visit)
    assert client.get("/consent/forged-token/").status_code == 404
    for kind in ("prp", "nonsense"):  # a face visit needs no PRP form
        url = reverse("site:consent-sign", kwargs={"token": token, "kind": kind})
        assert client.get(url).status_code == 404
    assert client.get("/consent/withdraw/forged/").status_code == 404


def test_a_cancelled_visit_offers_no_signing(client, cast, world):
    visit = book(world, cast.patient)
    visit.status = AppointmentStatus.CANCELLED
    visit.save()
    token = consent_token(visit)
    url = reverse("site:consent-sign", kwargs={"token": token, "kind": "micro_needling"})
    response = client.post(url, {"agree": "on"})
    assert response.status_code == 302
    assert not ConsentSignature.objects.exists()
    page = client.get(reverse("site:consent-overview", kwargs={"token": token}))
    assert "no longer open for signing" in page.content.decode()


def test_the_front_desk_tablet_keeps_kiosk_mode_through_signing(client, cast, world):
    visit = book(world, cast.patient)
    token = consent_token(visit)
    overview = client.get(reverse("site:consent-overview", kwargs={"token": token}) + "?kiosk=1")
    page = overview.content.decode()
    assert 'class="public kiosk"' in page and "/micro_needling/?kiosk=1" in page
    url = reverse("site:consent-sign", kwargs={"token": token, "kind": "micro_needling"})
    document = current_for(visit, ConsentKind.MICRO_NEEDLING)
    response = client.post(
        url + "?kiosk=1",
        {
            "agree": "on",
            "typed_name": "Paloma Quintana",
            "signature": data_url(drawn_png()),
            "text_sha256": text_digest(consent_text(document=document, appointment=visit)),
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("/done/?kiosk=1")
    done = client.get(response["Location"]).content.decode()
    assert "hand the tablet back" not in done  # the photo consent is still to sign
    assert "/medical_photos/?kiosk=1" in done


def test_a_consultation_needs_no_form_but_may_offer_marketing(client, cast, world):
    visit = book(world, cast.patient, world.consultation)
    items = consent_overview(appointment=visit)
    assert [(i.document.kind, i.required) for i in items] == [(ConsentKind.MARKETING_PHOTOS, False)]


def test_the_patient_withdraws_marketing_through_their_link(client, cast, world):
    visit = book(world, cast.patient)
    assert _sign_post(client, visit, "marketing_photos").status_code == 302
    signature = ConsentSignature.objects.get()
    done_url = reverse(
        "site:consent-done", kwargs={"token": consent_token(visit), "kind": "marketing_photos"}
    )
    done = client.get(done_url)
    withdraw_url = marketing_withdraw_url(signature, absolute=False)
    assert withdraw_url in done.content.decode()
    overview_url = reverse("site:consent-overview", kwargs={"token": consent_token(visit)})
    assert withdraw_url in client.get(overview_url).content.decode()
    today = timezone.localdate()
    assert marketing_photos_authorized(patient=cast.patient, on=today)

    page = client.get(withdraw_url)
    assert page.status_code == 200 and "Withdraw my authorization" in page.content.decode()
    response = client.post(withdraw_url, {"reason": ""})
    assert response.status_code == 302
    assert not marketing_photos_authorized(patient=cast.patient, on=today)
    withdrawal = ConsentWithdrawal.objects.get()
    assert withdrawal.by_patient and withdrawal.staff is None
    after = client.get(withdraw_url)
    assert "Withdrawn" in after.content.decode()
    assert "Withdraw my authorization" not in after.content.decode()
    assert client.post(withdraw_url, {"reason": "x" * 1001}).status_code == 422


# --- Staff pages: access, audit ---------------------------------------------------------


def _staff_urls(cast, signature):
    kwargs = {"public_id": cast.patient.public_id}
    return (
        reverse("intake:patient-consents", kwargs=kwargs),
        reverse("intake:consent-pdf", kwargs={**kwargs, "signature_id": signature.public_id}),
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("patient", 403),
        ("frontdesk", 200),
        ("practitioner", 200),
        ("director", 200),
        ("owner", 200),
    ],
)
def test_staff_consent_pages_follow_the_role_matrix(client, cast, world, persona, expected):
    signature = sign(cast, ConsentKind.MICRO_NEEDLING)
    sign_in(client, cast.user(persona))
    for url in _staff_urls(cast, signature):
        response = client.get(url)
        assert response.status_code == expected, (url, persona)
        if persona == "anonymous":
            assert "/login/" in response["Location"]


def test_staff_pages_need_mfa_like_every_staff_page(client, cast, world):
    signature = sign(cast, ConsentKind.MICRO_NEEDLING)
    sign_in(client, cast.frontdesk, mfa=False)
    for url in _staff_urls(cast, signature):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_organizations_patient_or_signature_is_not_found(client, cast, world):
    signature = sign(cast, ConsentKind.MARKETING_PHOTOS)
    others = sign(cast, ConsentKind.MICRO_NEEDLING, patient=cast.other_patient)
    sign_in(client, cast.outsider)
    for url in _staff_urls(cast, signature):
        assert client.get(url).status_code == 404
    withdraw = reverse(
        "intake:consent-withdraw",
        kwargs={"public_id": cast.patient.public_id, "signature_id": signature.public_id},
    )
    assert client.post(withdraw, {"reason": "Asked by phone"}).status_code == 404
    assert not ConsentWithdrawal.objects.exists()

    sign_in(client, cast.owner)
    outsider_list = reverse(
        "intake:patient-consents", kwargs={"public_id": cast.outsider_patient.public_id}
    )
    assert client.get(outsider_list).status_code == 404
    # Another patient's signature under this patient's address.
    wrong_patient = reverse(
        "intake:consent-pdf",
        kwargs={"public_id": cast.patient.public_id, "signature_id": others.public_id},
    )
    assert client.get(wrong_patient).status_code == 404


def test_the_staff_list_shows_status_and_integrity_and_is_audited(
    client, cast, world, django_assert_num_queries
):
    visit = book(world, cast.patient)
    sign(cast, ConsentKind.MICRO_NEEDLING, now=timezone.now() - timedelta(days=400))
    sign(cast, ConsentKind.MEDICAL_PHOTOS, now=timezone.now(), appointment=visit)
    marketing = sign(cast, ConsentKind.MARKETING_PHOTOS, now=timezone.now())
    consent_withdraw(signature=marketing, by_patient=True)
    with django_assert_num_queries(2):
        rows = consent_signatures_for_patient(patient=cast.patient, on=timezone.localdate())
    assert [row.status for row in rows] == [
        ConsentStatus.WITHDRAWN,
        ConsentStatus.VALID,
        ConsentStatus.EXPIRED,
    ]
    assert all(row.verified for row in rows)

    sign_in(client, cast.frontdesk)
    response = client.get(_staff_urls(cast, marketing)[0])
    page = response.content.decode()
    assert "Withdrawn" in page and "Expired" in page and "Hash verified" in page
    assert "by the patient" in page
    assert "?kiosk=1" in page  # the next visit still needs the micro-needling form
    event = AuditEvent.objects.filter(action=AuditAction.LIST).latest("id")
    assert event.patient_ref == str(cast.patient.public_id)
    assert event.actor == cast.frontdesk


def test_a_pdf_download_is_audited_as_an_export(client, cast, world):
    signature = sign(cast, ConsentKind.MICRO_NEEDLING)
    sign_in(client, cast.practitioner)
    response = client.get(_staff_urls(cast, signature)[1])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "Quintana" not in response["Content-Disposition"]
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).get()
    assert (event.object_id, event.patient_ref) == (
        str(signature.public_id),
        str(cast.patient.public_id),
    )


def test_signing_and_withdrawing_are_audited_without_personal_data(client, cast, world):
    visit = book(world, cast.patient)
    _sign_post(client, visit, "marketing_photos")
    signature = ConsentSignature.objects.get()
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(signature.public_id))
    assert created.patient_ref == str(cast.patient.public_id)
    assert created.detail == {"kind": "marketing_photos", "version": 1}
    consent_withdraw(signature=signature, by_patient=True, reason="Paloma does not want it")
    for event in AuditEvent.objects.all():
        blob = f"{event.actor_label} {event.detail} {event.path}"
        assert "Paloma" not in blob and "Quintana" not in blob


def test_staff_record_a_withdrawal_on_request_with_a_reason(client, cast, world):
    signature = sign(cast, ConsentKind.MARKETING_PHOTOS, now=timezone.now())
    treatment = sign(cast, ConsentKind.MICRO_NEEDLING)
    sign_in(client, cast.frontdesk)
    url = reverse(
        "intake:consent-withdraw",
        kwargs={"public_id": cast.patient.public_id, "signature_id": signature.public_id},
    )
    assert client.get(url).status_code == 405
    missing_reason = client.post(url, {"reason": ""})
    assert missing_reason.status_code == 422
    assert "Please give the reason" in missing_reason.content.decode()
    assert not ConsentWithdrawal.objects.exists()

    wrong_kind = reverse(
        "intake:consent-withdraw",
        kwargs={"public_id": cast.patient.public_id, "signature_id": treatment.public_id},
    )
    refused = client.post(wrong_kind, {"reason": "Asked by phone"})
    assert refused.status_code == 422
    assert "Only the marketing-photo authorization" in refused.content.decode()

    response = client.post(url, {"reason": "Asked by phone"})
    assert response.status_code == 302
    withdrawal = ConsentWithdrawal.objects.get()
    assert withdrawal.staff == cast.frontdesk.staff_profile and not withdrawal.by_patient
    assert not marketing_photos_authorized(patient=cast.patient, on=timezone.localdate())


def test_withdrawal_by_staff_needs_login_and_a_staff_role(client, cast, world):
    signature = sign(cast, ConsentKind.MARKETING_PHOTOS)
    url = reverse(
        "intake:consent-withdraw",
        kwargs={"public_id": cast.patient.public_id, "signature_id": signature.public_id},
    )
    assert client.post(url, {"reason": "x"}).status_code == 302
    sign_in(client, cast.patient_user)
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert not ConsentWithdrawal.objects.exists()


def test_the_patient_gets_a_copy_with_the_way_to_withdraw(
    cast, world, django_capture_on_commit_callbacks
):
    from django.core import mail

    from needlepoint.intake.consents import signature_from_withdraw_token

    with django_capture_on_commit_callbacks(execute=True):
        signature = consent_sign(
            patient=cast.patient,
            document=current(cast, ConsentKind.MARKETING_PHOTOS),
            typed_name="Paloma Quintana",
            signature_png=drawn_png(),
        )
    copy = mail.outbox[-1]
    assert copy.to == [cast.patient.email]
    token = copy.body.split("/consent/withdraw/")[1].split("/")[0]
    assert signature_from_withdraw_token(token) == signature
    ((filename, pdf, kind),) = copy.attachments
    assert filename == "marketing_photos-v1.pdf"
    assert kind == "application/pdf" and pdf.startswith(b"%PDF")


def test_withdrawing_through_an_older_link_ends_every_marketing_authorization(cast, world):
    document = current(cast, ConsentKind.MARKETING_PHOTOS)
    older = consent_sign(
        patient=cast.patient,
        document=document,
        typed_name="Paloma Quintana",
        signature_png=drawn_png(),
        now=SIGNED_AT,
    )
    consent_sign(
        patient=cast.patient,
        document=document,
        typed_name="Paloma Quintana",
        signature_png=drawn_png(),
    )
    assert marketing_photos_authorized(patient=cast.patient, on=timezone.localdate())
    consent_withdraw(signature=older, by_patient=True)
    assert not marketing_photos_authorized(patient=cast.patient, on=timezone.localdate())
    assert ConsentWithdrawal.objects.filter(signature__patient=cast.patient).count() == 2
