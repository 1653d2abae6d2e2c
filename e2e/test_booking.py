"""A patient books a PRP session on a phone; the front desk sees it on the calendar with its
room, pen and centrifuge."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from e2e.conftest import PHONE, TABLET
from e2e.test_smoke import sign_in
from needlepoint.scheduling.models import Appointment
from tests.support.personas import make_cast
from tests.support.scheduling_world import make_world

pytestmark = pytest.mark.browser


def test_a_patient_books_prp_on_a_phone_and_the_front_desk_sees_it(open_page, artifacts: Path):
    cast = make_cast()
    world = make_world(clinic=cast.clinic)
    world.prp.requires_prior_consultation = False
    world.prp.save()
    world.location.name = "Northeast Heights"
    world.location.save()

    phone = open_page(PHONE)
    page = phone.page
    page.goto(reverse("site:booking-services"))
    page.get_by_role("link", name=re.compile("Prp Face")).click()
    page.get_by_role("link", name=re.compile("Northeast Heights")).click()
    expect(page.get_by_role("heading", name="Pick a day and time")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / "booking-phone-times.png"), full_page=True)
    page.locator("a.time").first.click()

    page.locator("#id_first_name").fill("Rosa")
    page.locator("#id_last_name").fill("Tafoya")
    page.locator("#id_email").fill("rosa@example.com")
    page.locator("#id_phone").fill("(505) 555-0142")
    page.locator("#id_date_of_birth").fill("1987-06-02")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    page.screenshot(path=str(artifacts / "booking-phone-confirmed.png"), full_page=True)
    assert phone.console_errors == []

    appointment = Appointment.objects.get(patient__email="rosa@example.com")
    keys = {h.resource_key for h in appointment.holds.all()}
    assert f"device:{world.centrifuge.pk}" in keys and f"device:{world.pen.pk}" in keys
    confirmation = [m for m in mail.outbox if "rosa@example.com" in m.to]
    assert confirmation, "a confirmation email is sent"
    kinds = [
        a.get_content_type() if hasattr(a, "get_content_type") else a[2]
        for a in confirmation[0].attachments
    ]
    assert any(kind.startswith("text/calendar") for kind in kinds), kinds

    desk = open_page(TABLET).page
    sign_in(desk, cast.frontdesk)
    day = appointment.starts_at.astimezone(world.location.zone).date().isoformat()
    desk.goto(reverse("scheduling:calendar-day", args=[world.location.slug, day]))
    blocks = desk.locator("td.cal-block", has_text="Rosa Tafoya")
    expect(blocks.first).to_be_visible()
    assert blocks.count() == 5  # practitioner (draw, treatment), room, pen, centrifuge
    expect(desk.locator("td.cal-block", has_text=appointment.room.name).first).to_be_visible()
    desk.screenshot(path=str(artifacts / "calendar-prp.png"), full_page=True)
