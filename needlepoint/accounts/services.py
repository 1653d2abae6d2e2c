"""Writes for staff accounts."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import ApiToken, ScopeRule, StaffProfile
from needlepoint.accounts.roles import Role, role_may
from needlepoint.accounts.scope import UNLICENSED_FOR_NEEDLING, LicenceType, Procedure
from needlepoint.accounts.tasks import staff_invitation_send
from needlepoint.catalog.models import Competency
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction, Organization
from needlepoint.core.refusals import Refusal


@transaction.atomic
def staff_invite(
    *,
    organization: Organization,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    role: Role | str,
    title: str = "",
    by: Actor | None = None,
) -> StaffProfile:
    """Create a staff member with no usable password and mail them a link to choose one.

    Their first sign-in then makes them enrol an authenticator app before any staff page.
    """
    username = username.strip()
    email = email.strip().lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken."})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone already signs in with that email."})
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    profile = StaffProfile(user=user, organization=organization, role=role, title=title)
    profile.full_clean(exclude=["user", "organization"])
    profile.save()
    audit_record(
        action=AuditAction.CREATE,
        by=by,
        organization=organization,
        obj=profile,
        detail={"role": str(role)},
    )

    transaction.on_commit(lambda: staff_invitation_send.enqueue(user_id=user.pk))
    return profile


# --- Scope of practice and who changes a staff member (docs/security-targets.md A9) ---------------

SCOPE_DATA = Path(__file__).resolve().parent / "data" / "scope_of_practice.json"


class StaffChangeRefused(Refusal):
    """A change to the scope table or to a staff member that the rules do not allow."""


def default_scope_rules() -> list[dict[str, Any]]:
    return json.loads(SCOPE_DATA.read_text())


def scope_rules_seed(*, organization: Organization) -> int:
    """The New Mexico defaults (docs/clinical-rules.md §8) for a clinic that has no table yet; rows
    the clinic already has are left as they are. Returns how many rows were added."""
    added = 0
    for row in default_scope_rules():
        _, created = ScopeRule.objects.get_or_create(
            organization=organization,
            licence_type=row["licence_type"],
            defaults={k: v for k, v in row.items() if k != "licence_type"},
        )
        added += created
    return added


def _require_director(actor: StaffProfile, what: str) -> None:
    if actor.role != Role.MEDICAL_DIRECTOR:
        raise StaffChangeRefused("director_only", f"Only the medical director {what}.")


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise StaffChangeRefused(
            "reason_required", "Give the reason for this change.", field="reason"
        )
    return reason


SCOPE_FLAGS = tuple(p.value for p in Procedure)


def scope_rule_change_check(
    *, rule: ScopeRule, actor: StaffProfile, changes: dict[str, Any], reason: str
) -> list[str]:
    """The fields this change would change, or `StaffChangeRefused`: the medical director
    only, with a reason; enabling needling for a licence denied it by default
    (estheticians, medical assistants, the unlicensed) also needs the documented legal
    basis. Writes nothing, so a form can ask before it saves."""
    _require_director(actor, "changes the scope-of-practice table")
    _require_reason(reason)
    if actor.organization_id != rule.organization_id:
        raise StaffChangeRefused("not_found", "No such scope rule.")
    unknown = set(changes) - {*SCOPE_FLAGS, "legal_basis", "source_ids"}
    if unknown:
        raise ValueError(f"not scope fields: {sorted(unknown)}")
    after = {"microneedling": rule.microneedling, "legal_basis": rule.legal_basis, **changes}
    if (
        rule.licence_type in UNLICENSED_FOR_NEEDLING
        and after["microneedling"]
        and not str(after["legal_basis"]).strip()
    ):
        raise StaffChangeRefused(
            "legal_basis_required",
            f"{LicenceType(rule.licence_type).label}s are denied micro-needling in New "
            "Mexico by default (docs/clinical-rules.md §8): write the documented legal basis "
            "to enable it.",
            field="legal_basis",
        )
    return sorted(name for name, value in changes.items() if getattr(rule, name) != value)


@transaction.atomic
def scope_rule_update(
    *,
    rule: ScopeRule,
    actor: StaffProfile,
    changes: dict[str, Any],
    reason: str,
    by: Actor | None = None,
) -> ScopeRule:
    """Change one row of the scope table under `scope_rule_change_check`'s rules; audited
    with the fields changed and the reason."""
    locked = ScopeRule.objects.select_for_update().get(pk=rule.pk)
    changed = scope_rule_change_check(rule=locked, actor=actor, changes=changes, reason=reason)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.updated_by = actor
    locked.save()
    audit_record(
        action=AuditAction.UPDATE,
        by=by,
        organization=locked.organization,
        obj=locked,
        detail={"licence_type": locked.licence_type, "changed": changed, "reason": reason.strip()},
    )
    return locked


PROTECTED_FIELDS = frozenset(
    {"role", "licence_type", "licence_number", "licence_expires_on", "competencies"}
)
"""What nobody changes on their own profile (A9)."""


def staff_profile_change_check(
    *,
    profile: StaffProfile,
    actor: StaffProfile,
    changes: dict[str, Any],
    competencies: Iterable[Competency] | None = None,
    reason: str = "",
) -> list[str]:
    """The fields this change would change, or `StaffChangeRefused`: nobody changes their
    own role, licence or competencies (A9); only the medical director grants or removes
    clinical competencies, with a reason; only the owner or the director sets roles.
    Writes nothing, so a form can ask before it saves."""
    if actor.organization_id != profile.organization_id:
        raise StaffChangeRefused("not_found", "No such staff member.")
    changed = sorted(name for name, value in changes.items() if getattr(profile, name) != value)
    if competencies is not None:
        held = set(profile.competencies.values_list("pk", flat=True))
        if {c.pk for c in competencies} != held:
            changed.append("competencies")
    if PROTECTED_FIELDS.intersection(changed) and actor.pk == profile.pk:
        raise StaffChangeRefused(
            "self_change",
            "Nobody changes their own role, licence or competencies: ask the clinic owner "
            "or the medical director.",
        )
    if "competencies" in changed:
        _require_director(actor, "grants or removes clinical competencies")
        _require_reason(reason)
    if "role" in changed and actor.role not in (Role.OWNER, Role.MEDICAL_DIRECTOR):
        raise StaffChangeRefused("forbidden", "Only the owner or the medical director sets roles.")
    return changed


@transaction.atomic
def staff_profile_change(
    *,
    profile: StaffProfile,
    actor: StaffProfile,
    changes: dict[str, Any],
    competencies: Iterable[Competency] | None = None,
    reason: str = "",
    by: Actor | None = None,
) -> StaffProfile:
    """Change a staff member's profile under `staff_profile_change_check`'s rules; audited
    with the fields changed (never their values) and the reason."""
    locked = StaffProfile.objects.select_for_update().get(pk=profile.pk)
    competencies = None if competencies is None else list(competencies)
    changed = staff_profile_change_check(
        profile=locked, actor=actor, changes=changes, competencies=competencies, reason=reason
    )
    if not changed:
        return locked
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["user", "organization"])
    locked.save()
    if competencies is not None and "competencies" in changed:
        locked.competencies.set(competencies)
    audit_record(
        action=AuditAction.UPDATE,
        by=by,
        organization=locked.organization,
        obj=locked,
        detail={"changed": changed, **({"reason": reason.strip()} if reason.strip() else {})},
    )
    return locked


# --- A colleague's own credential (the two-person check, docs/clinical-rules.md §5 ID5) -----------


@dataclass(frozen=True)
class Credential:
    """What a second person types to confirm a step themselves: never picked from a list."""

    username: str
    password: str = field(default="", repr=False)


CREDENTIAL_TRIES = 5
CREDENTIAL_WINDOW_SECONDS = 15 * 60


class CredentialRefused(Refusal):
    """The second person's credential did not confirm them."""


