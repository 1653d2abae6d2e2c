"""Reads for the chart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from needlepoint.catalog.models import Indication, ProductKind
from needlepoint.clinical.chart import LineValues, SignFacts
from needlepoint.clinical.custody import IN_PROCESS, Step
from needlepoint.clinical.models import (
    AdverseEvent,
    CartridgeUse,
    DepthOrder,
    Incident,
    IncidentKind,
    Outcome,
    Photo,
    PhotoStage,
    PhotoView,
    ProductUse,
    PrpSample,
    RecordStatus,
    TreatmentLine,
    TreatmentRecord,
)
from needlepoint.clinical.photos import capture_differences
from needlepoint.clinical.progress import SCALES, score_cells
from needlepoint.core.dates import local_today
from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404
from needlepoint.intake.models import Screening, ScreeningStatus
from needlepoint.patients.models import Patient


def prp_sample_get(*, organization: Organization, public_id: str) -> PrpSample:
    """One PRP sample of the organization; another's (or none) is a 404."""
    return get_scoped_or_404(
        PrpSample.objects.select_related(
            "patient", "location", "appointment__organization", "drawn_by__user"
        ),
        organization=organization,
        public_id=public_id,
    )


def treatment_record_get(*, organization: Organization, public_id: str) -> TreatmentRecord:
    """One treatment record of the organization; another's (or none) is a 404."""
    return get_scoped_or_404(
        TreatmentRecord.objects.select_related(
            "patient", "appointment__location", "appointment__organization"
        ),
        organization=organization,
        public_id=public_id,
    )


def cartridge_recall_list(*, organization: Organization, lot: str) -> QuerySet[CartridgeUse]:
    """Every use of a cartridge lot in the clinic, oldest first: who received it, when."""
    return (
        CartridgeUse.objects.filter(organization=organization, lot__lot=lot.strip().upper())
        .select_related(
            "lot", "treatment_record__patient", "treatment_record__appointment__location"
        )
        .order_by("used_at", "pk")
    )


def record_chart_get(*, organization: Organization, public_id: str) -> TreatmentRecord:
    """One treatment record with what its chart page shows at once; another's is a 404."""
    return get_scoped_or_404(
        TreatmentRecord.objects.select_related(
            "patient",
            "appointment__location",
            "appointment__organization",
            "appointment__service",
            "appointment__practitioner__user",
            "device",
            "identity_checked_by__user",
            "signed_by__user",
            "cosigned_by__user",
            "copied_from__appointment",
        ),
        organization=organization,
        public_id=public_id,
    )


def record_previous(record: TreatmentRecord) -> TreatmentRecord | None:
    """The patient's latest signed session before this one (what copy-forward and the
    differences compare with)."""
    return (
        TreatmentRecord.objects.filter(
            patient_id=record.patient_id,
            appointment__starts_at__lt=record.appointment.starts_at,
        )
        .exclude(status=RecordStatus.OPEN)
        .exclude(pk=record.pk)
        .select_related("appointment__location")
        .order_by("-appointment__starts_at")
        .first()
    )


def record_lines(record: TreatmentRecord) -> list[TreatmentLine]:
    return list(record.lines.select_related("area", "indication", "order__ordered_by__user"))


def line_values(lines: list[TreatmentLine]) -> list[LineValues]:
    return [
        LineValues(
            area=line.area.code,
            depth=line.depth_mm,
            passes=line.passes,
            technique=line.technique,
            indication=line.indication.code if line.indication else "",
            speed=line.speed,
        )
        for line in lines
        if line.voided_at is None
    ]


@dataclass(frozen=True)
class Readiness:
    """The chart's pre-care state that lives outside it: screening and consent."""

    screening_ok: bool
    screening_label: str
    consents_ok: bool
    consent_problem: str


