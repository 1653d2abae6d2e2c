"""Signed links for patients without an account (manage a booking, answer the health
questionnaire, sign or withdraw a consent).

A token is an object's public id plus an HMAC of it under the site's secret and a salt per purpose:
it carries no name or date of birth (docs/security-targets.md D6), cannot be forged or moved to
another purpose, and is the same every time it is made, so a link in an email, on a page and in a
kiosk lock all agree. What a link may still do is decided by the object's state (a cancelled visit's
questionnaire is closed), not by the link's age."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing


def link_token(public_id: uuid.UUID, *, salt: str) -> str:
    return signing.Signer(salt=salt).sign(str(public_id))


def link_public_id(token: str, *, salt: str) -> uuid.UUID | None:
    """The public id a token was made for, or None for a forged or mangled token."""
    try:
        return uuid.UUID(signing.Signer(salt=salt).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def expiring_token(public_id: uuid.UUID, *, salt: str) -> str:
    """Like `link_token`, with the time it was made: for links that must run out (a
    one-time "this was me" link). Single use is the object's state, as for other links."""
    return signing.TimestampSigner(salt=salt).sign(str(public_id))


def expiring_public_id(token: str, *, salt: str, max_age: timedelta) -> uuid.UUID | None:
    """The public id of a token made within `max_age`, or None (forged, mangled, too old)."""
    try:
        return uuid.UUID(signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age))
    except (signing.BadSignature, ValueError):
        return None


def absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"