def staff_credential_check(
    *, organization: Organization, credential: Credential, by: Actor | None = None
) -> StaffProfile:
    """The active staff member of `organization` whose own username and password these
    are. A wrong one is refused (`witness_not_verified`) and audited; after five wrong
    tries in 15 minutes for one username, it is refused for the rest of that time."""
    username = credential.username.strip()
    key = f"credential-tries:{organization.pk}:{username.casefold()}"
    tries = cache.get(key, 0)
    profile = (
        StaffProfile.objects.select_related("user", "organization")
        .filter(organization=organization, user__username__iexact=username, user__is_active=True)
        .first()
    )
    ok = (
        tries < CREDENTIAL_TRIES
        and profile is not None
        and profile.user.check_password(credential.password)
    )
    if not ok or profile is None:
        cache.set(key, tries + 1, CREDENTIAL_WINDOW_SECONDS)
        audit_record(
            action=AuditAction.DENIED,
            by=by,
            organization=organization,
            detail={"reason": "second-person credential refused"},
        )
        raise CredentialRefused(
            "witness_not_verified",
            "The second clinician's username and password did not match: they type their "
            "own, on this screen."
            + (" Too many tries: wait 15 minutes." if tries + 1 >= CREDENTIAL_TRIES else ""),
            field="witness",
        )
    cache.delete(key)
    return profile