def record_readiness(record: TreatmentRecord) -> Readiness:
    from needlepoint.intake.consents import ConsentNotConfigured, consent_missing
    from needlepoint.intake.selectors import screening_current
    from needlepoint.intake.services import screens_needed

    appointment = record.appointment
    if screens_needed(appointment):
        screening = screening_current(appointment=appointment)
        screening_ok = screening is not None and screening.may_proceed
        label = screening.get_status_display() if screening else "Not answered yet"
    else:
        screening_ok, label = True, "Not needed for this visit"
    day = appointment.starts_at.astimezone(appointment.location.zone).date()
    try:
        missing = consent_missing(patient=record.patient, service=appointment.service, on=day)
    except ConsentNotConfigured as unset:
        return Readiness(screening_ok, label, False, unset.args[0])
    problem = ("To sign: " + ", ".join(d.title for d in missing)) if missing else ""
    return Readiness(screening_ok, label, not missing, problem)


def record_sign_facts(record: TreatmentRecord, readiness: Readiness | None = None) -> SignFacts:
    readiness = readiness or record_readiness(record)
    samples = PrpSample.objects.filter(appointment_id=record.appointment_id)
    anaesthetic = record.no_anaesthetic or (
        record.anaesthetic_applied_at is not None
        and record.anaesthetic_removed_at is not None
        and record.products.filter(voided_at=None, product__kind=ProductKind.ANAESTHETIC).exists()
    )
    return SignFacts(
        identity_checked=record.identity_checked_at is not None,
        screening_ok=readiness.screening_ok,
        consents_ok=readiness.consents_ok,
        before_photos=record.photos.filter(stage="before", retired_at=None).count(),
        anaesthetic_done=anaesthetic,
        lines=record.lines.filter(voided_at=None).count(),
        needling_device=record.device_id is not None,
        cartridges=record.cartridges.count(),
        uses_prp=record.appointment.service.uses_prp,
        prp_applied=samples.filter(events__step=Step.APPLY).distinct().count(),
        prp_in_process=samples.filter(state__in=IN_PROCESS).count(),
        aftercare_given=bool(record.aftercare_version),
        waste_disposed=record.waste_disposed,
    )


def record_samples(record: TreatmentRecord) -> list[PrpSample]:
    return list(
        PrpSample.objects.filter(appointment_id=record.appointment_id)
        .select_related("drawn_by__user")
        .prefetch_related("events__by__user", "events__witness__user")
        .order_by("drawn_at")
    )


def depth_orders_active(*, patient: Patient, on: date) -> QuerySet[DepthOrder]:
    return DepthOrder.objects.filter(patient=patient, valid_until__gte=on).select_related(
        "area", "ordered_by__user"
    )


def cosign_queue(*, organization: Organization) -> QuerySet[TreatmentRecord]:
    """Signed records waiting for the medical director, oldest first."""
    return (
        TreatmentRecord.objects.filter(
            organization=organization, status=RecordStatus.SIGNED, cosign_required=True
        )
        .select_related(
            "patient", "appointment__service", "appointment__location", "signed_by__user"
        )
        .order_by("signed_at")
    )


def patient_records(*, patient: Patient) -> QuerySet[TreatmentRecord]:
    """A patient's treatment records, newest first."""
    return (
        TreatmentRecord.objects.filter(patient=patient)
        .select_related("appointment__service", "appointment__location", "signed_by__user")
        .order_by("-appointment__starts_at")
    )


def record_photos_context(record: TreatmentRecord) -> dict[str, object]:
    """What the chart page's photo panel shows (`clinical/_chart_photos.html`): a slot per
    standard view with the record's before and after photos (see "Photos" below). One
    key, `photo_panel`, to keep clear of the chart's own context."""
    return {"photo_panel": record_photo_panel(record=record)}


def patient_zone(patient: Patient) -> ZoneInfo:
    """Where "today" is for a patient outside any visit: their preferred location's zone,
    else the clinic's default."""
    if patient.preferred_location is not None:
        return patient.preferred_location.zone
    return ZoneInfo(patient.organization.default_timezone)


