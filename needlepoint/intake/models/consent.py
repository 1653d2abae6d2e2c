"""Consent documents (versioned; published once, never edited) and patients' signatures.

Signatures and withdrawals are append-only: database triggers refuse UPDATE and DELETE on SQLite and
PostgreSQL (installed by migration 0004, see `install_consent_triggers`), and a published document
can be neither changed nor deleted. A clinic changes a form by publishing a new version, which asks
every patient to sign again (docs/clinical-rules.md §9)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q

from needlepoint.core.models import OrganizationScopedModel

__all__ = ["ConsentDocument", "ConsentKind", "ConsentSignature", "ConsentWithdrawal"]


class ConsentKind(models.TextChoices):
    MICRO_NEEDLING = "micro_needling", "Micro-needling"
    PRP = "prp", "Platelet-rich plasma (PRP) add-on"
    MEDICAL_PHOTOS = "medical_photos", "Photos for your medical record"
    MARKETING_PHOTOS = "marketing_photos", "Marketing use of your photos"


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes are refused here too, before the database triggers would refuse them."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model.__name__} rows are never changed.")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} rows are never deleted.")


class ConsentDocument(OrganizationScopedModel):
    """One version of a consent form. The text may name `${clinic}`, `${practitioner}`,
    `${medical_director}` and `${valid_months}`; they are filled in when the patient reads
    and signs, and the filled-in text is what the signature keeps. Not medical advice: the
    shipped text is a starting point that each clinic's medical director owns."""

    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    version = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=200)
    body = models.TextField(
        help_text="Plain text: '## ' starts a heading, '- ' a list item, other lines are "
        "paragraphs."
    )
    valid_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How long a signature lasts (docs/clinical-rules.md §9: default 12 months, U).",
    )
    source_ids = models.CharField(
        max_length=200, help_text="docs/clinical-rules.md source ids, e.g. S5, S11."
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Once set, the document is never changed."
    )

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "version"], name="consent_document_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_months__gte=1, valid_months__lte=60),
                name="consent_document_valid_months_range",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="consent_document_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def save(self, *args, **kwargs):
        if (
            self.pk is not None
            and ConsentDocument.objects.filter(pk=self.pk, published_at__isnull=False).exists()
        ):
            raise PermissionError("A published consent document is never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Consent documents are never deleted.")


class ConsentSignature(OrganizationScopedModel):
    """A patient's signature on one document version: immutable, and hashed so that `consent_verify`
    can show it is unchanged (docs/security-targets.md C4)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consent_signatures"
    )
    document = models.ForeignKey(
        ConsentDocument, on_delete=models.PROTECT, related_name="signatures"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consent_signatures",
    )
    document_text = models.TextField(help_text="The text as the patient read it, names filled in.")
    typed_name = models.CharField(max_length=200)
    signature_png = models.BinaryField(help_text="The drawn signature, re-encoded as PNG.")
    signed_at = models.DateTimeField()
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    expires_on = models.DateField(help_text="The first day on which it no longer counts.")
    content_sha256 = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "document", "-expires_on"]),
            models.Index(fields=["organization", "-signed_at"]),
        ]

    def __str__(self) -> str:
        return f"Consent {self.public_id}"

    @property
    def valid_through(self) -> date:
        """The last day on which the signature counts."""
        return self.expires_on - timedelta(days=1)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("A signed consent is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("A signed consent is never deleted.")


class ConsentWithdrawal(OrganizationScopedModel):
    """The patient's withdrawal of a (marketing) authorization. The signature itself is
    left as it was; this row records when, by whom and why it stopped counting."""

    signature = models.OneToOneField(
        ConsentSignature, on_delete=models.PROTECT, related_name="withdrawal"
    )
    withdrawn_at = models.DateTimeField()
    by_patient = models.BooleanField(
        help_text="True when the patient withdrew through their link; false when staff "
        "recorded it on the patient's request."
    )
    staff = models.ForeignKey(
        "accounts.StaffProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-withdrawn_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(by_patient=True, staff__isnull=True)
                | (Q(by_patient=False, staff__isnull=False) & ~Q(reason="")),
                name="consent_withdrawal_by_patient_or_staff_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Withdrawal of {self.signature_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("A withdrawal is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("A withdrawal is never deleted.")


# --- Append-only triggers ---------------------------------------------------------------
# Installed by migration 0004. Tests that flush a SQLite database (browser tests) drop them
# for the flush and put them back after, as the root conftest does for the audit table.

_APPEND_ONLY = ("intake_consentsignature", "intake_consentwithdrawal")
_DOCUMENTS = "intake_consentdocument"

_SQLITE_INSTALL = [
    *(
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}
            BEGIN SELECT RAISE(ABORT, 'signed consents are append-only: {op} refused'); END"""
        for table in _APPEND_ONLY
        for op in ("UPDATE", "DELETE")
    ),
    *(
        f"""CREATE TRIGGER IF NOT EXISTS {_DOCUMENTS}_published_no_{op.lower()}
            BEFORE {op} ON {_DOCUMENTS} WHEN OLD.published_at IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'published consent documents never change: {op} refused');
            END"""
        for op in ("UPDATE", "DELETE")
    ),
]
_SQLITE_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_no_{op}"
        for table in _APPEND_ONLY
        for op in ("update", "delete")
    ),
    *(f"DROP TRIGGER IF EXISTS {_DOCUMENTS}_published_no_{op}" for op in ("update", "delete")),
]
_POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION needlepoint_consent_append_only() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION 'signed consents are append-only: % on % refused', TG_OP, TG_TABLE_NAME
           USING ERRCODE = 'insufficient_privilege';
       END; $$ LANGUAGE plpgsql""",
    *(
        statement
        for table in _APPEND_ONLY
        for statement in (
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION needlepoint_consent_append_only()""",
        )
    ),
    f"DROP TRIGGER IF EXISTS {_DOCUMENTS}_published ON {_DOCUMENTS}",
    f"""CREATE TRIGGER {_DOCUMENTS}_published BEFORE UPDATE OR DELETE ON {_DOCUMENTS}
        FOR EACH ROW WHEN (OLD.published_at IS NOT NULL)
        EXECUTE FUNCTION needlepoint_consent_append_only()""",
]
_POSTGRES_DROP = [
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in _APPEND_ONLY),
    f"DROP TRIGGER IF EXISTS {_DOCUMENTS}_published ON {_DOCUMENTS}",
]


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install_consent_triggers(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        _run(connection, _SQLITE_INSTALL)
    elif connection.vendor == "postgresql":
        _run(connection, _POSTGRES_INSTALL)
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"No consent triggers for {connection.vendor}")


def drop_consent_triggers(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        _run(connection, _SQLITE_DROP)
    elif connection.vendor == "postgresql":
        _run(connection, _POSTGRES_DROP)
