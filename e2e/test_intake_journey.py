"""The intake journey end to end (issue "Intake", done when): a newcomer books PRP on a phone
and answers "isotretinoin: stopped 3 months ago", is told a clinician reviews first; the
medical director approves from the queue with a reason; the patient signs the consents on
the phone; the front desk checks them in."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import PHONE, TABLET
from e2e.test_consent_sign import _draw
from e2e.test_smoke import sign_in
from needlepoint.intake.consents import intake_seed_consents
from needlepoint.intake.models import ScreeningStatus
from needlepoint.intake.selectors import screening_current
from needlepoint.intake.services import intake_seed_questionnaire, intake_seed_rules
from needlepoint.scheduling.models import Appointment, AppointmentStatus
from tests.support.personas import make_cast
from tests.support.scheduling_world import make_world

pytestmark = pytest.mark.browser


def _answer_harmlessly(page) -> None:
    """Every question: No, Never, None or skin type III; yes to going ahead with PRP."""
    for value in ("no", "never", "none", "3"):
        for radio in page.locator(f"input[type=radio][value='{value}']").all():
            radio.check()
    page.locator("input[name='accepts_prp_risks'][value='yes']").check()


def test_a_newcomer_is_reviewed_signs_and_is_checked_in(open_page, artifacts: Path, time_machine):
    cast = make_cast()
    world = make_world(clinic=cast.clinic)
    world.prp.requires_prior_consultation = False
    world.prp.save()
    for seed in (intake_seed_rules, intake_seed_questionnaire, intake_seed_consents):
        seed(organization=cast.clinic)

    # A newcomer books PRP on a phone and goes straight on to the questionnaire.
    phone = open_page(PHONE)
    page = phone.page
    page.goto(reverse("site:booking-services"))
    page.get_by_role("link", name=re.compile("Prp Face")).click()
    page.get_by_role("link", name=re.compile(world.location.name)).click()
    page.locator("a.time").first.click()
    page.locator("#id_first_name").fill("Rosa")
    page.locator("#id_last_name").fill("Tafoya")
    page.locator("#id_email").fill("rosa@example.com")
    page.locator("#id_phone").fill("(505) 555-0142")
    page.locator("#id_date_of_birth").fill("1987-06-02")
    page.get_by_role("button", name="Book this time").click()
    page.get_by_role("link", name="Answer the health questionnaire").click()
    expect(page.get_by_role("heading", name="Before your visit")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    _answer_harmlessly(page)
    stopped = timezone.localdate() - timedelta(days=90)
    page.locator("input[name='isotretinoin_last_dose'][value='date']").check()
    page.locator("input[name='isotretinoin_last_dose__on']").fill(stopped.isoformat())
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name=re.compile("a clinician will review"))).to_be_visible()
    page.screenshot(path=str(artifacts / "intake-phone-review.png"), full_page=True)

    appointment = Appointment.objects.get(patient__email="rosa@example.com")
    screening = screening_current(appointment=appointment)
    assert screening.status == ScreeningStatus.NEEDS_REVIEW
    assert "MN10" in {f["rule"] for f in screening.findings}

    # The medical director approves it from the queue, with a reason.
    desk = open_page(TABLET).page
    sign_in(desk, cast.director)
    desk.goto(reverse("intake:review-list"))
    desk.get_by_role("link", name="Review", exact=True).first.click()
    expect(desk.get_by_text("MN10 · review")).to_be_visible()
    desk.get_by_label("Approve: the treatment may go ahead").check()
    desk.get_by_label("This appointment only").check()
    desk.get_by_label("Reason").fill("Isotretinoin stopped 3 months ago; superficial depth only.")
    desk.get_by_role("button", name="Record decision").click()
    expect(desk.get_by_text("Decision recorded.")).to_be_visible()
    assert screening_current(appointment=appointment).status == ScreeningStatus.APPROVED

    # The patient signs every consent the visit needs, on the phone.
    page.get_by_role("link", name="Read and sign the consent").click()
    expect(page.get_by_role("heading", name="Consent forms")).to_be_visible()
    while page.get_by_role("link", name=re.compile("^Read and sign")).count():
        page.get_by_role("link", name=re.compile("^Read and sign")).first.click()
        page.get_by_label("I have read this form").check()
        page.get_by_label("Your full name").fill("Rosa Tafoya")
        canvas = page.locator("canvas[data-signature-pad]")
        canvas.scroll_into_view_if_needed()
        _draw(page, canvas)
        page.get_by_role("button", name="Sign", exact=True).click()
        expect(page.get_by_role("heading", name="Thank you, it's signed")).to_be_visible()
        page.goto(page.get_by_role("link", name="Consent forms").first.get_attribute("href"))
    expect(page.get_by_text("everything needed for this visit is signed")).to_be_visible()
    assert phone.console_errors == []

    # On the day of the visit, the front desk checks them in after asking whether anything
    # has changed (check-in happens only on the visit's day).
    time_machine.move_to(appointment.starts_at - timedelta(minutes=20), tick=True)
    front = open_page(TABLET).page
    sign_in(front, cast.frontdesk)
    front.goto(reverse("scheduling:appointment-detail", args=[appointment.public_id]))
    expect(front.get_by_text("Ready for check-in.")).to_be_visible()
    front.get_by_label("The patient says nothing has changed since their health answers").check()
    front.get_by_role("button", name="Check in").click()
    expect(front.get_by_text("Checked in.")).to_be_visible()
    front.screenshot(path=str(artifacts / "intake-checked-in.png"), full_page=True)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
