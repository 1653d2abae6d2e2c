"""What signing a record checks: the chart's pre-care state that lives outside it
(screening and consent) and the facts `chart.sign_blockers` reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from needlepoint.catalog.models import ProductKind
from needlepoint.clinical.chart import SignFacts
from needlepoint.clinical.custody import IN_PROCESS, Step
from needlepoint.clinical.models import PrpSample, TreatmentRecord
from needlepoint.core.dates import local_day
from needlepoint.intake.consents import ConsentNotConfigured, consent_missing
from needlepoint.intake.selectors import screening_current, screens_needed


@dataclass(frozen=True)
class Readiness:
    """The chart's pre-care state that lives outside it: screening and consent."""

    screening_ok: bool
    screening_label: str
    consents_ok: bool
    consent_problem: str


def record_readiness(record: TreatmentRecord) -> Readiness:
    appointment = record.appointment
    if screens_needed(appointment):
        screening = screening_current(appointment=appointment)
        screening_ok = screening is not None and screening.may_proceed
        label = screening.get_status_display() if screening else "Not answered yet"
    else:
        screening_ok, label = True, "Not needed for this visit"
    day = local_day(appointment.starts_at, appointment.location.zone)
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
