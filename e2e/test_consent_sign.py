"""A patient opens the signing link on a phone, reads the micro-needling consent, draws a
signature with the mouse, types their name and signs; the signature is stored and verifies."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import PHONE
from needlepoint.intake.consents import (
    consent_missing,
    consent_sign_url,
    consent_verify,
    intake_seed_consents,
)
from needlepoint.intake.models import ConsentKind, ConsentSignature
from needlepoint.scheduling.selectors import availability_get
from needlepoint.scheduling.services import appointment_book
from tests.support.personas import make_cast
from tests.support.scheduling_world import make_world

pytestmark = pytest.mark.browser


def _draw(page, canvas) -> None:
    box = canvas.bounding_box()
    assert box is not None
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(left + width * 0.1, top + height * 0.7)
    page.mouse.down()
    for step in range(1, 13):
        x = left + width * (0.1 + 0.065 * step)
        y = top + height * (0.3 if step % 2 else 0.7)
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


def test_a_patient_signs_the_consent_on_a_phone(open_page, artifacts: Path):
    cast = make_cast()
    world = make_world(clinic=cast.clinic)
    intake_seed_consents(organization=cast.clinic)
    day = timezone.localdate() + timedelta(days=8)
    offer = availability_get(
        location=world.location,
        service=world.face,
        first_day=day,
        last_day=day + timedelta(days=6),
        now=timezone.now(),
    )[0]
    visit = appointment_book(
        location=world.location,
        service=world.face,
        start=offer.start,
        patient=cast.patient,
        source="phone",
        notify=False,
    )

    phone = open_page(PHONE)
    page = phone.page
    page.goto(consent_sign_url(visit, absolute=False))
    expect(page.get_by_role("heading", name="Consent forms")).to_be_visible()
    page.get_by_role("link", name=re.compile("Read and sign.*Consent to micro-needling")).click()
    expect(page.get_by_role("heading", name="Consent to micro-needling")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Signing with an empty box is stopped in the page, with a message.
    page.get_by_label("I have read this form").check()
    page.get_by_label("Your full name").fill("Paloma Quintana")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_text("Please draw your signature in the box")).to_be_visible()
    assert not ConsentSignature.objects.exists()

    canvas = page.locator("canvas[data-signature-pad]")
    canvas.scroll_into_view_if_needed()
    _draw(page, canvas)
    expect(page.get_by_text("Please draw your signature in the box")).to_be_hidden()
    page.screenshot(path=str(artifacts / "consent-phone-signed.png"), full_page=True)
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page.get_by_role("heading", name="Thank you, it's signed")).to_be_visible()
    expect(page.get_by_text("Still to sign for this visit")).to_be_visible()
    page.screenshot(path=str(artifacts / "consent-phone-done.png"), full_page=True)
    assert phone.console_errors == []

    signature = ConsentSignature.objects.select_related("document", "patient").get()
    assert signature.document.kind == ConsentKind.MICRO_NEEDLING
    assert (signature.appointment_id, signature.typed_name) == (visit.pk, "Paloma Quintana")
    assert consent_verify(signature)
    on = visit.starts_at.astimezone(world.location.zone).date()
    assert [d.kind for d in consent_missing(patient=cast.patient, service=world.face, on=on)] == [
        ConsentKind.MEDICAL_PHOTOS
    ]