def outcome_list(*, patient: Patient, indication: Indication | None = None) -> QuerySet[Outcome]:
    """A patient's outcome scores, oldest assessment first, optionally for one indication."""
    outcomes = Outcome.objects.filter(organization_id=patient.organization_id, patient=patient)
    if indication is not None:
        outcomes = outcomes.filter(indication=indication)
    return outcomes.select_related(
        "indication", "record__appointment__location", "recorded_by__user"
    ).order_by("assessed_on", "recorded_at", "pk")


def outcome_rows(outcomes: list[Outcome]) -> list[tuple[Outcome, list[str]]]:
    """Each outcome with its scores as words, one cell per scale in `progress.SCALES`."""
    return [
        (outcome, score_cells({s.code: getattr(outcome, s.code) for s in SCALES}))
        for outcome in outcomes
    ]


def outcome_indications(*, patient: Patient) -> QuerySet[Indication]:
    """The indications a patient's outcomes were scored for (the progress page's filter)."""
    scored = Outcome.objects.filter(patient=patient, indication__isnull=False)
    return Indication.objects.filter(
        organization_id=patient.organization_id, pk__in=scored.values("indication_id")
    )


def patient_session_dates(*, patient: Patient, indication: Indication | None = None) -> list[date]:
    """The local dates of a patient's charted sessions, oldest first; with an indication,
    only sessions that treated it (a line for it that was not struck through)."""
    records = TreatmentRecord.objects.filter(
        organization_id=patient.organization_id, patient=patient
    )
    if indication is not None:
        records = records.filter(lines__indication=indication, lines__voided_at=None)
    starts = records.values_list("appointment__starts_at", "appointment__location__timezone")
    return sorted({start.astimezone(ZoneInfo(name)).date() for start, name in starts})


@dataclass(frozen=True)
class RecallHit:
    """One patient who received an item of a recalled lot, as the recall page lists it."""

    patient: Patient
    record: TreatmentRecord
    at: datetime  # in the location's zone: the cartridge's use, or the product's visit
    location_name: str
    item: str
    lot: str
    serial: str
    source: CartridgeUse | ProductUse  # the row the audit log names


def product_recall_list(*, organization: Organization, lot: str) -> QuerySet[ProductUse]:
    """Every charted use of a product lot in the clinic (anaesthetic, antiseptic, serum,
    aftercare…), oldest visit first. The lot number matches whatever its case or the
    spaces around it. Struck-through entries are left out: they record a mistake, not a
    use."""
    return (
        ProductUse.objects.filter(
            record__organization=organization,
            lot__lot_number__iexact=lot.strip(),
            voided_at=None,
        )
        .select_related("product", "lot", "record__patient", "record__appointment__location")
        .order_by("record__appointment__starts_at", "pk")
    )


def recall_hits(*, organization: Organization, kind: str, lot: str) -> list[RecallHit]:
    """Who received a cartridge lot (`kind` "cartridge") or a product lot ("product")."""
    if kind == "product":
        return [
            RecallHit(
                patient=use.record.patient,
                record=use.record,
                at=use.record.appointment.starts_at.astimezone(
                    use.record.appointment.location.zone
                ),
                location_name=use.record.appointment.location.name,
                item=use.product.name,
                lot=use.lot.lot_number,
                serial="",
                source=use,
            )
            for use in product_recall_list(organization=organization, lot=lot)
        ]
    return [
        RecallHit(
            patient=use.treatment_record.patient,
            record=use.treatment_record,
            at=use.used_at.astimezone(use.treatment_record.appointment.location.zone),
            location_name=use.treatment_record.appointment.location.name,
            item="Cartridge",
            lot=use.lot.lot,
            serial=use.serial,
            source=use,
        )
        for use in cartridge_recall_list(organization=organization, lot=lot)
    ]


