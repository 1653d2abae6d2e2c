"""Admin base class that scopes every admin page to the signed-in user's organization,
lets only the configuration roles in, never hard-deletes, and audits every change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction, AuditEvent, Organization


def _scope(queryset: QuerySet, request: HttpRequest) -> QuerySet:
    """Filter any queryset of an organization-owned model to the request's organization."""
    model = queryset.model
    organization = getattr(request, "organization", None)
    path = ORGANIZATION_PATHS.get(model._meta.label_lower)
    if path:
        return queryset.filter(**{path: organization})
    if model is Organization:
        return queryset.filter(pk=getattr(organization, "pk", None))
    field_names = {f.name for f in model._meta.get_fields()}
    if "organization" in field_names:
        return queryset.filter(organization=organization)
    return queryset.none() if model._meta.app_label.startswith("needlepoint") else queryset


# Models that reach their organization through a parent.
ORGANIZATION_PATHS: dict[str, str] = {
    "resources.room": "location__organization",
    "resources.openinghours": "location__organization",
    "resources.closure": "location__organization",
    "resources.maintenancerecord": "device__organization",
    "catalog.servicephase": "service__organization",
    "catalog.productlot": "product__organization",
    "scheduling.timeoff": "staff__organization",
    "scheduling.workinghours": "staff__organization",
}


class ScopedAdminMixin:
    """Shared by model admins and inlines."""

    admin_site: admin.AdminSite

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _scope(super().get_queryset(request), request)  # type: ignore[misc]

    def _allowed(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["queryset"] = _scope(db_field.remote_field.model.objects.all(), request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["queryset"] = _scope(db_field.remote_field.model.objects.all(), request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Organization rows are filled in from the request, never from the form."""

    exclude: Any = ("organization",)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if not change and hasattr(obj, "organization_id"):
            obj.organization = request.organization  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)
        audit_record(
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            request=request,
            obj=obj,
            patient=obj if obj._meta.label_lower == "patients.patient" else None,
            detail={"fields": sorted(form.changed_data), "via": "admin"},
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            audit_record(
                action=AuditAction.UPDATE,
                request=request,
                obj=form.instance,
                detail={"inline": formset.model._meta.label_lower, "via": "admin"},
            )


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Inline rows are configuration (opening ranges, closures, phases), not records.
        return self._allowed(request)


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    list_display = ["name", "slug", "default_timezone"]
    exclude = ()

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    list_display = ["occurred_at", "actor_label", "action", "object_type", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_id", "patient_ref"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
