from django.contrib import admin
from django.http import HttpRequest

from needlepoint.accounts.roles import role_may
from needlepoint.core.admin import ScopedAdmin
from needlepoint.intake.models import ScreeningRule


@admin.register(ScreeningRule)
class ScreeningRuleAdmin(ScopedAdmin):
    """The medical director's rule table. The owner may read it; only the medical director
    changes it. Every save is validated (`ScreeningRule.clean`) and audited (ScopedAdmin);
    rules are switched off, never deleted."""

    list_display = ["code", "title", "applies", "is_active", "source_ids"]
    list_filter = ["applies", "is_active"]
    search_fields = ["code", "title"]
    fields = ["code", "title", "applies", "is_active", "source_ids", "definition", "sort_order"]

    def _may_edit(self, request: HttpRequest) -> bool:
        staff = getattr(request, "staff", None)
        return self._allowed(request) and role_may(getattr(staff, "role", None), "screening.edit")

    def has_add_permission(self, request: HttpRequest, *args) -> bool:  # type: ignore[no-untyped-def]
        return self._may_edit(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return self._may_edit(request)

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ["code"] if obj is not None else []
