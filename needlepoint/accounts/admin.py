from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db.models import Model
from django.http import HttpRequest

from needlepoint.accounts.models import StaffProfile
from needlepoint.core.admin import ScopedAdmin

# Staff accounts are managed through their staff profile, inside one organization; the
# global user and group admins would cross organizations.
for model in (User, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(StaffProfile)
class StaffProfileAdmin(ScopedAdmin):
    list_display = ["display_name", "role", "title", "licence_expires_on"]
    list_filter = ["role"]
    readonly_fields = ["user"]
    filter_horizontal = ["competencies", "locations"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # New staff are invited with `manage.py staff_invite`, which sets up the login.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None):  # type: ignore[override]
        return self.readonly_fields
