"""Signed links for patients without an account (manage a booking, answer the health
questionnaire, sign or withdraw a consent).

A token is an object's public id plus an HMAC of it under the site's secret and a salt per
purpose: it carries no name or date of birth (SECURITY.md D6), cannot be forged or moved to
another purpose, and is the same every time it is made, so a link in an email, on a page and
in a kiosk lock all agree. What a link may still do is decided by the object's state (a
cancelled visit's questionnaire is closed), not by the link's age.
"""

from __future__ import annotations

import uuid

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


def absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"
