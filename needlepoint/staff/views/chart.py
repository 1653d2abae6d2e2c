"""The chart at the chair: one page per visit, filled top to bottom on a tablet.

Each card posts one small form (`action`) to its own URL (`chart_writes`); a refusal
re-renders the page with the message and a 4xx, an accepted step redirects back to its card.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.accounts.roles import Role, role_may
from needlepoint.accounts.scope import Procedure
from needlepoint.accounts.selectors import staff_scope_refusal
from needlepoint.clinical.chart import session_diff, sign_blockers
from needlepoint.clinical.gate import visit_readiness
from needlepoint.clinical.models import TreatmentRecord
from needlepoint.clinical.selectors import (
    cosign_queue,
    depth_orders_active,
    line_values,
    record_chart_get,
    record_lines,
    record_photos_context,
    record_previous,
    record_readiness,
    record_samples,
    record_sign_facts,
)
from needlepoint.clinical.services import treatment_record_start
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_day
from needlepoint.core.models import AuditAction
from needlepoint.core.refusals import Refusal
from needlepoint.core.tenancy import get_scoped_or_404
from needlepoint.scheduling.models import Appointment
from needlepoint.staff.forms import chart as forms
from needlepoint.staff.views.outcomes import record_outcomes_context


@staff_required("clinical.chart")
@require_POST
def record_open(request: StaffRequest, public_id: str) -> HttpResponse:
    """Start (or reopen) the chart of a visit, from the appointment page."""
    appointment = get_scoped_or_404(
        Appointment.objects.select_related("patient", "organization"),
        organization=request.organization,
        public_id=public_id,
    )
    try:
        record, _ = treatment_record_start(
            appointment=appointment,
            staff=request.staff,
            by=request.actor,
        )
    except Refusal as refused:
        messages.error(request, refused.message)
        back = redirect("scheduling:appointment-detail", public_id=appointment.public_id)
        back[REFUSAL_HEADER] = refused.code
        return back
    return redirect("clinical:record-detail", public_id=record.public_id)


REFUSAL_HEADER = "X-Refusal-Code"


@staff_required("clinical.view")
@require_GET
def record_detail(request: StaffRequest, public_id: str) -> HttpResponse:
    record = record_chart_get(
        organization=request.organization,
        public_id=public_id,
    )
    audit_record(action=AuditAction.VIEW, request=request, obj=record, patient=record.patient)
    return render(request, "clinical/chart.html", chart_context(request, record, {}))


def chart_context(request: StaffRequest, record: TreatmentRecord, bound: dict[str, Any]):
    """The chart page's context; `bound` holds the forms a refused write shows again, by card."""
    staff = request.staff
    appointment = record.appointment
    zone = appointment.location.zone
    day = local_day(appointment.starts_at, zone)
    can_edit = not record.is_locked and role_may(staff.role, "clinical.chart")
    readiness = record_readiness(record)
    gate = visit_readiness(appointment=appointment, performer=staff) if can_edit else None
    facts = record_sign_facts(record, readiness)
    lines = record_lines(record)
    previous = record_previous(record)
    previous_lines = record_lines(previous) if previous else []
    live = [line for line in lines if line.voided_at is None]
    diff = session_diff(line_values(previous_lines), line_values(live)) if previous else None
    rows = []
    diffs = iter(diff.lines) if diff else iter(())
    for line in lines:
        rows.append((line, next(diffs, None) if line.voided_at is None else None))
    products = list(record.products.select_related("product", "lot"))
    kwargs = {"record": record}

    def form(name: str, cls: Any, **extra: Any):
        return bound.get(name) or cls(**kwargs, **extra)

    context = {
        "record": record,
        "appointment": appointment,
        "patient": record.patient,
        "start": appointment.starts_at.astimezone(zone),
        "zone": zone,
        "can_edit": can_edit,
        "is_director": staff.role == Role.MEDICAL_DIRECTOR,
        "readiness": readiness,
        "gate": gate,
        "may_order": can_edit
        and staff_scope_refusal(staff=staff, procedures=[Procedure.ORDER_DEPTH], on=day) is None,
        "facts": facts,
        "blockers": sign_blockers(facts) if can_edit else [],
        "rows": rows,
        "dropped": diff.dropped if diff else [],
        "previous": previous,
        "products": products,
        "anaesthetics": [p for p in products if p.product.kind == "anaesthetic"],
        "others": [p for p in products if p.product.kind != "anaesthetic"],
        "cartridges": list(record.cartridges.select_related("lot")),
        "samples": record_samples(record) if appointment.service.uses_prp else [],
        "orders": list(depth_orders_active(patient=record.patient, on=day)),
        "adverse_events": list(record.adverse_events.select_related("by__user")),
        "addenda": list(record.addenda.select_related("by__user")),
        "identity_form": bound.get("identity") or forms.IdentityForm(),
        "anaesthetic_form": form("anaesthetic", forms.AnaestheticForm),
        "device_form": bound.get("device")
        or forms.DeviceForm(
            record=record, initial={"device": record.device, "sheath_used": record.sheath_used}
        ),
        "cartridge_form": bound.get("cartridge") or forms.CartridgeForm(),
        "line_form": form("line", forms.LineForm),
        "order_form": form("order", forms.OrderForm),
        "product_form": form("product", forms.ProductForm),
        "draw_form": bound.get("draw") or forms.DrawForm(),
        "step_form": bound.get("step") or forms.PrpStepForm(record=record, staff=staff),
        "adverse_form": bound.get("adverse") or forms.AdverseEventForm(),
        "postcare_form": bound.get("postcare") or forms.PostCareForm(instance=record),
        "addendum_form": bound.get("addendum") or forms.AddendumForm(),
        "label_sample": request.GET.get("label", ""),
    }
    context.update(record_photos_context(record))
    context.update(record_outcomes_context(record))
    return context


@staff_required("clinical.cosign")
def cosign_list(request: StaffRequest) -> HttpResponse:
    """The medical director's queue of signed records waiting for her co-signature."""
    records = list(cosign_queue(organization=request.organization))
    audit_record(action=AuditAction.LIST, request=request, detail={"cosign_queue": len(records)})
    return render(request, "clinical/cosign_list.html", {"records": records})
