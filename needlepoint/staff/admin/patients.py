from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.patients.models import Patient
from needlepoint.staff.admin.core import ScopedAdmin


@admin.register(Patient)
class PatientAdmin(ScopedAdmin):
    list_display = ["record_number", "last_name", "first_name", "date_of_birth", "is_archived"]
    search_fields = ["record_number", "last_name", "first_name", "email"]
    list_filter = ["is_archived"]
    exclude = ("organization", "user")
    readonly_fields = ["record_number"]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        patient = self.get_object(request, object_id)
        if patient is not None and request.method == "GET":
            audit_record(
                action=AuditAction.VIEW,
                request=request,
                obj=patient,
                patient=patient,
                detail={"via": "admin"},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        audit_record(action=AuditAction.LIST, request=request, detail={"via": "admin"})
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # Patients are registered through the patient pages and booking, which assign MRNs.
        return False
