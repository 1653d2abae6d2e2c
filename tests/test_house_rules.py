"""House rules that a grep can check (STYLE.md "Time": never the server's zone)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "needlepoint"
ALLOWED = {ROOT / "core" / "dates.py"}
SERVER_TODAY = re.compile(r"\btimezone\.localdate\(|\bdate\.today\(")


def test_today_comes_from_core_dates_in_a_named_zone():
    """`timezone.localdate()` and `date.today()` give the server's date; use
    `needlepoint.core.dates.local_today(zone)` with the location's or organization's zone."""
    offences = [
        f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}"
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts and path not in ALLOWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SERVER_TODAY.search(line)
    ]
    assert not offences, "Use core.dates.local_today(zone) instead:\n" + "\n".join(offences)
