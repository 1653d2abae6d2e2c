"""Roles and what each may do: the one place where access rules live.

Views and API routes name a permission; `has_permission` answers from this table. A
permission missing here is refused for everyone, so a typo fails closed.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Clinic owner"
    MEDICAL_DIRECTOR = "medical_director", "Medical director"
    PRACTITIONER = "practitioner", "Practitioner"
    FRONT_DESK = "front_desk", "Front desk"


ALL_STAFF = frozenset(Role)
CLINICAL = frozenset({Role.MEDICAL_DIRECTOR, Role.PRACTITIONER})
LEADERSHIP = frozenset({Role.OWNER, Role.MEDICAL_DIRECTOR})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "dashboard.view": ALL_STAFF,
    "calendar.view": ALL_STAFF,
    "appointments.manage": ALL_STAFF,
    "appointments.view": ALL_STAFF,
    "api_tokens.manage": ALL_STAFF,
    "patients.list": ALL_STAFF,
    "patients.view": ALL_STAFF,
    "patients.view_access_history": LEADERSHIP,
    # The desk decides possible duplicates (docs/security-targets.md A8): merge, or keep apart.
    "patients.merge": frozenset({Role.OWNER, Role.MEDICAL_DIRECTOR, Role.FRONT_DESK}),
    "audit.view": LEADERSHIP,
    "admin.configure": LEADERSHIP,
    "clinical.view": CLINICAL,
    "calendar_feed.manage": CLINICAL,
    "screening.evaluate": CLINICAL,
    "clinical.chart": CLINICAL,
    "clinical.recall": LEADERSHIP,
    "clinical.incidents": LEADERSHIP,
    "screening.edit": frozenset({Role.MEDICAL_DIRECTOR}),
    "screening.review": frozenset({Role.MEDICAL_DIRECTOR}),
    "clinical.cosign": frozenset({Role.MEDICAL_DIRECTOR}),
    "consents.view": ALL_STAFF,
    "team.view": frozenset({Role.OWNER}),
    # Money: everyone on staff takes payments; refunds above the desk's limit are the owner's.
    "billing.take_payment": ALL_STAFF,
    "billing.refund_above_limit": frozenset({Role.OWNER}),
    "team.reset_authenticator": frozenset({Role.OWNER}),
}


def role_may(role: str | None, permission: str) -> bool:
    if role is None:
        return False
    return role in PERMISSIONS.get(permission, frozenset())