# --- API tokens -----------------------------------------------------------------------

API_TOKEN_PREFIX = "np_"  # noqa: S105 - a prefix that marks the secrets, not one
# last_used_at is refreshed at most this often, so a busy client does not write every call.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def api_token_hash(secret: str) -> str:
    """What is stored for a secret. The secret has 256 random bits, so a plain SHA-256 is
    enough: there is nothing to guess, unlike a password."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def api_token_create(
    *, staff: StaffProfile, name: str, by: Actor | None = None
) -> tuple[ApiToken, str]:
    """A new token for `staff`, and its secret, which is never stored and cannot be shown
    again."""
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        staff=staff,
        name=name.strip()[:100] or "API token",
        key_hash=api_token_hash(secret),
        prefix=secret[:8],
    )
    audit_record(
        action=AuditAction.CREATE,
        by=by,
        actor=None if by is not None else staff.user,
        actor_label="" if by is not None else "manage.py api_token",
        organization=staff.organization,
        obj=token,
        detail={"for_staff": str(staff.public_id), "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, by: Actor | None = None, now: datetime | None = None
) -> ApiToken:
    """Revoke a token: the next request made with it is refused. Revoking twice is a no-op."""
    locked = ApiToken.objects.select_for_update().select_related("staff").get(pk=token.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = now or timezone.now()
    locked.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        action=AuditAction.UPDATE,
        by=by,
        organization=locked.staff.organization,
        obj=locked,
        detail={"revoked": True, "prefix": locked.prefix},
    )
    return locked


def api_token_mark_used(*, token: ApiToken, now: datetime | None = None) -> None:
    """Note when a token was last used (at most once a minute; a plain UPDATE, not audited:
    the request it serves is)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < API_TOKEN_TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# --- Authenticator reset (docs/security-targets.md B6) --------------------------------------------

RESET_REASON_MAX = 500


class StaffRefused(Refusal):
    """A staff-account change the rules do not allow; `code` names the rule, `field` the
    form field it concerns (if any)."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field=field)


def user_sessions_end(*, user: User, now: datetime | None = None) -> int:
    """Delete every live session of `user` (signed out everywhere); how many there were."""
    now = now or timezone.now()
    ended = []
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


@transaction.atomic
def staff_authenticator_reset(
    *,
    actor: StaffProfile,
    staff: StaffProfile,
    reason: str,
    by: Actor | None = None,
) -> StaffProfile:
    """The clinic owner removes another staff member's authenticator app and recovery
    codes, for example after a lost phone. That member is signed out everywhere and must
    enrol a new app at the next sign-in (the staff gate sends them there). Audited with
    the reason. Nobody resets their own: staff cannot remove their own second factor."""
    reason = (reason or "").strip()
    if not role_may(actor.role, "team.reset_authenticator"):
        raise StaffRefused("not_owner", "Only the clinic owner resets an authenticator.")
    if staff.organization_id != actor.organization_id:
        raise StaffRefused("other_organization", "That person is not on your clinic's staff.")
    if staff.pk == actor.pk or staff.user_id == actor.user_id:
        raise StaffRefused(
            "own_authenticator",
            "You cannot reset your own authenticator. Another owner of the clinic can.",
        )
    if not reason:
        raise StaffRefused("reason_required", "Say why the authenticator is reset.", "reason")
    if len(reason) > RESET_REASON_MAX:
        raise StaffRefused(
            "reason_too_long", f"Keep the reason under {RESET_REASON_MAX} characters.", "reason"
        )
    locked = StaffProfile.objects.select_for_update().select_related("user").get(pk=staff.pk)
    removed = Authenticator.objects.filter(
        user_id=locked.user_id,
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES],
    )
    removed_types = sorted(set(removed.values_list("type", flat=True)))
    removed.delete()
    sessions_ended = user_sessions_end(user=locked.user)
    audit_record(
        action=AuditAction.UPDATE,
        by=by,
        actor=actor.user,
        organization=actor.organization,
        obj=locked,
        detail={
            "authenticator_reset": True,
            "removed": removed_types,
            "sessions_ended": sessions_ended,
            "reason": reason,
        },
    )
    return locked
