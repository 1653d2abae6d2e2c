from django.contrib import admin

from needlepoint.scheduling.models import TimeOff, WaitlistEntry
from needlepoint.staff.admin.core import ScopedAdmin


@admin.register(TimeOff)
class TimeOffAdmin(ScopedAdmin):
    list_display = ["staff", "starts_at", "ends_at", "reason"]
    list_filter = ["staff"]
    exclude = ()

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return self._allowed(request)  # planned leave is configuration, not a record


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ScopedAdmin):
    list_display = ["day", "location", "service", "status", "created_at"]
    list_filter = ["status", "location"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False
