"""The chart's writes: one POST URL per card (`ACTIONS`, named `clinical:record-<action>`).

Each handler parses its form and calls one chart service. Success goes back to the chart at
the panel written; a form error or a refusal renders the chart page (`chart.chart_context`)
again, with a refusal's code in the `X-Refusal-Code` header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.clinical.chart import ChartRefused
from needlepoint.clinical.custody import Identity, Step
from needlepoint.clinical.models import TreatmentRecord
from needlepoint.clinical.selectors import record_chart_get
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
)
from needlepoint.core.refusals import Refusal, refusal_page_status
from needlepoint.staff.forms import chart as forms
from needlepoint.staff.views.chart import REFUSAL_HEADER, chart_context

Handler = Callable[[HttpRequest, TreatmentRecord], "str | dict[str, Any]"]


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
            request, "clinical/chart.html", chart_context(request, record, bound), status=status
        )
        if code:
            response[REFUSAL_HEADER] = code
        return response

    action.__name__ = action.__qualname__ = f"record_{handler.__name__.lstrip('_')}"
    return action


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
