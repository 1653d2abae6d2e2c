"""Standardized photos (docs/clinical-rules.md §7): taking them at the chair, comparing a patient's
photos over time, and the one view that serves the image files.

Photos live in private storage with no public URL (docs/security-targets.md D5): `photo_image`
checks the role and the clinic, writes an audit row and answers `no-store`. To anyone not signed in
it answers 404, as for another clinic's photo, so a leaked link tells nothing. It also opens with a
staff API token in the Authorization header, since the API's photo `url` points here; the same role
check and audit row apply."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.accounts.bearer import bearer_secret
from needlepoint.accounts.roles import role_may
from needlepoint.clinical.custody import CustodyRefused
from needlepoint.clinical.models import Photo, PhotoStage, PhotoView, TreatmentRecord
from needlepoint.clinical.photos import (
    MAX_BYTES,
    MAX_PIXELS,
    PhotoRefused,
    photo_check_size,
    photo_thumbnail,
)
from needlepoint.clinical.selectors import (
    patient_photo_pairs,
    photo_baseline,
    photo_get,
    photo_marketing_list,
    treatment_record_get,
)
from needlepoint.clinical.services import photo_add, photo_marketing_approve, photo_retire
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_today
from needlepoint.core.models import AuditAction
from needlepoint.intake.consents import marketing_photos_authorized
from needlepoint.patients.models import Patient
from needlepoint.patients.selectors import patient_get
from needlepoint.staff.forms.photos import PhotoUploadForm

# The capture page is the one place the camera is allowed (docs/security-targets.md D2).
CAMERA_POLICY = settings.PERMISSIONS_POLICY.replace("camera=()", "camera=(self)")


def _not_found_when_signed_out(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A 404 rather than a login page for anyone not signed in and sending no API token
    (D5: a photo's URL reveals nothing, not even that it exists). Signed-in users and
    token holders meet the staff gate as usual."""

    @wraps(view)
    def wrapped(request: StaffRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and bearer_secret(request) is None:
            raise Http404("No such record.")
        return view(request, *args, **kwargs)

    return wrapped


def photo_url(photo: Photo, *, thumb: bool = False) -> str:
    url = reverse("clinical:photo-image", kwargs={"public_id": photo.public_id})
    return f"{url}?size=thumb" if thumb else url


def chart_url(record: TreatmentRecord) -> str:
    return reverse("clinical:record-detail", kwargs={"public_id": record.public_id})


# --- The image ------------------------------------------------------------------------------


@_not_found_when_signed_out
@staff_required("clinical.view", bearer=True)
@require_GET
def photo_image(request: StaffRequest, public_id: str) -> HttpResponse:
    """The stored JPEG (`?size=thumb`: at most 480 px; `?download=1`: as an attachment,
    audited as an export). Never cached, never embeddable by another site."""
    photo = photo_get(organization=request.organization, public_id=public_id)
    try:
        with photo.image.open("rb") as stored:
            data = stored.read()
    except OSError:
        raise Http404("No such record.") from None
    thumb = request.GET.get("size") == "thumb"
    download = request.GET.get("download") == "1"
    if thumb:
        data = photo_thumbnail(data)
    audit_record(
        action=AuditAction.EXPORT if download else AuditAction.VIEW,
        request=request,
        obj=photo,
        patient=photo.patient,
        detail={"size": "thumb" if thumb else "full"},
    )
    response = HttpResponse(data, content_type="image/jpeg")
    disposition = "attachment" if download else "inline"
    # The file name carries ids only, never the patient's name (docs/security-targets.md D6).
    response["Content-Disposition"] = f'{disposition}; filename="photo-{photo.public_id}.jpg"'
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# --- Taking photos at the chair --------------------------------------------------------------


def _choice(value: str | None, choices: type[PhotoView] | type[PhotoStage], default: str) -> str:
    return value if value in choices.values else default


def _wants_json(request: StaffRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@staff_required("clinical.chart")
@require_http_methods(["GET", "POST"])
def photo_capture(request: StaffRequest, public_id: str) -> HttpResponse:
    """Take one standard photo for the record: the live camera with the patient's baseline
    photo of the view as a ghost to line up with, or a plain file input (no JavaScript, no
    camera). The camera posts here from JavaScript and gets JSON; the form posts here and
    is redirected to the chart. A refused photo is answered 4xx with the reason."""
    record = treatment_record_get(organization=request.organization, public_id=public_id)
    request.permissions_policy = CAMERA_POLICY  # type: ignore[attr-defined]
    source = request.POST if request.method == "POST" else request.GET
    view = _choice(source.get("view"), PhotoView, PhotoView.FRONTAL)
    stage = _choice(source.get("stage"), PhotoStage, PhotoStage.BEFORE)
    form = PhotoUploadForm(initial={"view": view, "stage": stage})
    error, code, status = "", "", 200
    if request.method == "POST":
        form = PhotoUploadForm(request.POST, request.FILES)
        error, code, status = "Check the photo and try again.", "invalid", 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            capture = form.cleaned_data["capture"]
            try:
                photo_check_size(upload.size or 0)
                photo = photo_add(
                    record=record,
                    view=form.cleaned_data["view"],
                    stage=form.cleaned_data["stage"],
                    data=upload.read(),
                    staff=request.staff,
                    capture={**(capture or {}), "source": "camera" if capture else "file"},
                    by=request.actor,
                )
            except CustodyRefused as refused:
                error, code, status = refused.message, refused.code, refused.status
            else:
                saved = f"{photo.get_view_display()} photo ({photo.get_stage_display().lower()})"
                if _wants_json(request):
                    return JsonResponse(
                        {"id": str(photo.public_id), "url": photo_url(photo),
                         "redirect": chart_url(record), "message": f"{saved} saved."},
                        status=201,
                    )  # fmt: skip
                messages.success(request, f"{saved} saved.")
                return redirect(chart_url(record))
        elif form.errors.get("file"):
            error = str(form.errors["file"][0])
        if _wants_json(request):
            return JsonResponse({"code": code, "message": error}, status=status)
    else:
        audit_record(
            action=AuditAction.VIEW,
            request=request,
            obj=record,
            patient=record.patient,
            detail={"photos": "capture"},
        )
    baseline = photo_baseline(patient=record.patient, view=view)
    context = {
        "record": record,
        "patient": record.patient,
        "view": view,
        "stage": stage,
        "view_label": PhotoView(view).label,
        "stage_label": PhotoStage(stage).label,
        "views": PhotoView.choices,
        "stages": PhotoStage.choices,
        "baseline": baseline,
        "baseline_url": photo_url(baseline) if baseline else "",
        "form": form,
        "error": error,
        "locked": record.is_locked,
        "chart_url": chart_url(record),
        "max_mb": MAX_BYTES // 1024 // 1024,
        "max_mp": MAX_PIXELS // 1_000_000,
    }
    return render(request, "clinical/photo_capture.html", context, status=status)


@staff_required("clinical.chart")
@require_POST
def photo_retire_view(request: StaffRequest, public_id: str) -> HttpResponse:
    """Take a mistaken photo off an open record (kept, no longer shown)."""
    photo = photo_get(organization=request.organization, public_id=public_id)
    try:
        photo_retire(photo=photo, staff=request.staff, by=request.actor)
    except CustodyRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"{photo.get_view_display()} photo taken off the record.")
    return redirect(chart_url(photo.record))


# --- Comparing over time -------------------------------------------------------------------


def _patient_photos_page(
    request: StaffRequest, patient: Patient, *, error: str = "", status: int = 200
) -> HttpResponse:
    pairs = patient_photo_pairs(patient=patient)
    staff = request.staff
    can_approve = role_may(staff.role, "clinical.chart")
    today = local_today(staff.organization.default_timezone)
    authorized = can_approve and marketing_photos_authorized(patient=patient, on=today)
    marketing_ids = set(
        photo_marketing_list(organization=staff.organization, on=today)
        .filter(patient=patient)
        .values_list("pk", flat=True)
    )
    audit_record(
        action=AuditAction.LIST,
        request=request,
        patient=patient,
        detail={"photos": sum(len(pair.photos) for pair in pairs)},
    )
    return render(
        request,
        "clinical/patient_photos.html",
        {
            "patient": patient,
            "pairs": pairs,
            "can_approve": can_approve,
            "marketing_authorized": authorized,
            "marketing_ids": marketing_ids,
            "error": error,
        },
        status=status,
    )


@staff_required("clinical.view")
@require_GET
def patient_photos(request: StaffRequest, public_id: str) -> HttpResponse:
    """A patient's photos per standard view: the baseline against the latest after or
    follow-up photo, side by side and as a before/after slider."""
    patient = patient_get(organization=request.organization, public_id=public_id)
    return _patient_photos_page(request, patient)


@staff_required("clinical.chart")
@require_POST
def photo_marketing_approve_view(request: StaffRequest, public_id: str) -> HttpResponse:
    """Approve a photo for marketing, only under the patient's own authorization."""
    photo = photo_get(organization=request.organization, public_id=public_id)
    try:
        photo_marketing_approve(photo=photo, staff=request.staff, by=request.actor)
    except PhotoRefused as refused:
        return _patient_photos_page(
            request, photo.patient, error=refused.message, status=refused.status
        )
    messages.success(request, f"{photo.get_view_display()} photo approved for marketing.")
    return redirect("clinical:patient-photos", public_id=photo.patient.public_id)
