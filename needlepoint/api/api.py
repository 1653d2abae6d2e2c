"""The JSON API, version 1 (contract: docs/api-contract.md), served under /api/v1/.

Every error is `{"code", "message", "errors"?}` with a 4xx status; anything unexpected is a
logged 500 with the same shape and no internals. Views only parse, check access, call one
selector or service of a domain app and serialize.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from needlepoint.api.errors import ApiError
from needlepoint.api.routers import clinical, public, staff
from needlepoint.api.schemas import slot_out
from needlepoint.core.refusals import Refusal
from needlepoint.scheduling.services import SlotUnavailable

logger = logging.getLogger("needlepoint.api")

DESCRIPTION = """\
Needlepoint's JSON API (contract: docs/api-contract.md).

* **Public** operations (tag `public`) need no authentication and are rate-limited per
  client address; they serve the clinic's locations, services, free times and online booking.
* **Staff** operations (tag `staff`) take `Authorization: Bearer <token>`. Tokens belong to a
  staff member and carry their role; create one under *API tokens* in the staff area or with
  `manage.py api_token <username>`.

Times are ISO 8601 with the location's UTC offset; dates are interpreted in the location's
time zone. Identifiers are UUIDs or slugs. Errors are
`{"code": "...", "message": "...", "errors": [...]}` with a 4xx status.
"""


api = NinjaAPI(
    title="Needlepoint API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    *,
    errors: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    return api.create_response(request, body, status=status)


def _field_errors(raw: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic's errors as `{field, message, type}`, without echoing the input back."""
    out = []
    for error in raw:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", "<param>", "patient", "email") -> "patient.email"; ("query", "start") -> "start"
        if loc and loc[0] == "body":
            loc = loc[2:] if len(loc) > 1 else []
        elif loc:
            loc = loc[1:]
        message = str(error.get("msg", "Invalid value.")).removeprefix("Value error, ")
        out.append(
            {
                "field": ".".join(loc) or "body",
                "message": message,
                "type": str(error.get("type", "invalid")),
            }
        )
    return out


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(
        request, exc.status, exc.code, exc.message, errors=exc.errors, extra=exc.extra
    )


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return error_response(
        request,
        422,
        "invalid",
        "Some of what was sent is not valid; see errors.",
        errors=_field_errors(exc.errors),
    )


@api.exception_handler(DjangoValidationError)
def _model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = [
        {"field": field if field != "__all__" else "body", "message": message, "type": "invalid"}
        for field, messages in (exc.message_dict if hasattr(exc, "error_dict") else {}).items()
        for message in messages
    ] or [{"field": "body", "message": message, "type": "invalid"} for message in exc.messages]
    return error_response(
        request, 422, "invalid", "Some of what was sent is not valid; see errors.", errors=errors
    )


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request,
        401,
        "unauthorized",
        "Send a valid staff API token: Authorization: Bearer <token>.",
    )
    response["WWW-Authenticate"] = 'Bearer realm="needlepoint"'
    return response


@api.exception_handler(AuthorizationError)
def _forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return error_response(request, 403, "forbidden", "Your role may not do this.")


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", "Your role may not do this.")


@api.exception_handler(Throttled)
def _rate_limited(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = error_response(
        request,
        429,
        "rate_limited",
        "Too many requests from this address. Wait a minute and try again.",
    )
    if exc.wait:
        response["Retry-After"] = str(math.ceil(exc.wait))
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) if str(exc).startswith("No such") else "Not found."
    return error_response(request, 404, "not_found", message)


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return error_response(request, 404, "not_found", "Not found.")


@api.exception_handler(SlotUnavailable)
def _slot_unavailable(request: HttpRequest, exc: SlotUnavailable) -> HttpResponse:
    return error_response(
        request,
        409,
        "slot_unavailable",
        "That time is not free (it was taken, or is not a time offered). "
        "Pick one of the alternatives or ask /availability again.",
        extra={"alternatives": [slot_out(o).model_dump(mode="json") for o in exc.alternatives]},
    )


@api.exception_handler(Refusal)
def _refusal(request: HttpRequest, exc: Refusal) -> HttpResponse:
    """Every domain refusal: its own status, code and message (core/refusals.py)."""
    return error_response(
        request, exc.status, exc.code, exc.message, errors=exc.errors(), extra=exc.details()
    )


_HTTP_CODES = {
    400: ("bad_request", "The request could not be read (is the body JSON?)."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = _HTTP_CODES.get(exc.status_code, ("error", "The request was refused."))
    return error_response(request, exc.status_code, code, message)


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Django answers these 400 too: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a bad Host…
    logger.warning("Refused API request on %s: %s", request.path, type(exc).__name__)
    return error_response(request, 400, "bad_request", "The request was refused as malformed.")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(
        request,
        500,
        "server_error",
        "Something went wrong on our side. It has been logged; please try again later.",
    )


api.add_router("", public.router, tags=["public"])
api.add_router("", staff.router, tags=["staff"])
api.add_router("", clinical.router, tags=["staff"])
