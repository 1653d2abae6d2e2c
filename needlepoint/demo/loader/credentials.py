"""The demo logins: their shared password, fixed TOTP secrets and current codes."""

from __future__ import annotations

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

# Shared by every demo login. Public on purpose: never load the demo into production.
DEMO_PASSWORD = "needlepoint-demo-2026"  # noqa: S105

# Fixed base32 TOTP secrets (20 random bytes each) so a newcomer can add them to an
# authenticator app, or run `manage.py demo_totp`, and sign in as any demo staff member.
DEMO_TOTP_SECRETS: dict[str, str] = {
    "owner": "QF4SNPIOPEF5XBKIJE5IPO4Q4PI6ELIJ",
    "director": "SLY4NW5U2VIGYWRFEWKLQ6SAMD4KXO44",
    "practitioner": "W6VAMGCWAJYS4JKU4JC77AMOWHUHDGIF",
    "frontdesk": "S6SHYMZG646NJ3TJBA7RT2BORJJ5BJNB",
    "priya": "HPREWMDH2JIA7PCBPYTUCO7EXY2IM5BT",
    "sam": "E3QQSNJE6SXP3E27T4MOCJHNQGOZRT77",
    "luz": "PXO4LRVKGFJDPSTZIVOWXFUD6NL56A6Q",
}
MAIN_DEMO_USERNAMES = ("owner", "director", "practitioner", "frontdesk")
DEMO_PATIENT_USERNAME = "patient"


def demo_totp_code(username: str, at: float | None = None) -> str:
    """The demo user's TOTP code for the 30-second step containing `at` (default: now).

    allauth refuses a code it has already accepted once in its period, so a test that
    logs the same user in twice should wait for the next step or pass `at` accordingly.
    """
    secret = DEMO_TOTP_SECRETS[username]
    moment = time.time() if at is None else at
    counter = int(moment) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def demo_totp_seconds_left(at: float | None = None) -> int:
    """Seconds until the current TOTP step ends and the next code starts."""
    moment = time.time() if at is None else at
    period = mfa_settings.TOTP_PERIOD
    return period - int(moment) % period
