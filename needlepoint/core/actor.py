"""Who is acting: the small typed context a domain service receives instead of the request.

An interface builds it once, at the edge: `ActorMiddleware` attaches `request.actor` to every
request (built when first read, so after the staff login or the API token has been checked);
a background job or a management command builds its own (`Actor.system`). Services read it
for the audit row (who, from which address, on which path) and for the user who made a
change; they never see the `HttpRequest`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import SimpleLazyObject

from needlepoint.core.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@dataclass(frozen=True)
class Actor:
    user: User | None = None
    """The signed-in user or the API token's staff member; None for an anonymous visitor, a
    patient by signed link or the system."""
    organization: Organization | None = None
    label: str = ""
    """How the audit log names an actor without a user ("patient (consent link)", a job)."""
    address: str | None = None
    path: str = ""
    request_id: str = ""
    user_agent: str = ""
    """The browser's own description, kept with a patient's signature as evidence."""

    @classmethod
    def system(cls, *, organization: Organization | None = None, label: str = "system") -> Actor:
        """A job or a command acting on its own."""
        return cls(organization=organization, label=label)


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def actor_from_request(request: HttpRequest) -> Actor:
    user = getattr(request, "user", None)
    return Actor(
        user=user if user is not None and user.is_authenticated else None,
        organization=getattr(request, "organization", None),
        address=client_address(request),
        path=request.path[:300],
        request_id=getattr(request, "request_id", ""),
        user_agent=request.headers.get("User-Agent", "")[:300],
    )


class ActorMiddleware:
    """Give each request an id (the caller's `X-Request-ID` when it is a sane one) and its
    `request.actor`, and answer with the id so a support question can find the logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        request.actor = SimpleLazyObject(lambda: actor_from_request(request))  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
