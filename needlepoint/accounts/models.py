"""Staff accounts: role, licence and competencies on top of Django's user."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from needlepoint.accounts.roles import Role
from needlepoint.accounts.scope import LicenceType, Procedure
from needlepoint.core.models import OrganizationScopedModel, TimeStampedModel


class StaffProfile(OrganizationScopedModel):
    """Makes a user a member of a clinic's staff. Users without one are patients."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profile"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    title = models.CharField(max_length=100, blank=True, help_text="e.g. RN, MD, NP.")
    licence_type = models.CharField(
        max_length=32,
        choices=LicenceType.choices,
        default=LicenceType.NONE,
        help_text="What the scope-of-practice table reads (docs/clinical-rules.md §8).",
    )
    licence_number = models.CharField(max_length=60, blank=True)
    licence_expires_on = models.DateField(null=True, blank=True)
    competencies = models.ManyToManyField("catalog.Competency", blank=True, related_name="staff")
    locations = models.ManyToManyField("resources.Location", blank=True, related_name="staff")

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        full = self.user.get_full_name()
        return f"{full}, {self.title}" if full and self.title else full or self.user.get_username()

    def licence_expires_within(self, days: int, *, today: date) -> bool:
        if self.licence_expires_on is None:
            return False
        return (self.licence_expires_on - today).days <= days


class ApiToken(TimeStampedModel):
    """A staff member's key to the JSON API. It carries that member's role, read afresh on
    every request. Only a SHA-256 of the secret is stored; the secret is shown once."""

    staff = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What it is for, e.g. Front desk tablet.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=8, editable=False, help_text="The secret's first characters, to recognise it."
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScopeRule(OrganizationScopedModel):
    """One row of the clinic's scope-of-practice table (docs/clinical-rules.md §8): what a licence
    type may do. Seeded with the New Mexico defaults and their source ids; only the medical director
    changes a row, with a reason (`accounts.services.scope_rule_update`)."""

    licence_type = models.CharField(max_length=32, choices=LicenceType.choices)
    microneedling = models.BooleanField("Perform micro-needling", default=False)
    prp_phlebotomy = models.BooleanField("Draw blood for PRP", default=False)
    order_depth = models.BooleanField("Order depths above the area default", default=False)
    sign_alone = models.BooleanField("Sign without co-signature", default=False)
    legal_basis = models.TextField(
        blank=True,
        help_text="Why the row says what it says (required to enable needling "
        "for estheticians, medical assistants or the unlicensed).",
    )
    source_ids = models.CharField(max_length=100, blank=True)
    updated_by = models.ForeignKey(
        StaffProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["licence_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "licence_type"], name="scope_rule_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.get_licence_type_display()

    @property
    def procedures(self) -> frozenset[Procedure]:
        return frozenset(p for p in Procedure if getattr(self, p.value))
