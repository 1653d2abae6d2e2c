"""Shared pieces of the API tests: a bookable clinic for the personas, a booked appointment,
one API token per staff persona, and small request helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.test import Client

from needlepoint.accounts.services import api_token_create
from needlepoint.scheduling.models import Appointment
from needlepoint.scheduling.services import appointment_book
from tests.support.personas import Cast
from tests.support.scheduling_world import World, at, make_world

API = "/api/v1"
# "Now" for API tests: a Monday morning a week before the Monday that gets booked.
NOW = at(2027, 1, 4, 8)
MONDAY = date(2027, 1, 11)
STAFF_PERSONAS = ["frontdesk", "practitioner", "director", "owner"]


@dataclass
class ApiWorld:
    cast: Cast
    world: World
    appointment: Appointment
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, persona: str) -> str | None:
        return self.tokens.get(persona)


def make_api_world(cast: Cast) -> ApiWorld:
    """The personas' clinic made bookable, Paloma booked on Monday at 10:00, and a token for
    every staff persona and for the outsider."""
    world = make_world(clinic=cast.clinic)
    appointment = appointment_book(
        location=world.location,
        service=world.face,
        start=at(2027, 1, 11, 10),
        patient=cast.patient,
        source="phone",
        now=NOW,
    )
    tokens = {}
    for persona in [*STAFF_PERSONAS, "outsider"]:
        user = getattr(cast, persona)
        _token, secret = api_token_create(staff=user.staff_profile, name=f"{persona} tablet")
        tokens[persona] = secret
    return ApiWorld(cast=cast, world=world, appointment=appointment, tokens=tokens)


def bearer(secret: str | None) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}


def get(client: Client, path: str, *, token: str | None = None, **params: Any):
    return client.get(f"{API}{path}", params, **bearer(token))


def post(
    client: Client,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
):
    extra = bearer(token)
    for name, value in (headers or {}).items():
        extra[f"HTTP_{name.upper().replace('-', '_')}"] = value
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(f"{API}{path}", data, content_type="application/json", **extra)


def booking_body(world: World, start, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "location": world.location.slug,
        "service": world.face.slug,
        "start": start.isoformat(),
        "patient": {
            "first_name": "Rosa",
            "last_name": "Tafoya",
            "email": "rosa.tafoya@example.com",
            "phone": "(505) 555-0142",
            "date_of_birth": "1987-06-02",
        },
    }
    patient = changes.pop("patient", None)
    if patient:
        body["patient"].update(patient)
    body.update(changes)
    return body
