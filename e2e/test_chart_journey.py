"""The charting journey end to end (issue "Charting", done when): a practitioner new to the
system charts a PRP micro-needling session on a tablet — identity, anaesthetic, pen and a
scanned cartridge, an area, the draw with its label, spin, extraction, application with a
scan, photos with the ghost overlay, post-care, sign — is stopped from applying another
patient's tube or reusing a cartridge; the medical director co-signs; the recall search
finds the patient by the cartridge lot."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import TABLET
from e2e.test_smoke import sign_in
from needlepoint.catalog.models import Product, ProductKind, ProductLot
from needlepoint.clinical.custody import Identity
from needlepoint.clinical.gate import appointment_check_in
from needlepoint.clinical.models import CartridgeUse, Incident, RecordStatus, TreatmentRecord
from needlepoint.clinical.services import (
    cartridge_use,
    prp_sample_draw,
)
from needlepoint.intake.consents import consent_missing, consent_sign, intake_seed_consents
from needlepoint.intake.links import questionnaire_url
from needlepoint.intake.models import ScreeningRule
from needlepoint.intake.services import intake_seed_questionnaire, intake_seed_rules
from needlepoint.scheduling.selectors import availability_get
from needlepoint.scheduling.services import appointment_book
from tests.support.clinical_support import chart_ready
from tests.support.factories import PatientFactory
from tests.support.images import drawn_png
from tests.support.intake_support import form_data
from tests.support.personas import make_cast
from tests.support.scheduling_world import make_world

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


CARTRIDGE = "(01)00812345678905(17){expiry}(10)LOT-E2E-7(21)C-000451"
USED_SERIAL = "C-000999"


def _book(world, patient, service, days_ahead=1):
    day = timezone.localdate() + timedelta(days=days_ahead)
    offer = availability_get(
        location=world.location, service=service, first_day=day, last_day=day + timedelta(6),
        now=timezone.now(),
    )[0]  # fmt: skip
    return appointment_book(
        location=world.location, service=service, start=offer.start, patient=patient,
        source="phone", notify=False,
    )  # fmt: skip


def _ready(appointment) -> None:
    """Answers on file (nothing to flag) and every consent signed, as the patient leaves it."""
    Client().post(
        questionnaire_url(appointment, absolute=False),
        form_data(uses_prp=appointment.service.uses_prp),
    )
    patient = appointment.patient
    day = appointment.starts_at.date()
    for document in consent_missing(patient=patient, service=appointment.service, on=day):
        consent_sign(
            patient=patient, document=document, signature_png=drawn_png(), appointment=appointment,
            typed_name=f"{patient.first_name} {patient.last_name}",
        )  # fmt: skip


def test_a_prp_session_is_charted_signed_cosigned_and_recalled(
    open_page, artifacts: Path, time_machine
):
    # A Monday before opening: the visit is today, so it can be checked in and charted.
    time_machine.move_to(datetime(2027, 1, 11, 8, tzinfo=ZoneInfo("America/Denver")), tick=True)
    cast = make_cast()
    world = make_world(clinic=cast.clinic)
    world.prp.requires_prior_consultation = False
    world.prp.save()
    for seed in (intake_seed_rules, intake_seed_questionnaire, intake_seed_consents):
        seed(organization=cast.clinic)
    # This clinic's director lets PRP go ahead without labs on file (a caution, not a review).
    for rule in ScreeningRule.objects.filter(organization=cast.clinic, code__in=["PRP03", "PRP07"]):
        rule.definition = {**rule.definition, "unknown": "caution"}
        rule.save()
    numbing = Product.objects.create(
        organization=cast.clinic, name="BLT cream", kind=ProductKind.ANAESTHETIC,
        manufacturer="Compounding pharmacy", strength="20/6/4%",
    )  # fmt: skip
    ProductLot.objects.create(
        product=numbing, lot_number="BLT-2611", expires_on=timezone.localdate() + timedelta(days=90)
    )
    patient = cast.patient
    appointment = _book(world, patient, world.prp, days_ahead=0)
    _ready(appointment)
    appointment_check_in(appointment=appointment, answers_unchanged=True)

    # Elsewhere in the clinic: another patient's blood is on the bench, and a cartridge
    # was used this morning.
    other = _book(world, PatientFactory(organization=cast.clinic), world.prp, days_ahead=0)
    their_record = chart_ready(other, staff=world.ana)
    their_tube = prp_sample_draw(
        appointment=other,
        identity=Identity(f"{other.patient.first_name} {other.patient.last_name}",
                          other.patient.date_of_birth),
        staff=world.ana,
    ).sample  # fmt: skip
    cartridge_use(record=their_record, lot="LOT-OLD", serial=USED_SERIAL, staff=world.ana)

    page = open_page(TABLET).page
    sign_in(page, cast.practitioner)
    page.goto(reverse("scheduling:appointment-detail", args=[appointment.public_id]))
    page.get_by_role("button", name="Start chart").click()
    expect(page.get_by_role("heading", name="Pre-care checklist")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    name = f"{patient.first_name} {patient.last_name}"

    # Identity, said by the patient: name and date of birth.
    identity = page.locator("#precare form").first
    identity.get_by_label("Full name").fill(name)
    identity.get_by_label("Date of birth").fill(patient.date_of_birth.isoformat())
    identity.get_by_role("button", name="Check identity").click()
    expect(page.get_by_text("Identity checked")).to_be_visible()

    # Topical anaesthetic: product, lot, applied and removed.
    numbing_form = page.locator("form[action$='/anaesthetic/']")
    numbing_form.get_by_label("Product").select_option(label="BLT cream")
    numbing_form.get_by_label("Lot number").fill("BLT-2611")
    numbing_form.get_by_label("Applied at").fill("09:00")
    numbing_form.get_by_label("Removed at").fill("09:30")
    numbing_form.get_by_role("button", name="Save anaesthetic").click()
    expect(page.get_by_text("Anaesthetic recorded.")).to_be_visible()

    # The pen, then the cartridge box scanned (the scanner types and presses Enter).
    page.locator("#device_device").select_option(index=1)
    page.get_by_role("button", name="Use this pen").click()
    expiry = (timezone.localdate() + timedelta(days=365)).strftime("%y%m%d")
    scan = page.get_by_label("Scan the cartridge box")
    scan.fill(CARTRIDGE.format(expiry=expiry))
    scan.press("Enter")
    expect(page.get_by_text("Cartridge C-000451 (lot LOT-E2E-7) recorded.")).to_be_visible()
    # A cartridge used before is refused.
    page.get_by_label("Scan the cartridge box").fill(USED_SERIAL)
    page.get_by_label(re.compile("^Lot:?$")).fill("LOT-OLD")
    page.get_by_role("button", name="Record cartridge").click()
    expect(page.get_by_text(re.compile("was used before"))).to_be_visible()
    assert CartridgeUse.objects.filter(serial=USED_SERIAL).count() == 1

    # One area, within the cheeks' default depth.
    area_form = page.locator("form[action$='/line/']")
    area_form.get_by_label("Area").select_option(index=1)
    area_form.get_by_label("Depth (mm)").fill("1.0")
    area_form.get_by_label("Endpoint reached").check()
    area_form.get_by_role("button", name="Add area").click()
    expect(page.get_by_text("charted at 1.00 mm")).to_be_visible()

    # The draw: identifiers again, then the label prints at once.
    draw = page.locator("form[action$='/draw/']")
    draw.get_by_label("Full name").fill(name)
    draw.get_by_label("Date of birth").fill(patient.date_of_birth.isoformat())
    draw.get_by_role("button", name="Draw and print label").click()
    label_button = page.get_by_role("link", name="Print label").first
    expect(label_button).to_have_class(re.compile("btn-primary"))  # the new tube's label
    with page.expect_popup() as popup:
        label_button.click()
    label = popup.value
    label.wait_for_load_state()
    record = TreatmentRecord.objects.get(appointment=appointment)
    tube = record.appointment.prp_samples.get()
    label_response = page.request.get(reverse("clinical:prp-label", args=[tube.public_id]))
    assert label_response.headers["content-type"] == "application/pdf"
    label.close()

    def step(code: str, kind: str, **fields: str) -> None:
        form = page.locator("form[data-prp-step]")
        form.get_by_label("Scan the tube's label").fill(code)
        form.get_by_label("Step").select_option(kind)
        for label_text, value in fields.items():
            field = form.get_by_label(label_text)
            if value == "check":
                field.check()
            else:
                field.fill(value)
        form.get_by_role("button", name="Record step").click()

    step(tube.code, "spin", **{"g-force": "300", "Minutes": "10"})
    expect(page.get_by_text(f"Sample {tube.code}: spin recorded.")).to_be_visible()
    time_machine.shift(timedelta(minutes=10))  # plasma is extracted once the spin has run
    step(tube.code, "extract", **{"Volume (mL)": "4.5"})
    expect(page.get_by_text(f"Sample {tube.code}: extract recorded.")).to_be_visible()
    # The other patient's tube, scanned by mistake: a hard stop and an incident.
    step(their_tube.code, "apply", **{"Applied to": "Cheeks", "The patient stated": "check"})
    expect(
        page.get_by_text(re.compile("STOP: this tube was not drawn for this patient"))
    ).to_be_visible()
    assert Incident.objects.filter(sample=their_tube).count() == 1
    step(tube.code, "apply", **{"Applied to": "Cheeks", "The patient stated": "check"})
    expect(page.get_by_text(f"Sample {tube.code}: apply recorded.")).to_be_visible()
    step(tube.code, "discard")
    expect(page.get_by_text(f"Sample {tube.code}: discard recorded.")).to_be_visible()

    _photos(page, record, artifacts)

    # Post-care, then sign.
    post = page.locator("form[action$='/postcare/']")
    post.get_by_label("Pain (0–10)").fill("3")
    post.get_by_label("Immediate response").fill("Even erythema, pinpoint bleeding")
    post.get_by_label("Aftercare instructions given").check()
    post.get_by_label("Sharps and biohazard waste").check()
    post.get_by_role("button", name="Save post-care").click()
    expect(page.get_by_text("Tolerance and post-care recorded.")).to_be_visible()
    expect(page.get_by_test_id("blockers")).to_have_count(0)
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text(re.compile("waits for the medical director"))).to_be_visible()
    expect(page.get_by_test_id("record-status")).to_have_text("Signed and locked")
    page.screenshot(path=str(artifacts / "chart-tablet-signed.png"), full_page=True)

    # The medical director co-signs from her queue.
    director = open_page(TABLET).page
    sign_in(director, cast.director)
    director.get_by_role("link", name="Co-sign").click()
    director.get_by_role("link", name="Review and co-sign").click()
    director.get_by_role("button", name="Co-sign").click()
    expect(director.get_by_text(re.compile("Co-signed by"))).to_be_visible()
    record.refresh_from_db()
    assert record.status == RecordStatus.COSIGNED

    # The recall search finds the patient by the cartridge lot.
    director.get_by_role("link", name="Recall").click()
    director.get_by_label("Lot number").fill("lot-e2e-7")
    director.get_by_role("button", name="Find patients").click()
    expect(director.get_by_role("cell", name=re.compile(patient.last_name))).to_be_visible()


def _photos(page, record, artifacts: Path) -> None:
    """Before and after frontal photos from the tablet's (fake) camera; the after photo is
    framed over the ghost of the before photo."""
    for stage in ("before", "after"):
        page.locator(f"a[href$='view=frontal&stage={stage}']").click()
        page.wait_for_function(
            "() => { const v = document.querySelector('[data-capture-video]');"
            " return v && v.videoWidth > 0 && !v.paused; }"
        )
        if stage == "after":
            expect(page.locator("img[data-capture-ghost]")).to_be_visible()
            page.screenshot(path=str(artifacts / "chart-photo-overlay.png"))
        page.get_by_role("button", name="Capture").click()
        page.get_by_role("button", name="Save photo").click()
        expect(page.get_by_role("heading", name="Pre-care checklist")).to_be_visible()
    photos = record.photos.order_by("taken_at")
    assert [p.stage for p in photos] == ["before", "after"]
    assert photos[1].capture["aligned_to"] == str(photos[0].public_id)
