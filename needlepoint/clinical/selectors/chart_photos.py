"""Reads of photos (docs/clinical-rules.md §7): one photo, a record's photo panel, a patient's
progress pairs and the photos approved for marketing (docs/security-targets.md I2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from needlepoint.clinical.models import Photo, PhotoStage, PhotoView, TreatmentRecord
from needlepoint.clinical.photos import capture_differences
from needlepoint.core.dates import local_today
from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404
from needlepoint.intake.consents import consent_documents_current
from needlepoint.intake.models import ConsentKind, ConsentSignature
from needlepoint.patients.models import Patient


def record_photos_context(record: TreatmentRecord) -> dict[str, object]:
    """What the chart page's photo panel shows (`clinical/_chart_photos.html`): a slot per
    standard view with the record's before and after photos (see "Photos" below). One
    key, `photo_panel`, to keep clear of the chart's own context."""
    return {"photo_panel": record_photo_panel(record=record)}


def photo_get(*, organization: Organization, public_id: str) -> Photo:
    """One photo of the organization (retired ones too); another's, or none, is a 404."""
    return get_scoped_or_404(
        Photo.objects.select_related("patient", "record"),
        organization=organization,
        public_id=public_id,
    )


def record_photo_list(*, record: TreatmentRecord) -> list[Photo]:
    """The record's photos in use (not retired), oldest first."""
    return list(Photo.objects.filter(record=record, retired_at=None).order_by("taken_at", "pk"))


def photo_baseline(*, patient: Patient, view: str) -> Photo | None:
    """The patient's first "before" photo of a view, across all records: what later photos
    of that view are framed against (the capture page's ghost overlay)."""
    return (
        Photo.objects.filter(patient=patient, view=view, stage=PhotoStage.BEFORE, retired_at=None)
        .order_by("taken_at", "pk")
        .first()
    )


def photo_facts(photo: Photo) -> dict[str, object]:
    """How a photo was taken, with its stored size (what `capture_differences` compares)."""
    return {**photo.capture, "width": photo.width, "height": photo.height}


AFTER_STAGES = (PhotoStage.AFTER, PhotoStage.FOLLOW_UP)


@dataclass(frozen=True)
class PhotoSlot:
    """One standard view on one record: its latest before and after (or follow-up) photo,
    how many more of the view the record holds, and how before and after were taken
    differently."""

    view: str
    label: str
    before: Photo | None
    after: Photo | None
    more: int
    warnings: list[str]


@dataclass(frozen=True)
class PhotoPanel:
    slots: list[PhotoSlot]
    count: int
    before_count: int


def record_photo_panel(*, record: TreatmentRecord) -> PhotoPanel:
    """The chart's photo panel: a slot per standard view, in the protocol's order."""
    photos = record_photo_list(record=record)
    slots = []
    for view, label in PhotoView.choices:
        of_view = [p for p in photos if p.view == view]
        befores = [p for p in of_view if p.stage == PhotoStage.BEFORE]
        afters = [p for p in of_view if p.stage in AFTER_STAGES]
        before = befores[-1] if befores else None
        after = afters[-1] if afters else None
        shown = (before is not None) + (after is not None)
        warnings = (
            capture_differences(photo_facts(before), photo_facts(after))
            if before is not None and after is not None
            else []
        )
        slots.append(PhotoSlot(view, str(label), before, after, len(of_view) - shown, warnings))
    before_count = sum(1 for p in photos if p.stage == PhotoStage.BEFORE)
    return PhotoPanel(slots=slots, count=len(photos), before_count=before_count)


@dataclass(frozen=True)
class PhotoPair:
    """One view's progress for a patient: the baseline (first "before") against the latest
    after or follow-up photo, with every photo of the view in use, oldest first."""

    view: str
    label: str
    baseline: Photo | None
    latest: Photo | None
    photos: list[Photo]
    warnings: list[str]


def patient_photo_pairs(*, patient: Patient) -> list[PhotoPair]:
    """A pair per standard view that has photos, in the protocol's order (one query)."""
    photos = list(
        Photo.objects.filter(patient=patient, retired_at=None)
        .select_related("record__appointment__location", "taken_by__user")
        .order_by("taken_at", "pk")
    )
    pairs = []
    for view, label in PhotoView.choices:
        of_view = [p for p in photos if p.view == view]
        if not of_view:
            continue
        baseline = next((p for p in of_view if p.stage == PhotoStage.BEFORE), None)
        afters = [p for p in of_view if p.stage in AFTER_STAGES]
        latest = afters[-1] if afters else None
        warnings = (
            capture_differences(photo_facts(baseline), photo_facts(latest))
            if baseline is not None and latest is not None
            else []
        )
        pairs.append(PhotoPair(view, str(label), baseline, latest, of_view, warnings))
    return pairs


def photo_marketing_list(*, organization: Organization, on: date | None = None) -> QuerySet[Photo]:
    """Photos approved for marketing whose patient's authorization is in force `on` (today in the
    clinic's zone by default) and was signed before the approval: a withdrawal ends marketing use on
    the next read, and a later new authorization does not bring back photos approved under the
    withdrawn one (docs/security-targets.md I2)."""
    if on is None:
        on = local_today(organization.default_timezone)
    document = consent_documents_current(
        organization_id=organization.pk, kinds=[ConsentKind.MARKETING_PHOTOS]
    ).get(ConsentKind.MARKETING_PHOTOS)
    if document is None:
        return Photo.objects.none()
    in_force = ConsentSignature.objects.filter(
        patient=OuterRef("patient"),
        document=document,
        expires_on__gt=on,
        withdrawal__isnull=True,
        signed_at__lte=OuterRef("marketing_approved_at"),
    )
    return (
        Photo.objects.filter(
            organization=organization, marketing_approved_at__isnull=False, retired_at=None
        )
        .filter(Exists(in_force))
        .select_related("patient")
        .order_by("-marketing_approved_at", "pk")
    )
