"""`manage.py api_token <username> [--name NAME]`: create an API token for a staff member.

The secret is printed once, alone on the last line, so scripts can take it with `tail -n 1`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.services import api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token for a staff member and print it (alone on the last line). "
        "It carries that member's role; only a hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line", help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        staff = (
            StaffProfile.objects.select_related("user", "organization")
            .filter(user__username=options["username"])
            .first()
        )
        if staff is None:
            raise CommandError(f"No staff member signs in as {options['username']!r}.")
        if not staff.user.is_active:
            raise CommandError(f"{options['username']!r} is deactivated.")
        token, secret = api_token_create(staff=staff, name=options["name"])
        self.stdout.write(
            f"API token {token.name!r} for {staff.display_name} ({staff.get_role_display()}, "
            f"{staff.organization.name}). Keep it secret: it is shown only this once."
        )
        self.stdout.write(secret)