# --- Photos (DOMAIN.md §7) ------------------------------------------------------------------


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
    """Photos approved for marketing whose patient's authorization is in force `on` (today
    in the clinic's zone by default) and was signed before the approval: a withdrawal ends
    marketing use on the next read, and a later new authorization does not bring back
    photos approved under the withdrawn one (SECURITY.md I2)."""
    from needlepoint.intake.consents import consent_documents_current
    from needlepoint.intake.models import ConsentKind, ConsentSignature

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


# --- Incidents: the clinic's safety events, newest first ----------------------------------


class IncidentListKind(models.TextChoices):
    """What the incidents page lists: the two `Incident` kinds, adverse events charted at
    the session, and the medical director's approvals of screenings that needed review."""

    PATIENT_MISMATCH = IncidentKind.PATIENT_MISMATCH.value, IncidentKind.PATIENT_MISMATCH.label
    WRONG_TUBE = IncidentKind.WRONG_TUBE.value, IncidentKind.WRONG_TUBE.label
    ADVERSE_EVENT = "adverse_event", "Adverse event"
    SCREENING_OVERRIDE = "screening_override", "Screening override"


@dataclass(frozen=True)
class IncidentRow:
    """One safety event as the incidents page lists it; times in the location's zone."""

    at: datetime
    kind: str
    kind_label: str
    patient: Patient
    appointment_public_id: UUID
    record_public_id: UUID | None  # the visit's chart, when there is one
    service_name: str
    visit_at: datetime
    by_name: str
    description: str
    key: str  # "<source>:<public id or pk>": unique, and the tie-break of the order


def incident_rows_merge(*sources: Iterable[IncidentRow]) -> list[IncidentRow]:
    """Rows of every source in one list, newest first (ties by key, so pages are stable)."""
    rows = [row for source in sources for row in source]
    rows.sort(key=lambda row: row.key, reverse=True)
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows


def _between(field: str, since: datetime | None, until: datetime | None) -> Q:
    query = Q()
    if since is not None:
        query &= Q(**{f"{field}__gte": since})
    if until is not None:
        query &= Q(**{f"{field}__lt": until})
    return query


def _review_codes(findings: list[dict[str, object]]) -> list[str]:
    return sorted({str(f.get("rule", "")) for f in findings if f.get("outcome") == "review"})


def _incident_rows(
    *, organization: Organization, kinds: list[str], since: datetime | None, until: datetime | None
) -> list[IncidentRow]:
    incidents = (
        Incident.objects.filter(
            _between("occurred_at", since, until), organization=organization, kind__in=kinds
        )
        .select_related(
            "appointment__patient",
            "appointment__service",
            "appointment__location",
            "reported_by__user",
            "sample",
        )
        .annotate(record_public_id=F("appointment__treatment_record__public_id"))
    )
    rows = []
    for incident in incidents:
        visit = incident.appointment
        zone = visit.location.zone
        detail = incident.detail
        if incident.sample is not None:
            detail = f"{detail} Tube {incident.sample.code}."
        rows.append(
            IncidentRow(
                at=incident.occurred_at.astimezone(zone),
                kind=incident.kind,
                kind_label=incident.get_kind_display(),
                patient=visit.patient,
                appointment_public_id=visit.public_id,
                record_public_id=incident.record_public_id,
                service_name=visit.service.name,
                visit_at=visit.starts_at.astimezone(zone),
                by_name=incident.reported_by.display_name,
                description=detail,
                key=f"incident:{incident.public_id}",
            )
        )
    return rows


