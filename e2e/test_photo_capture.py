"""A practitioner takes an "after" photo at the chair on a tablet: the capture page shows the
(fake) rear camera live with the patient's baseline photo as a ghost over it, the photo is
taken, saved and lands on the visit's chart."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from e2e.test_smoke import sign_in
from needlepoint.clinical.models import Photo
from needlepoint.clinical.services import photo_add
from needlepoint.scheduling.selectors import availability_get
from needlepoint.scheduling.services import appointment_book
from tests.support.clinical_support import chart_ready
from tests.support.images import jpeg
from tests.support.personas import make_cast
from tests.support.scheduling_world import make_world

pytestmark = pytest.mark.browser

TABLET_PORTRAIT = {"width": 820, "height": 1180}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_practitioner_takes_an_after_photo_over_the_baseline(
    open_page, artifacts: Path, time_machine
):
    # A Monday before opening: today's visit is checked in and charted.
    time_machine.move_to(datetime(2027, 1, 11, 8, tzinfo=ZoneInfo("America/Denver")), tick=True)
    cast = make_cast()
    world = make_world(clinic=cast.clinic)
    day = timezone.localdate()
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
    staff = cast.practitioner.staff_profile
    record = chart_ready(visit, staff=staff)
    baseline = photo_add(
        record=record, view="frontal", stage="before", data=jpeg((480, 640)), staff=staff
    )

    tablet = open_page(TABLET_PORTRAIT)
    page = tablet.page
    sign_in(page, cast.practitioner)
    capture = reverse("clinical:photo-capture", kwargs={"public_id": record.public_id})
    page.goto(f"{capture}?view=frontal&stage=after")
    expect(page.get_by_role("heading", name="Frontal · After")).to_be_visible()

    # The live camera, with the baseline as a ghost at the chosen opacity and the grid.
    camera = page.locator("[data-photo-capture]")
    expect(camera).to_be_visible()
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-capture-video]');"
        " return v && v.videoWidth > 0 && !v.paused; }"
    )
    ghost = page.locator("img[data-capture-ghost]")
    expect(ghost).to_be_visible()
    assert ghost.evaluate("img => img.complete && img.naturalWidth") == 480
    assert str(baseline.public_id) in (ghost.get_attribute("src") or "")
    page.get_by_label(re.compile("^Baseline overlay")).fill("70")
    assert ghost.evaluate("img => getComputedStyle(img).opacity") == "0.7"
    expect(page.locator("[data-capture-grid]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / "photo-capture-tablet.png"), full_page=True)

    # Take it, look at it, save it: back on the chart with the photo.
    page.get_by_role("button", name="Capture").click()
    expect(page.locator("canvas[data-capture-canvas]")).to_be_visible()
    expect(page.get_by_text("Photo taken. Check it")).to_be_visible()
    page.get_by_role("button", name="Save photo").click()
    chart = reverse("clinical:record-detail", kwargs={"public_id": record.public_id})
    expect(page).to_have_url(re.compile(re.escape(chart) + "$"))

    photo = Photo.objects.exclude(pk=baseline.pk).get()
    assert (photo.view, photo.stage, photo.record_id) == ("frontal", "after", record.pk)
    assert photo.capture["source"] == "camera" and photo.capture["track_width"] > 0
    assert photo.capture["aligned_to"] == str(baseline.public_id)
    assert (photo.width, photo.height) == (
        photo.capture["track_width"],
        photo.capture["track_height"],
    )
    panel = page.locator("[data-testid=photo-panel] [data-photo-view=frontal]")
    after = panel.locator(f"img[src*='{photo.public_id}']")
    after.scroll_into_view_if_needed()
    expect(after).to_be_visible()
    page.wait_for_function(  # lazy-loaded through the permission-checked view
        "img => img.complete && img.naturalWidth > 0", arg=after.element_handle()
    )
    page.screenshot(path=str(artifacts / "photo-chart-panel.png"), full_page=True)

    # Baseline against the new photo, side by side and with the slider.
    page.get_by_role("link", name="Compare over time").click()
    expect(page.get_by_role("heading", name="Photos", exact=True)).to_be_visible()
    slider = page.get_by_label(re.compile("^Frontal: slide between baseline and after"))
    expect(slider).to_be_visible()
    slider.fill("20")
    clip = page.locator("[data-compare-after]").evaluate("img => getComputedStyle(img).clipPath")
    assert clip == "inset(0px 0px 0px 20%)"
    expect(page.get_by_text("Not authorized")).to_be_visible()
    page.screenshot(path=str(artifacts / "photo-compare-tablet.png"), full_page=True)
    assert tablet.console_errors == []
