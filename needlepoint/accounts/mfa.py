"""The second factor: whether a session passed it, and TOTP codes that work once.

allauth checks a TOTP code against the current 30-second time-step and, with `MFA_TOTP_TOLERANCE =
1`, the one before and the one after, so a code stays valid for up to 90 seconds. Its own "used
code" memory lasts one period (30 s), so a code could be replayed in the next window
(docs/security-targets.md B2). Here, as RFC 6238 §5.2 asks, each authenticator keeps the last
time-step it accepted (`Authenticator.data["last_counter"]`, written under a row lock) and refuses
any code from that step or an older one, for as long as it would otherwise be valid and after.

The hook is allauth's `MFA_FORMS`: the sign-in and re-authentication forms below check
TOTP codes through `totp_code_accept`, and the enrolment form remembers the step of the
code that proved the app works, so that code cannot then be used to sign in.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.core.internal.cryptokit import compare_user_code
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest

from needlepoint.accounts.models import StaffProfile

LAST_COUNTER = "last_counter"
# Session key: the time-step of the code that proved a new authenticator app works.
ENROL_COUNTER_SESSION_KEY = "np.mfa.totp.enrol_counter"


def session_passed_mfa(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)  # type: ignore[arg-type]
    return any(record.get("method") == "mfa" for record in records)


def authenticator_self_removal_allowed(user: AbstractBaseUser) -> bool:
    """Whether `user` may remove their own authenticator. Staff may not (docs/security-targets.md
    B6): their second factor is mandatory, and only the clinic owner resets it
    (`services.staff_authenticator_reset`). Patients manage their own."""
    return not StaffProfile.objects.filter(user_id=user.pk).exists()


# --- Pure: which time-steps a code belongs to -------------------------------------------


def totp_counters(now: float, *, period: int, tolerance: int) -> list[int]:
    """The time-steps whose codes are accepted at `now`, oldest first."""
    current = int(now) // period
    return [current + offset for offset in range(-tolerance, tolerance + 1)]


def totp_matching_counters(secret: str, code: str, counters: Iterable[int]) -> list[int]:
    """Those of `counters` whose code is `code` (compared in constant time)."""
    return [
        counter
        for counter in counters
        if compare_user_code(actual=code, expected=format_hotp_value(hotp_value(secret, counter)))
    ]


def totp_fresh_counter(matching: Iterable[int], last_counter: int | None) -> int | None:
    """The newest matching time-step after the last one accepted, or None: a code from the
    last accepted step or an older one is refused (RFC 6238 §5.2)."""
    fresh = [counter for counter in matching if last_counter is None or counter > last_counter]
    return max(fresh) if fresh else None


def _accepted_now(secret: str, code: str, now: float | None) -> list[int]:
    counters = totp_counters(
        time.time() if now is None else now,
        period=mfa_settings.TOTP_PERIOD,
        tolerance=mfa_settings.TOTP_TOLERANCE,
    )
    return totp_matching_counters(secret, code, counters)


# --- The check that records the step --------------------------------------------------


@transaction.atomic
def totp_code_accept(*, authenticator: Authenticator, code: str, now: float | None = None) -> bool:
    """Whether `code` signs in with this TOTP authenticator now. Accepting it records its
    time-step, under a row lock, so that neither it nor any code of that step or an older
    one is accepted again, whichever request comes second."""
    locked = Authenticator.objects.select_for_update().get(pk=authenticator.pk)
    secret = decrypt(locked.data["secret"])
    last = locked.data.get(LAST_COUNTER)
    counter = totp_fresh_counter(_accepted_now(secret, code, now), last)
    if counter is None:
        return False
    locked.data[LAST_COUNTER] = counter
    locked.save(update_fields=["data"])
    authenticator.data = locked.data
    return True


def totp_enrolment_record(*, authenticator: Authenticator, request: HttpRequest | None) -> None:
    """After enrolment: the code that proved the app works does not sign in afterwards."""
    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    counter = request.session.pop(ENROL_COUNTER_SESSION_KEY, None)
    if counter is None:
        return
    with transaction.atomic():
        locked = Authenticator.objects.select_for_update().get(pk=authenticator.pk)
        if locked.data.get(LAST_COUNTER) is None or locked.data[LAST_COUNTER] < counter:
            locked.data[LAST_COUNTER] = counter
            locked.save(update_fields=["data"])


# --- allauth's forms, with TOTP codes checked once (settings.MFA_FORMS) --------------------


class _CodeOnceMixin:
    """allauth's `BaseAuthenticateForm.clean_code`, with TOTP through `totp_code_accept`.
    Recovery codes keep allauth's own check (each is marked used under a row lock)."""

    user: AbstractBaseUser
    cleaned_data: dict
    authenticator: Authenticator

    def clean_code(self) -> str:
        clear_rate_limit = check_rate_limit(self.user)
        code = self.cleaned_data["code"]
        main: Authenticator | None = None
        candidates = Authenticator.objects.filter(user=self.user).exclude(
            type=Authenticator.Type.WEBAUTHN  # security keys take no typed codes
        )
        for authenticator in candidates:
            if main is None or authenticator.type == Authenticator.Type.TOTP:
                main = authenticator
            if authenticator.type == Authenticator.Type.TOTP:
                valid = totp_code_accept(authenticator=authenticator, code=code)
            else:
                valid = authenticator.wrap().validate_code(code)
            if valid:
                authenticator.user = self.user
                self.authenticator = authenticator
                clear_rate_limit()
                return code
        if main is not None:
            self._emit_authentication_failed(main)  # type: ignore[attr-defined]
        raise get_mfa_adapter().validation_error("incorrect_code")


class OnceAuthenticateForm(_CodeOnceMixin, AuthenticateForm):
    """The sign-in step: a TOTP code works once."""


class OnceReauthenticateForm(_CodeOnceMixin, ReauthenticateForm):
    """Re-authentication before a sensitive change: a TOTP code works once."""


class EnrolActivateTOTPForm(ActivateTOTPForm):
    """Enrolment: remembers the time-step of the code that proved the app works."""

    def clean_code(self) -> str:
        code = super().clean_code()
        matching = _accepted_now(self.secret, code, None)
        if matching:
            context.request.session[ENROL_COUNTER_SESSION_KEY] = max(matching)
        return code
