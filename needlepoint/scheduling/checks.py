"""Start-up checks for scheduling's seams (`hooks.py`)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from needlepoint.scheduling.hooks import booking_checks_missing


@checks.register()
def booking_checks_registered(**kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f'No booking check "{name}" is registered, so bookings would skip it.',
            hint="Install the app that registers it (intake registers the screening).",
            id="scheduling.E001",
        )
        for name in booking_checks_missing()
    ]
