"""Public operations: the clinic's locations, services, free times and online booking.

No authentication; each family is rate-limited per client address. They serve the install's
clinic (the first organization), like the public site.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, timedelta
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router
from ninja.responses import Status

from needlepoint.api.auth import throttled
from needlepoint.api.errors import invalid
from needlepoint.api.schemas import (
    SLUG_PATTERN,
    AvailabilityOut,
    BookingIn,
    BookingOut,
    CodeName,
    Error,
    LocationOut,
    ServiceOut,
    SlotUnavailableError,
    booking_out,
    out_of_reach,
    slot_out,
)
from needlepoint.catalog.models import Service
from needlepoint.catalog.selectors import service_get, service_list
from needlepoint.core.dates import local_day
from needlepoint.core.models import Organization
from needlepoint.core.selectors import public_organization
from needlepoint.resources.models import Location
from needlepoint.resources.selectors import location_get, location_list
from needlepoint.scheduling.models import AppointmentSource
from needlepoint.scheduling.online import Booker, appointment_book_online
from needlepoint.scheduling.selectors import availability_get, practitioner_get_eligible
from needlepoint.scheduling.services import SlotUnavailable, next_offers

router = Router()

MAX_RANGE_DAYS = 62
RATE_LIMITED = {429: Error}


def _organization() -> Organization:
    organization = public_organization()
    if organization is None:
        raise Http404("No such clinic: none is set up yet.")
    return organization


def _location(slug: str) -> Location:
    return location_get(organization=_organization(), slug=slug)


def _service(organization: Organization, slug: str) -> Service:
    return service_get(organization=organization, slug=slug)


@router.get(
    "/locations",
    response={200: list[LocationOut], **RATE_LIMITED},
    operation_id="location_list",
    url_name="location_list",
    summary="List the clinic's locations",
    description="Active locations with their IANA time zone and address.",
    throttle=throttled("catalog"),
)
def location_list_view(request: HttpRequest):
    organization = public_organization()
    if organization is None:
        return []
    return [
        LocationOut(
            slug=loc.slug,
            name=loc.name,
            timezone=loc.timezone,
            address=loc.address,
            phone=loc.phone,
        )
        for loc in location_list(organization=organization)
    ]


@router.get(
    "/services",
    response={200: list[ServiceOut], **RATE_LIMITED},
    operation_id="service_list",
    url_name="service_list",
    summary="List the services that can be booked online",
    description="Duration is the whole visit (numbing, treatment, cleaning…); price is a "
    "decimal string.",
    throttle=throttled("catalog"),
)
def service_list_view(request: HttpRequest):
    organization = public_organization()
    if organization is None:
        return []
    return [
        ServiceOut(
            slug=service.slug,
            name=service.name,
            kind=service.kind,
            summary=service.summary,
            duration_minutes=service.duration_minutes,
            price=f"{service.price:.2f}",
            uses_prp=service.uses_prp,
            requires_prior_consultation=service.requires_prior_consultation,
            areas=[CodeName(code=a.code, name=a.name) for a in service.areas.all()],
            indications=[CodeName(code=i.code, name=i.name) for i in service.indications.all()],
        )
        for service in service_list(organization=organization)
    ]


@router.get(
    "/availability",
    response={200: AvailabilityOut, 404: Error, 422: Error, **RATE_LIMITED},
    operation_id="availability_get",
    url_name="availability_get",
    summary="Free start times for a service at a location",
    description=(
        "Bookable starts between two dates (inclusive, in the location's time zone), at most "
        f"{MAX_RANGE_DAYS} days apart (else 422 `range_too_long`), sorted by start. Each "
        "start is offered once, with the first practitioner free then, unless a practitioner "
        "is asked for. Days in the past or beyond the booking horizon have no slots. An "
        "unknown location, service or practitioner is 404 `not_found`."
    ),
    throttle=throttled("availability"),
)
def availability_view(
    request: HttpRequest,
    location: Annotated[
        str, Query(description="Location slug.", pattern=SLUG_PATTERN, max_length=50)
    ],
    service: Annotated[
        str, Query(description="Service slug.", pattern=SLUG_PATTERN, max_length=50)
    ],
    start: Annotated[date, Query(description="First day, YYYY-MM-DD.")],
    end: Annotated[date, Query(description="Last day (inclusive), YYYY-MM-DD.")],
    practitioner: Annotated[uuid.UUID | None, Query(description="A practitioner's id.")] = None,
):
    if end < start:
        raise invalid("end", "end must be the same day as start or later.")
    if (end - start).days > MAX_RANGE_DAYS:
        raise invalid(
            "end",
            f"Ask for at most {MAX_RANGE_DAYS} days at a time.",
            code="range_too_long",
            type_="range_too_long",
        )
    organization = _organization()
    where = location_get(organization=organization, slug=location)
    what = _service(organization, service)
    who = (
        practitioner_get_eligible(location=where, service=what, public_id=str(practitioner))
        if practitioner
        else None
    )
    now = timezone.now()
    today = local_day(now, where.zone)
    first = max(start, today)
    last = min(end, today + timedelta(days=where.booking_horizon_days))
    offers = (
        availability_get(
            location=where,
            service=what,
            first_day=first,
            last_day=last,
            now=now,
            practitioner=who,
            one_per_start=True,
        )
        if first <= last
        else []
    )
    offers.sort(key=lambda offer: offer.start)
    return AvailabilityOut(
        location=where.slug,
        service=what.slug,
        timezone=where.timezone,
        slots=[slot_out(offer) for offer in offers],
    )


def request_fingerprint(body: BookingIn) -> str:
    """SHA-256 of the canonical JSON of the parsed body: the same booking sent again with the
    same Idempotency-Key is recognised whatever its key order, spacing or time notation."""
    data = body.model_dump(mode="json")
    data["start"] = body.start.astimezone(UTC).isoformat()  # one instant, one spelling
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@router.post(
    "/bookings",
    response={
        201: BookingOut,
        400: Error,
        404: Error,
        409: SlotUnavailableError,
        422: Error,
        **RATE_LIMITED,
    },
    operation_id="booking_create",
    url_name="booking_create",
    summary="Book an appointment",
    description=(
        "Books `service` at `location` at `start` (a start from /availability), with the "
        "practitioner asked for or anyone free. The booking goes on a record of its own: "
        "typed details never open an existing record (a look-alike is flagged for the "
        "clinic, and the email on file is asked whether it was them). 409 "
        "`slot_unavailable` when the time was taken or never existed, with `alternatives`; "
        "422 `invalid` with field errors; 422 with a booking rule's code (`series_interval`, "
        "`consultation_required`, `screening_blocked`) when a clinic rule refuses it, saying "
        "nothing of other records' visits. With an `Idempotency-Key` header, sending the "
        "same body again returns the first booking (201, same id) instead of a second one; "
        "the same key with another body is 409 `idempotency_conflict`. An unknown location, "
        "service or practitioner is 404 `not_found`."
    ),
    throttle=throttled("bookings"),
)
def booking_create_view(
    request: HttpRequest,
    body: BookingIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Any unique string (e.g. a UUID) to make retries safe.",
        pattern=r"^[!-~]+$",
        max_length=100,
    ),
):
    organization = _organization()
    where = location_get(organization=organization, slug=body.location)
    what = _service(organization, body.service)
    who = (
        practitioner_get_eligible(location=where, service=what, public_id=str(body.practitioner))
        if body.practitioner
        else None
    )
    now = timezone.now()
    if out_of_reach(body.start, now):
        raise SlotUnavailable(
            "That time is not offered.",
            next_offers(location=where, service=what, after=now, now=now, practitioner=who),
        )
    key = idempotency_key or ""
    # A new record of its own, created in the booking's transaction (scheduling/online.py).
    appointment = appointment_book_online(
        location=where,
        service=what,
        start=body.start,
        booker=Booker(
            first_name=body.patient.first_name,
            last_name=body.patient.last_name,
            email=body.patient.email,
            date_of_birth=body.patient.date_of_birth,
            phone=body.patient.phone,
        ),
        source=AppointmentSource.API,
        practitioner=who,
        idempotency_key=key,
        fingerprint=request_fingerprint(body) if key else "",
        by=request.actor,
        now=now,
    )
    return Status(201, booking_out(appointment))
