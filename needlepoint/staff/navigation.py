"""Navigation for the staff shell, built from the same permission table as the views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.http import HttpRequest
from django.urls import reverse

from needlepoint.accounts.roles import role_may
from needlepoint.core.models import Organization
from needlepoint.patients.selectors import duplicate_open_count


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    icon: str
    count: int | None = None


# Entries that show how many items wait, given the staff member's organization.
NAV_COUNTS: dict[str, Callable[[Organization], int]] = {
    "patients:duplicate-list": lambda organization: duplicate_open_count(organization=organization),
}


_NAV = [
    ("Dashboard", "core:dashboard", "dashboard.view", "home"),
    ("Calendar", "scheduling:calendar-today", "calendar.view", "calendar"),
    ("Patients", "patients:patient-list", "patients.list", "users"),
    ("Duplicates", "patients:duplicate-list", "patients.merge", "users"),
    ("Screening review", "intake:review-list", "screening.review", "check"),
    ("Co-sign", "clinical:cosign-list", "clinical.cosign", "check"),
    ("Recall", "clinical:recall", "clinical.recall", "search"),
    ("Incidents", "clinical:incident-list", "clinical.incidents", "alert"),
    ("Team", "accounts:staff-list", "team.view", "users"),
    ("Audit log", "core:audit-log", "audit.view", "shield"),
    ("Configuration", "admin:index", "admin.configure", "settings"),
]


def staff_navigation(request: HttpRequest) -> dict[str, object]:
    staff = getattr(request, "staff", None)
    if staff is None:
        return {"nav_items": []}
    items = []
    for label, url_name, permission, icon in _NAV:
        if role_may(staff.role, permission):
            url = reverse(url_name)
            # The dashboard's URL prefixes every staff page, so it is active only on itself.
            active = (
                request.path == url
                if url_name == "core:dashboard"
                else (request.path.startswith(url))
            )
            counter = NAV_COUNTS.get(url_name)
            count = counter(staff.organization) if counter is not None else None
            items.append(NavItem(label, url, active, icon, count))
    # Of nested entries (Patients, Duplicates) only the closest match is the current page.
    longest = max((len(item.url) for item in items if item.active), default=0)
    items = [replace(item, active=item.active and len(item.url) == longest) for item in items]
    return {"nav_items": items, "staff": staff}