def _adverse_event_rows(
    *, organization: Organization, since: datetime | None, until: datetime | None
) -> list[IncidentRow]:
    events = AdverseEvent.objects.filter(
        _between("at", since, until), record__organization=organization
    ).select_related(
        "record__patient",
        "record__appointment__service",
        "record__appointment__location",
        "by__user",
    )
    rows = []
    for event in events:
        visit = event.record.appointment
        zone = visit.location.zone
        rows.append(
            IncidentRow(
                at=event.at.astimezone(zone),
                kind=IncidentListKind.ADVERSE_EVENT,
                kind_label=IncidentListKind.ADVERSE_EVENT.label,
                patient=event.record.patient,
                appointment_public_id=visit.public_id,
                record_public_id=event.record.public_id,
                service_name=visit.service.name,
                visit_at=visit.starts_at.astimezone(zone),
                by_name=event.by.display_name,
                description=f"{event.kind}; {event.get_severity_display().lower()}. "
                f"Action: {event.action}",
                key=f"adverse_event:{event.pk:012d}",
            )
        )
    return rows


def _screening_override_filter(
    organization: Organization, since: datetime | None, until: datetime | None
) -> Q:
    """Approvals the medical director gave herself: carried-over approvals are left out."""
    return _between("decided_at", since, until) & Q(
        organization=organization,
        status=ScreeningStatus.APPROVED,
        decided_by__isnull=False,
        decided_at__isnull=False,
        carried_from__isnull=True,
    )


def _screening_override_rows(
    *, organization: Organization, since: datetime | None, until: datetime | None
) -> list[IncidentRow]:
    screenings = (
        Screening.objects.filter(_screening_override_filter(organization, since, until))
        .select_related(
            "appointment__patient",
            "appointment__service",
            "appointment__location",
            "decided_by__user",
        )
        .annotate(record_public_id=F("appointment__treatment_record__public_id"))
    )
    rows = []
    for screening in screenings:
        visit = screening.appointment
        zone = visit.location.zone
        codes = _review_codes(screening.findings)
        needed = f" Needed review: {', '.join(codes)}." if codes else ""
        scope = screening.get_scope_display()
        rows.append(
            IncidentRow(
                at=screening.decided_at.astimezone(zone),  # type: ignore[union-attr]
                kind=IncidentListKind.SCREENING_OVERRIDE,
                kind_label=IncidentListKind.SCREENING_OVERRIDE.label,
                patient=visit.patient,
                appointment_public_id=visit.public_id,
                record_public_id=screening.record_public_id,
                service_name=visit.service.name,
                visit_at=visit.starts_at.astimezone(zone),
                by_name=screening.decided_by.display_name,  # type: ignore[union-attr]
                description=f"Approved{f' ({scope.lower()})' if scope else ''}: "
                f"{screening.decision_reason}{needed}",
                key=f"screening_override:{screening.public_id}",
            )
        )
    return rows


def incident_list(
    *,
    organization: Organization,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[IncidentRow]:
    """The clinic's safety events, newest first: identity mismatches and wrong-tube scans
    (`Incident`), adverse events, and screening overrides. `kind` is an
    `IncidentListKind` value (None: all); `since` and `until` bound the event's time
    (`since` included, `until` not). One query per source listed."""
    sources: list[list[IncidentRow]] = []
    incident_kinds = [k for k in IncidentKind.values if kind in (None, k)]
    if incident_kinds:
        sources.append(
            _incident_rows(
                organization=organization, kinds=incident_kinds, since=since, until=until
            )
        )
    if kind in (None, IncidentListKind.ADVERSE_EVENT):
        sources.append(_adverse_event_rows(organization=organization, since=since, until=until))
    if kind in (None, IncidentListKind.SCREENING_OVERRIDE):
        sources.append(
            _screening_override_rows(organization=organization, since=since, until=until)
        )
    return incident_rows_merge(*sources)


def incident_count(*, organization: Organization, since: datetime) -> int:
    """How many safety events of every kind since a time (the dashboards' figure)."""
    return (
        Incident.objects.filter(organization=organization, occurred_at__gte=since).count()
        + AdverseEvent.objects.filter(record__organization=organization, at__gte=since).count()
        + Screening.objects.filter(_screening_override_filter(organization, since, None)).count()
    )
