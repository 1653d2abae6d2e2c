"""Sending text messages: a one-method interface and two implementations.

`SMS_BACKEND` names the class (a dotted path). `ConsoleSmsBackend` is the default and only
logs; `TwilioSmsBackend` posts to Twilio's Messages API with the standard library. Backends
raise `SmsError` for anything the caller may retry; its message names a status or provider
error code, never the number or the text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger("needlepoint.sms")


class SmsError(Exception):
    """The provider refused or could not be reached. The message carries no PHI."""


class SmsBackend(Protocol):
    def send(self, to: str, body: str) -> str:
        """Send `body` to `to` (E.164, e.g. +15055550199); return the provider's id."""
        ...


def masked(number: str) -> str:
    """A number fit for logs: only its last two digits."""
    return f"…{number[-2:]}" if len(number) > 2 else "…"


class ConsoleSmsBackend:
    """Development default: nothing leaves the machine. The text is logged only with DEBUG
    on, so a production install without an SMS provider does not put messages in its logs."""

    def send(self, to: str, body: str) -> str:
        message_id = f"console-{uuid.uuid4().hex}"
        if settings.DEBUG:
            logger.info("SMS to %s (not sent, console backend):\n%s", masked(to), body)
        else:
            logger.warning(
                "SMS to %s not sent: no SMS provider is configured (%d characters)",
                masked(to),
                len(body),
            )
        return message_id


class TwilioSmsBackend:
    """Twilio's REST API: POST /2010-04-01/Accounts/{sid}/Messages.json, basic auth."""

    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        from_number: str | None = None,
        api_base: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.account_sid = account_sid or settings.TWILIO_ACCOUNT_SID
        self.auth_token = auth_token or settings.TWILIO_AUTH_TOKEN
        self.from_number = from_number or settings.TWILIO_FROM_NUMBER
        self.api_base = (api_base or settings.TWILIO_API_BASE).rstrip("/")
        self.timeout = timeout
        if not (self.account_sid and self.auth_token and self.from_number):
            raise ImproperlyConfigured(
                "TwilioSmsBackend needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_FROM_NUMBER."
            )
        if urlsplit(self.api_base).scheme not in {"https", "http"}:
            raise ImproperlyConfigured("TWILIO_API_BASE must be an http(s) URL.")

    def send(self, to: str, body: str) -> str:
        url = f"{self.api_base}/2010-04-01/Accounts/{quote(self.account_sid)}/Messages.json"
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = Request(  # noqa: S310 - the scheme is checked in __init__
            url,
            data=urlencode({"To": to, "From": self.from_number, "Body": body}).encode(),
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "User-Agent": "Needlepoint",
            },
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = json.loads(response.read() or b"{}")
        except HTTPError as exc:
            raise SmsError(f"Twilio answered {exc.code}{_twilio_code(exc)}") from None
        except (URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"Twilio unreachable ({type(exc).__name__})") from None
        except ValueError:
            raise SmsError("Twilio answered with something other than JSON") from None
        message_id = payload.get("sid") if isinstance(payload, dict) else None
        if not message_id:
            raise SmsError("Twilio answered without a message id")
        return str(message_id)


def _twilio_code(exc: HTTPError) -> str:
    """Twilio's numeric error code (e.g. 21211, invalid 'To'); its message text is left out
    because it repeats the phone number."""
    try:
        code = json.loads(exc.read() or b"{}").get("code")
    except (ValueError, AttributeError, OSError):
        return ""
    return f" (error {int(code)})" if isinstance(code, int) else ""


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def twilio_signature(url: str, params: Mapping[str, Any], auth_token: str) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 over the URL followed by each POST field's
    name and value, fields sorted by name; base64-encoded."""
    getlist = getattr(params, "getlist", None)
    payload = url
    for name in sorted(params):
        values = getlist(name) if getlist else [params[name]]
        for value in sorted(values):
            payload += f"{name}{value}"
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(
    url: str, params: Mapping[str, Any], auth_token: str, signature: str
) -> bool:
    if not signature:
        return False
    return hmac.compare_digest(twilio_signature(url, params, auth_token), signature)
