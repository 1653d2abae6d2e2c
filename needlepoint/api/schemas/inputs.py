"""The API's input types. They validate strictly (slugs, bounded lengths, no control
characters, times with a UTC offset), so anything a client sends is refused with a 422 before
it reaches a query; and the range of days and starts a request may name."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, StringConstraints

from needlepoint.core.dates import local_today
from needlepoint.core.selectors import public_organization

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=50)]


def plain_text(value: str) -> str:
    """No control characters (NUL breaks PostgreSQL) and no lone surrogates (not UTF-8)."""
    if any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _email(value: str) -> str:
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise ValueError("enter a valid email address") from exc
    return value.lower()


def _phone(value: str) -> str:
    if sum(ch.isdigit() for ch in value) < 10:
        raise ValueError("enter a phone number with its area code")
    return value


def _date_of_birth(value: date) -> date:
    # Only the public booking takes one: today in the clinic's zone, which it serves.
    organization = public_organization()
    today = local_today(organization.default_timezone if organization else settings.TIME_ZONE)
    if value >= today or value.year < today.year - 120:
        raise ValueError("check the date of birth")
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(plain_text),
]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=300), AfterValidator(plain_text)
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
    AfterValidator(plain_text),
    AfterValidator(_email),
]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=10, max_length=30),
    AfterValidator(plain_text),
    AfterValidator(_phone),
]
DateOfBirth = Annotated[date, AfterValidator(_date_of_birth)]

# A start further than this from now is no offered time: answered as such before any date
# arithmetic could overflow (locations book at most 730 days ahead).
START_WINDOW = timedelta(days=800)


def out_of_reach(start: datetime, now: datetime) -> bool:
    return abs(start - now) > START_WINDOW


# Days outside this range are refused rather than turned into times (no overflow, no nonsense).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
