from django.contrib import admin

from needlepoint.resources.models import (
    Closure,
    Device,
    Location,
    MaintenanceRecord,
    OpeningHours,
    Room,
)
from needlepoint.staff.admin.core import ScopedAdmin, ScopedTabularInline


class OpeningHoursInline(ScopedTabularInline):
    model = OpeningHours


class ClosureInline(ScopedTabularInline):
    model = Closure


class RoomInline(ScopedTabularInline):
    model = Room
    fields = ["name", "is_active", "sort_order"]


@admin.register(Location)
class LocationAdmin(ScopedAdmin):
    list_display = ["name", "city", "phone", "timezone", "booking_horizon_days", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline, ClosureInline, RoomInline]


class MaintenanceInline(ScopedTabularInline):
    model = MaintenanceRecord

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Device)
class DeviceAdmin(ScopedAdmin):
    list_display = ["name", "kind", "location", "make", "model", "serial_number", "status"]
    list_filter = ["kind", "status", "location"]
    search_fields = ["name", "serial_number", "regulatory_number"]
    inlines = [MaintenanceInline]
