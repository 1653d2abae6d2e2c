"""docs/security-targets.md D1, D2 and D6 (error pages): security headers on public, sign-in and
staff pages; production settings (HSTS, secure cookies, `check --deploy`) checked in a fresh process
with production environment variables; friendly error pages."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.support.factories import TEST_PASSWORD
from tests.support.pages import assert_no_inline_script
from tests.support.personas import sign_in

REPO = Path(__file__).resolve().parents[2]
ONE_YEAR = 365 * 24 * 60 * 60

# page -> (url name, how to build its kwargs from the cast, who is signed in)
PAGES = {
    "public home": ("site:home", None, None),
    "login": ("account_login", None, None),
    "staff dashboard": ("core:dashboard", None, "practitioner"),
    "patient detail": (
        "patients:patient-detail",
        lambda c: {"public_id": c.patient.public_id},
        "practitioner",
    ),
}


def _get(client, cast, page: str):
    url_name, kwargs_for, persona = PAGES[page]
    if persona:
        sign_in(client, cast.user(persona))
    response = client.get(reverse(url_name, kwargs=kwargs_for(cast) if kwargs_for else None))
    assert response.status_code == 200, page
    return response


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


@pytest.mark.parametrize("page", sorted(PAGES))
def test_it_sends_a_strict_content_security_policy(client, cast, page):
    response = _get(client, cast, page)

    directives = csp_directives(response["Content-Security-Policy"])
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src == ["'self'"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_it_sends_the_browser_hardening_headers(client, cast, page):
    response = _get(client, cast, page)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_it_has_no_inline_scripts_the_policy_would_block(client, cast, page):
    """These pages load our scripts; the role matrix checks every other page the same way
    (tests/test_permissions.py)."""
    assert_no_inline_script(_get(client, cast, page).content.decode())


@pytest.mark.parametrize("page", ["login", "staff dashboard", "patient detail"])
def test_it_forbids_caching_sign_in_and_staff_pages(client, cast, page):
    response = _get(client, cast, page)

    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control


def test_it_marks_the_session_cookie_httponly_and_same_site(client, cast):
    response = client.post(reverse("account_login"), {"login": "prac", "password": TEST_PASSWORD})

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


# --- error pages ---------------------------------------------------------------------


def test_it_answers_an_unknown_url_with_the_friendly_page(client, db):
    response = client.get("/no-such-page/at-all/")

    body = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in body
    assert "Traceback" not in body
    assert "Page not found" not in body  # Django's technical 404 heading
    assert "urlpatterns" not in body and "needlepoint.urls" not in body


def test_it_answers_an_unknown_patient_with_the_friendly_page(client, cast):
    sign_in(client, cast.practitioner)
    url = reverse(
        "patients:patient-detail", kwargs={"public_id": "00000000-0000-4000-8000-000000000000"}
    )

    response = client.get(url)

    body = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in body
    assert "Traceback" not in body and "DoesNotExist" not in body


# --- production settings, in a fresh process -----------------------------------------


def production_env(**overrides: str | None) -> dict[str, str]:
    """Only what a server would have: none of the test run's variables (the conftest sets
    DJANGO_ALLOW_ASYNC_UNSAFE, which `check --deploy` rightly refuses)."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        DEBUG="0",
        NEEDLEPOINT_TESTING="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="clinic.example.com",
        DJANGO_SETTINGS_MODULE="needlepoint.settings",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


PRINT_SETTINGS = """
import json
import needlepoint.settings as s
print(json.dumps({name: getattr(s, name, None) for name in [
    "DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE",
]}))
"""


def test_it_passes_the_deployment_checklist_with_production_settings():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_turns_on_hsts_and_secure_cookies_in_production():
    result = run_python(["-c", PRINT_SETTINGS], production_env())

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= ONE_YEAR
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert values["CSRF_COOKIE_SAMESITE"] in {"Lax", "Strict"}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_it_refuses_to_start_in_production_without(missing):
    result = run_python(["-c", "import needlepoint.settings"], production_env(**{missing: None}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr
