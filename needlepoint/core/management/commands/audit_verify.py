"""`manage.py audit_verify`: recompute the audit chain and name every altered row."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from needlepoint.core.audit import audit_verify
from needlepoint.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit log's SHA-256 chain; exits non-zero and names rows that changed."

    def handle(self, *args, **options) -> None:
        problems = list(audit_verify())
        for problem in problems:
            self.stderr.write(f"audit row {problem.event_id}: {problem.reason}")
        if problems:
            raise CommandError(f"{len(problems)} audit row problem(s) found.")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} rows verified."))
