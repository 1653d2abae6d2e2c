"""The chart at the chair: one page per visit, filled top to bottom on a tablet.

Each card posts one small form (`action`); a refusal re-renders the page with the message
and a 4xx, an accepted step redirects back to its card.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.accounts.roles import Role, role_may
from needlepoint.accounts.scope import Procedure
from needlepoint.accounts.selectors import staff_scope_refusal
from needlepoint.clinical.chart import ChartRefused, session_diff, sign_blockers
from needlepoint.clinical.custody import Identity, Step
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
from needlepoint.clinical.services import (
    addendum_add,
    adverse_event_add,
    anaesthetic_record,
    cartridge_use,
    depth_order_add,
    product_use_add,
    product_use_void,
    prp_sample_draw,
    prp_step_by_scan,
    record_copy_forward,
    record_cosign,
    record_identity_check,
    record_sign,
    record_update,
    treatment_line_add,
    treatment_line_void,
    treatment_record_start,
)
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_day
from needlepoint.core.models import AuditAction
from needlepoint.core.refusals import Refusal, refusal_page_status
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


Handler = Callable[[HttpRequest, TreatmentRecord], "str | dict[str, Any]"]
REFUSAL_HEADER = "X-Refusal-Code"


@staff_required("clinical.view")
@require_GET
def record_detail(request: StaffRequest, public_id: str) -> HttpResponse:
    record = record_chart_get(
        organization=request.organization,
        public_id=public_id,
    )
    audit_record(action=AuditAction.VIEW, request=request, obj=record, patient=record.patient)
    return render(request, "clinical/chart.html", _context(request, record, {}))


def _chart_action(handler: Handler) -> Callable[[HttpRequest, str], HttpResponse]:
    """One chart write behind its own POST URL (`ACTIONS` below). Success goes back to the
    chart at the panel written; a form error or a refusal shows the chart again with the
    form or the message, and a refusal's code in the `X-Refusal-Code` header (the code the
    API answers with)."""

    @staff_required("clinical.chart")
    @require_POST
    def action(request: StaffRequest, public_id: str) -> HttpResponse:
        record = record_chart_get(
            organization=request.organization,
            public_id=public_id,
        )
        bound: dict[str, Any] = {}
        code = ""
        try:
            outcome = handler(request, record)
        except Refusal as refused:  # custody, chart, gate and credential refusals
            messages.error(request, refused.message)
            status, code = refusal_page_status(refused), refused.code
        else:
            if isinstance(outcome, str):
                return redirect(reverse("clinical:record-detail", args=[public_id]) + outcome)
            bound, status = outcome, 400
        record = record_chart_get(
            organization=request.organization,
            public_id=public_id,
        )
        response = render(
            request, "clinical/chart.html", _context(request, record, bound), status=status
        )
        if code:
            response[REFUSAL_HEADER] = code
        return response

    action.__name__ = action.__qualname__ = f"record_{handler.__name__.lstrip('_')}"
    return action


def _context(request: StaffRequest, record: TreatmentRecord, bound: dict[str, Any]):
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


def _staff(request: StaffRequest):
    return request.staff


def _identity(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    form = forms.IdentityForm(request.POST)
    if not form.is_valid():
        return {"identity": form}
    record_identity_check(
        record=record,
        full_name=form.cleaned_data["full_name"],
        date_of_birth=form.cleaned_data["date_of_birth"],
        record_number=form.cleaned_data["record_number"],
        staff=_staff(request),
        by=request.actor,
    )
    messages.success(request, "Identity checked: two identifiers match.")
    return "#precare"


def _anaesthetic(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    form = forms.AnaestheticForm(request.POST, record=record)
    if not form.is_valid():
        return {"anaesthetic": form}
    data = form.cleaned_data
    anaesthetic_record(
        record=record,
        staff=_staff(request),
        none_used=bool(data["no_anaesthetic"]),
        product=data.get("product"),
        lot_number=data.get("lot_number") or "",
        lot_expires_on=data.get("lot_expires_on"),
        by=request.actor,
        **form.times(),
    )
    messages.success(request, "Anaesthetic recorded.")
    return "#precare"


def _device(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    form = forms.DeviceForm(request.POST, record=record)
    if not form.is_valid():
        return {"device": form}
    record_update(
        record=record,
        staff=_staff(request),
        changes={
            "device": form.cleaned_data["device"],
            "sheath_used": form.cleaned_data["sheath_used"],
        },
        by=request.actor,
    )
    messages.success(request, "Pen recorded.")
    return "#device"


def _cartridge(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    form = forms.CartridgeForm(request.POST)
    if not form.is_valid():
        return {"cartridge": form}
    use = cartridge_use(
        record=record,
        lot=form.cleaned_data["lot"],
        serial=form.cleaned_data["serial"],
        expires_on=form.cleaned_data["expires_on"],
        staff=_staff(request),
        by=request.actor,
    )
    messages.success(request, f"Cartridge {use.serial} (lot {use.lot.lot}) recorded.")
    return "#device"


def _line(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    form = forms.LineForm(request.POST, record=record)
    if not form.is_valid():
        return {"line": form}
    data = form.cleaned_data
    line, note = treatment_line_add(
        record=record,
        area=data["area"],
        depth_mm=data["depth_mm"],
        passes=data["passes"],
        technique=data["technique"],
        endpoint_reached=data["endpoint_reached"],
        indication=data["indication"],
        speed=data["speed"],
        staff=_staff(request),
        by=request.actor,
    )
    messages.success(request, f"{line.area.name} charted at {line.depth_mm:.2f} mm.")
    if note:
        messages.warning(request, note)
    return "#areas"


def _line_void(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    line = record.lines.filter(pk=_int(request.POST.get("line"))).first()
    if line is None:
        raise ChartRefused("invalid", "No such line on this chart.")
    treatment_line_void(record=record, line=line, by=request.actor)
    messages.success(request, f"{line.area.name} struck through.")
    return "#areas"


def _copy(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    result = record_copy_forward(record=record, staff=_staff(request), by=request.actor)
    messages.success(
        request,
        f"{result.copied} area(s) copied from the last session: check each, then change what "
        "differs today.",
    )
    for skipped in result.skipped:
        messages.warning(request, f"Not copied — {skipped}")
    return "#areas"


def _order(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    form = forms.OrderForm(request.POST, record=record)
    if not form.is_valid():
        return {"order": form}
    data = form.cleaned_data
    order = depth_order_add(
        patient=record.patient,
        area=data["area"],
        max_depth_mm=data["max_depth_mm"],
        reason=data["reason"],
        valid_until=data["valid_until"],
        staff=_staff(request),
        by=request.actor,
    )
    messages.success(request, f"Order recorded: {order.area.name} up to {order.max_depth_mm} mm.")
    return "#areas"


def _product(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    form = forms.ProductForm(request.POST, record=record)
    if not form.is_valid():
        return {"product": form}
    data = form.cleaned_data
    charted = product_use_add(
        record=record,
        product=data["product"],
        lot_number=data["lot_number"],
        expires_on=data["expires_on"],
        areas=data["areas"],
        staff=_staff(request),
        by=request.actor,
    )
    messages.success(
        request, f"{charted.use.product.name} lot {charted.use.lot.lot_number} recorded."
    )
    for warning in charted.warnings:
        messages.warning(request, warning)
    return "#products"


def _product_void(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    use = record.products.filter(pk=_int(request.POST.get("use"))).first()
    if use is None:
        raise ChartRefused("invalid", "No such product on this chart.")
    product_use_void(record=record, use=use, by=request.actor)
    messages.success(request, "Product struck through.")
    return "#products"


def _draw(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    form = forms.DrawForm(request.POST)
    if not form.is_valid():
        return {"draw": form}
    dob = form.cleaned_data["date_of_birth"]
    if dob is None:
        return {"draw": _with_error(form, "At the draw, give the date of birth with the name.")}
    drawn = prp_sample_draw(
        appointment=record.appointment,
        identity=Identity(form.cleaned_data["full_name"], dob),
        staff=_staff(request),
        by=request.actor,
    )
    messages.success(
        request,
        f"Sample {drawn.sample.code} drawn: print its label now and label the tube in front "
        "of the patient.",
    )
    for warning in drawn.warnings:
        messages.warning(request, warning)
    return f"?label={drawn.sample.public_id}"  # the page focuses the label button


def _step(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    staff = _staff(request)
    form = forms.PrpStepForm(request.POST, record=record, staff=staff)
    if not form.is_valid():
        return {"step": form}
    data = form.cleaned_data
    step = Step(data["step"])
    event = prp_step_by_scan(
        record=record,
        code=data["code"],
        step=step,
        staff=staff,
        witness=form.witness(),
        identity_stated=bool(data["identity_confirmed"]),
        g_force=data["g_force"],
        minutes=data["minutes"],
        volume_ml=data["volume_ml"],
        area=(data["area"] or "").strip(),
        by=request.actor,
    )
    messages.success(request, f"Sample {event.sample.code}: {step.value} recorded.")
    return "#prp"


def _adverse(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    form = forms.AdverseEventForm(request.POST)
    if not form.is_valid():
        return {"adverse": form}
    adverse_event_add(record=record, staff=_staff(request), by=request.actor, **form.cleaned_data)
    messages.success(request, "Adverse event recorded.")
    return "#postcare"


def _postcare(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    form = forms.PostCareForm(request.POST, instance=TreatmentRecord.objects.get(pk=record.pk))
    if not form.is_valid():
        return {"postcare": form}
    record_update(
        record=record, staff=_staff(request), changes=form.record_changes(), by=request.actor
    )
    messages.success(request, "Tolerance and post-care recorded.")
    return "#postcare"


def _sign(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    signed = record_sign(record=record, staff=_staff(request), by=request.actor)
    messages.success(
        request,
        "Signed and locked."
        + (
            " It now waits for the medical director's co-signature."
            if signed.cosign_required
            else ""
        ),
    )
    return "#signoff"


def _cosign(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    record_cosign(record=record, staff=_staff(request), by=request.actor)
    messages.success(request, "Co-signed.")
    return "#signoff"


def _addendum(request: StaffRequest, record: TreatmentRecord) -> str | dict[str, Any]:
    form = forms.AddendumForm(request.POST)
    if not form.is_valid():
        return {"addendum": form}
    addendum_add(
        record=record, text=form.cleaned_data["text"], staff=_staff(request), by=request.actor
    )
    messages.success(request, "Addendum added.")
    return "#signoff"


ACTIONS: dict[str, Callable[[HttpRequest, str], HttpResponse]] = {
    "identity": _chart_action(_identity),
    "anaesthetic": _chart_action(_anaesthetic),
    "device": _chart_action(_device),
    "cartridge": _chart_action(_cartridge),
    "line": _chart_action(_line),
    "line-void": _chart_action(_line_void),
    "copy-forward": _chart_action(_copy),
    "order": _chart_action(_order),
    "product": _chart_action(_product),
    "product-void": _chart_action(_product_void),
    "draw": _chart_action(_draw),
    "step": _chart_action(_step),
    "adverse": _chart_action(_adverse),
    "postcare": _chart_action(_postcare),
    "sign": _chart_action(_sign),
    "cosign": _chart_action(_cosign),
    "addendum": _chart_action(_addendum),
}
"""Each chart write at `records/<id>/<action>/`, named `clinical:record-<action>`."""


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _with_error(form, message: str):
    form.add_error(None, message)
    return form


@staff_required("clinical.cosign")
def cosign_list(request: StaffRequest) -> HttpResponse:
    """The medical director's queue of signed records waiting for her co-signature."""
    records = list(cosign_queue(organization=request.organization))
    audit_record(action=AuditAction.LIST, request=request, detail={"cosign_queue": len(records)})
    return render(request, "clinical/cosign_list.html", {"records": records})
