"""`manage.py demo_totp [username ...]`: the demo staff's current TOTP codes."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from needlepoint.demo.loader import DEMO_TOTP_SECRETS, demo_totp_code, demo_totp_seconds_left


class Command(BaseCommand):
    help = (
        f"Print the current TOTP code of demo staff users ({', '.join(DEMO_TOTP_SECRETS)}; "
        "default: all of them). Refuses to run without DEBUG unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("usernames", nargs="*", metavar="username")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Refusing to print demo TOTP codes with DEBUG off (use --force).")
        usernames = options["usernames"] or list(DEMO_TOTP_SECRETS)
        unknown = [name for name in usernames if name not in DEMO_TOTP_SECRETS]
        if unknown:
            raise CommandError(
                f"Not a demo user: {', '.join(unknown)}. "
                f"Demo users: {', '.join(DEMO_TOTP_SECRETS)}."
            )
        now = time.time()
        left = demo_totp_seconds_left(now)
        width = max(len(name) for name in usernames)
        for name in usernames:
            self.stdout.write(f"{name:<{width}}  {demo_totp_code(name, now)}")
        self.stdout.write(
            f"Valid for {left} more second{'s' if left != 1 else ''} "
            "(the server also accepts the previous and next code). "
            "A code works once: to sign in again, wait for the next one."
        )
