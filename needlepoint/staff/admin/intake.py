from django.contrib import admin
from django.http import HttpRequest

from needlepoint.accounts.roles import role_may
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.intake.models import ConsentDocument, Questionnaire, ScreeningRule
from needlepoint.staff.admin.core import ScopedAdmin


class DirectorEditsAdmin(ScopedAdmin):
    """Clinical content the owner may read and only the medical director changes."""

    def _may_edit(self, request: HttpRequest) -> bool:
        staff = getattr(request, "staff", None)
        return self._allowed(request) and role_may(getattr(staff, "role", None), "screening.edit")

    def has_add_permission(self, request: HttpRequest, *args) -> bool:  # type: ignore[no-untyped-def]
        return self._may_edit(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return self._may_edit(request)


@admin.register(ScreeningRule)
class ScreeningRuleAdmin(DirectorEditsAdmin):
    """The medical director's rule table. Every save is validated (`ScreeningRule.clean`)
    and audited (ScopedAdmin); rules are switched off, never deleted."""

    list_display = ["code", "title", "applies", "is_active", "source_ids"]
    list_filter = ["applies", "is_active"]
    search_fields = ["code", "title"]
    fields = ["code", "title", "applies", "is_active", "source_ids", "definition", "sort_order"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ["code"] if obj is not None else []


@admin.register(Questionnaire)
class QuestionnaireAdmin(DirectorEditsAdmin):
    """Questionnaire versions. The medical director adds a version (a copy with the
    clinic's own x_ questions, say) and publishes it; a published version never changes."""

    list_display = ["title", "version", "published_at"]
    fields = ["title", "version", "questions", "published_at"]
    readonly_fields = ["published_at"]
    actions = ["publish"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return self._may_edit(request) and (obj is None or obj.published_at is None)

    @admin.action(description="Publish the selected versions")
    def publish(self, request, queryset):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        if not self._may_edit(request):
            return
        for questionnaire in queryset.filter(published_at__isnull=True):
            questionnaire.published_at = timezone.now()
            questionnaire.save(update_fields=["published_at", "updated_at"])
            audit_record(
                action=AuditAction.UPDATE,
                request=request,
                obj=questionnaire,
                detail={"published": questionnaire.version, "via": "admin"},
            )


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(QuestionnaireAdmin):
    """Consent document versions: the medical director drafts a new version and publishes
    it; patients are then asked to sign it. A published version never changes (the
    database refuses too)."""

    list_display = ["title", "kind", "version", "valid_months", "published_at"]
    list_filter = ["kind"]
    fields = ["kind", "version", "title", "body", "valid_months", "source_ids", "published_at"]
