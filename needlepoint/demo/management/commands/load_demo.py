"""`manage.py load_demo`: create (or complete) the Sandia Skin Studio demo clinic."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from needlepoint.demo.loader import DEMO_PASSWORD, MAIN_DEMO_USERNAMES, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo clinic (Sandia Skin Studio) with staff, catalogue and patients. "
        "Idempotent. Its logins share a public password, so it refuses to run without "
        "DEBUG unless --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though DEBUG is off (never on a production database).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: the demo logins use a published "
                "password and TOTP secrets. Use --force only on a throwaway database."
            )
        summary = demo_load()
        organization = summary.organization
        verdict = "created or completed" if summary.created else "already complete; nothing changed"
        self.stdout.write(f"{organization.name} ({organization.slug}): {verdict}.")
        width = max(len(name) for name in summary.counts)
        for name, total in summary.counts.items():
            added = summary.new.get(name, 0)
            note = f"  (+{added})" if added else ""
            self.stdout.write(f"  {name.replace('_', ' '):<{width}}  {total:>4}{note}")
        if summary.new.get("users"):
            self.stdout.write(f"  users created: {summary.new['users']}")
        self.stdout.write(
            f"Sign in as {', '.join(MAIN_DEMO_USERNAMES)} (also priya, sam, luz; portal: patient) "
            f"with password {DEMO_PASSWORD!r}; `manage.py demo_totp` prints the codes."
        )
        if summary.created:
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
