from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.messaging.models import MessageDelivery
from needlepoint.staff.admin.core import ScopedAdmin


@admin.register(MessageDelivery)
class MessageDeliveryAdmin(ScopedAdmin):
    """The delivery log, read-only: what went to whom, when, and what became of it. Rows
    name the patient by record number; bodies and addresses are never stored."""

    list_display = [
        "scheduled_for",
        "purpose",
        "channel",
        "status",
        "skip_reason",
        "attempts",
        "patient_record",
        "sent_at",
    ]
    list_filter = ["status", "purpose", "channel"]
    search_fields = ["patient__record_number", "provider_message_id"]
    date_hierarchy = "scheduled_for"
    list_select_related = ["patient"]
    exclude = ()
    readonly_fields = [
        "public_id",
        "patient_record",
        "appointment_ref",
        "channel",
        "purpose",
        "scheduled_for",
        "appointment_starts_at",
        "status",
        "skip_reason",
        "attempts",
        "last_error",
        "provider_message_id",
        "sent_at",
        "created_at",
    ]
    fields = readonly_fields

    @admin.display(description="Patient (MRN)", ordering="patient__record_number")
    def patient_record(self, obj: MessageDelivery) -> str:
        return obj.patient.record_number

    @admin.display(description="Appointment")
    def appointment_ref(self, obj: MessageDelivery) -> str:
        return str(obj.appointment.public_id) if obj.appointment_id else "—"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        audit_record(action=AuditAction.LIST, request=request, detail={"via": "admin"})
        return super().changelist_view(request, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        delivery = self.get_object(request, object_id)
        if delivery is not None:
            audit_record(
                action=AuditAction.VIEW,
                request=request,
                obj=delivery,
                patient=delivery.patient,
                detail={"via": "admin"},
            )
        return super().change_view(request, object_id, form_url, extra_context)
