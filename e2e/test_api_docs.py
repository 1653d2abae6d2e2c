"""The API's interactive docs render in a real browser under the site's strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.conftest import TABLET

pytestmark = pytest.mark.browser


def test_the_api_docs_render_without_csp_violations(open_page):
    browser_page = open_page(TABLET)
    page = browser_page.page
    response = page.goto("/api/v1/docs")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")
    expect(page.get_by_text("Needlepoint API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/bookings").first).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    assert browser_page.console_errors == []
