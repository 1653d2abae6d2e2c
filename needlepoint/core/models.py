"""Core models: the organization that owns everything, shared base classes, the audit log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    """Base for rows that show up in URLs: an opaque UUID, never the sequential key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Organization(TimeStampedModel):
    """A clinic business. Every other row belongs to exactly one organization."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    website = models.URLField(blank=True)
    default_timezone = models.CharField(max_length=64, default="America/Denver")

    def __str__(self) -> str:
        return self.name


class OrganizationScopedModel(TimeStampedModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    EXPORT = "export", "Exported"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    LOGIN_FAILED = "login_failed", "Login failed"
    LOCKOUT = "lockout", "Locked out"
    MFA_FAILED = "mfa_failed", "MFA code refused"
    MFA_ENROLLED = "mfa_enrolled", "MFA enrolled"
    SESSION_EXPIRED = "session_expired", "Session expired"
    DENIED = "denied", "Access denied"


class AuditEvent(models.Model):
    """One append-only row per security-relevant event.

    Database triggers refuse UPDATE and DELETE (see `core.audit_triggers`); each row's
    `row_hash` covers its own fields and the previous row's hash, so `manage.py
    audit_verify` names any row changed behind the application's back. Rows hold ids and
    codes, never PHI values (no names, answers or notes).
    """

    occurred_at = models.DateTimeField(db_index=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patient_ref = models.CharField(max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["organization", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
