"""Smoke tests in a real browser: staff sign-in with TOTP, the patient search, the public
home page on a phone, and pages free of console errors and CSP violations."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

from e2e.conftest import PHONE, TABLET
from tests.support.factories import TEST_PASSWORD
from tests.support.personas import TEST_TOTP_SECRET, make_cast

pytestmark = pytest.mark.browser


def current_totp_code() -> str:
    """What the authenticator app shows right now."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(TEST_TOTP_SECRET, counter))


def sign_in(page: Page, user: User) -> None:
    """The real staff sign-in: username and password, then the authenticator code."""
    page.goto(reverse("account_login"))
    page.locator("input[name='login']").fill(user.username)
    page.locator("input[name='password']").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_authenticate")) + "$"))
    page.locator("input[name='code']").fill(current_totp_code())
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("core:dashboard")) + "$"))


def search_patients(page: Page, text: str) -> None:
    """Type into the live search and wait for htmx to swap in the filtered results."""
    search = page.get_by_role("searchbox")
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request")):
        search.press_sequentially(text, delay=20)


def test_practitioner_signs_in_and_finds_a_patient(open_page, artifacts: Path):
    cast = make_cast()
    patient = cast.patient
    page = open_page(TABLET).page

    sign_in(page, cast.practitioner)
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Patients")).to_be_visible()
    page.screenshot(path=artifacts / "practitioner-dashboard.png", full_page=True)

    main_nav.get_by_role("link", name="Patients").click()
    expect(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()
    results = page.locator("#results")
    # Both of the clinic's patients are listed before the search narrows it to one.
    expect(results.locator("tbody tr")).to_have_count(2)

    search_patients(page, patient.last_name)
    expect(results.locator("tbody tr")).to_have_count(1)
    row = results.locator("tbody tr").first
    expect(row).to_contain_text(patient.record_number)
    expect(page).to_have_url(re.compile(r"[?&]q=Quintana"))

    row.get_by_role("link", name="Quintana, Paloma").click()
    expect(page.get_by_role("heading", name="Paloma Quintana", level=1)).to_be_visible()
    expect(page.locator(".page-head")).to_contain_text(patient.record_number)
    page.screenshot(path=artifacts / "practitioner-patient.png", full_page=True)


def test_home_page_fits_a_phone(open_page, artifacts: Path):
    make_cast()
    page = open_page(PHONE).page

    page.goto(reverse("site:home"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Micro-needling")
    overflow = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    page.screenshot(path=artifacts / "home-phone.png", full_page=True)
    assert overflow["scroll"] <= overflow["inner"], overflow


def test_staff_pages_have_no_console_errors_or_csp_violations(open_page):
    cast = make_cast()
    patient = cast.patient
    browser_page = open_page(TABLET)
    page = browser_page.page

    sign_in(page, cast.practitioner)
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()

    page.goto(reverse("patients:patient-list"))
    expect(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()
    search_patients(page, patient.last_name)
    expect(page.locator("#results tbody tr")).to_have_count(1)

    response = page.goto(reverse("patients:patient-detail", args=[patient.public_id]))
    expect(page.get_by_role("heading", name="Paloma Quintana", level=1)).to_be_visible()
    page.wait_for_load_state("load")
    # Without the header a clean console would prove nothing about CSP.
    assert response is not None
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")

    assert browser_page.console_errors == []
