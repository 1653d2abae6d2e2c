"""The readiness gate, read from the database: every clinical write on a visit calls `visit_require`
first, and the desk's check-in is `appointment_check_in` here, so the chart page, the JSON API, the
configuration site and any later door refuse the same step with the same code (`clinical.readiness`
holds the decision; docs/api-contract.md "Visit readiness")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.scope import Procedure, service_procedures
from needlepoint.accounts.selectors import staff_scope_refusal
from needlepoint.clinical.chart import ChartRefused
from needlepoint.clinical.models import TreatmentRecord
from needlepoint.clinical.readiness import Blocked, Stage, VisitFacts, blockers
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_day
from needlepoint.core.models import AuditAction
from needlepoint.intake.consents import ConsentNotConfigured, consent_missing
from needlepoint.intake.selectors import screening_current, screens_needed
from needlepoint.intake.services import response_confirm, screening_problem_now
from needlepoint.scheduling.models import Appointment, AppointmentStatus


class VisitNotReady(ChartRefused):
    """A clinical step the readiness gate refuses; `code` is the first blocker's, and
    `blockers` lists them all."""

    def __init__(self, found: Sequence[Blocked]) -> None:
        super().__init__(found[0].code.value, found[0].message)
        self.blockers = list(found)


@dataclass(frozen=True)
class Readiness:
    ready: bool
    checked_in: bool
    blockers: list[Blocked]


def _consent_problem(appointment: Appointment, today: date) -> str | None:
    try:
        missing = consent_missing(
            patient=appointment.patient, service=appointment.service, on=today
        )
    except ConsentNotConfigured as unset:
        return str(unset.args[0])
    if not missing:
        return None
    titles = ", ".join(document.title for document in missing)
    return (
        f"Consent still to sign: {titles}. Hand the patient the tablet to read and sign it first."
    )


def step_procedures(appointment: Appointment, stage: Stage) -> list[Procedure]:
    """What the performer of a step must be allowed: at check-in, everything the booked
    service involves (of its practitioner); at the chair, micro-needling (the PRP draw asks
    for phlebotomy itself)."""
    involved = service_procedures(
        kind=appointment.service.kind, uses_prp=appointment.service.uses_prp
    )
    if stage is Stage.CHECK_IN:
        return involved
    return [p for p in involved if p is Procedure.MICRONEEDLING]


def visit_facts(
    *,
    appointment: Appointment,
    performer: StaffProfile | None,
    procedures: Sequence[Procedure],
    now: datetime,
    stage: Stage = Stage.TREATMENT,
) -> VisitFacts:
    """The facts `blockers` reads. The pre-care stage does not look at screening or
    consent, so they are not evaluated for it (the screening is the costly part)."""
    zone = appointment.location.zone
    weighs_intake = stage is not Stage.PRE_CARE
    today = local_day(now, zone)
    identity_checked = (
        TreatmentRecord.objects.filter(appointment_id=appointment.pk)
        .values_list("identity_checked_at", flat=True)
        .first()
    )
    if performer is None:
        scope = "The visit has no practitioner to perform it." if procedures else None
    else:
        scope = staff_scope_refusal(staff=performer, procedures=procedures, on=today)
    return VisitFacts(
        checked_in=appointment.status == AppointmentStatus.CHECKED_IN,
        visit_day=local_day(appointment.starts_at, zone),
        today=today,
        screening_problem=screening_problem_now(appointment=appointment, now=now)
        if weighs_intake
        else None,
        consent_problem=_consent_problem(appointment, today) if weighs_intake else None,
        identity_confirmed=identity_checked is not None,
        scope_problem=scope,
    )


def visit_readiness(
    *,
    appointment: Appointment,
    performer: StaffProfile | None,
    stage: Stage = Stage.TREATMENT,
    procedures: Sequence[Procedure] | None = None,
    now: datetime | None = None,
) -> Readiness:
    """Whether a step of `stage` by `performer` may happen on the visit now, and why not."""
    if procedures is None:
        procedures = step_procedures(appointment, stage)
    facts = visit_facts(
        appointment=appointment,
        performer=performer,
        procedures=procedures,
        now=now or timezone.now(),
        stage=stage,
    )
    found = blockers(facts, stage)
    return Readiness(ready=not found, checked_in=facts.checked_in, blockers=found)


def visit_require(
    *,
    appointment: Appointment,
    performer: StaffProfile | None,
    stage: Stage = Stage.TREATMENT,
    procedures: Sequence[Procedure] | None = None,
    now: datetime | None = None,
) -> None:
    """Refuse (`VisitNotReady`) a step the gate does not allow now; called by every
    clinical write before it writes anything."""
    readiness = visit_readiness(
        appointment=appointment,
        performer=performer,
        stage=stage,
        procedures=procedures,
        now=now,
    )
    if readiness.blockers:
        raise VisitNotReady(readiness.blockers)


def appointment_check_in(
    *,
    appointment: Appointment,
    answers_unchanged: bool = False,
    staff: StaffProfile | None = None,
    by: Actor | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Check a patient in: only on the visit's local day, with the screening clear or
    approved for this visit now, every consent the service needs valid today, the booked
    practitioner's licence permitting the service, and the patient's word that nothing in
    their health answers has changed (`answers_unchanged`). Refusals carry the gate's codes,
    or `not_booked` / `answers_unconfirmed`."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the appointment row alone: PostgreSQL cannot lock the nullable side of the
        # outer join a select_related of its practitioner would make.
        locked = Appointment.objects.select_for_update(of=("self",)).get(pk=appointment.pk)
        if locked.status != AppointmentStatus.BOOKED:
            raise ChartRefused("not_booked", "Only a booked appointment can be checked in.")
        visit_require(
            appointment=locked, performer=locked.practitioner, stage=Stage.CHECK_IN, now=now
        )
        if screens_needed(locked):
            if not answers_unchanged:
                raise ChartRefused(
                    "answers_unconfirmed",
                    "Ask whether anything has changed since the health questionnaire. If "
                    "nothing has, tick the box; if something has, open the questionnaire "
                    "on the tablet first.",
                )
            screening = screening_current(appointment=locked)
            if screening is not None and staff is not None:
                response_confirm(
                    response=screening.response,
                    staff=staff,
                    appointment=locked,
                    by=by,
                    now=now,
                )
        locked.status = AppointmentStatus.CHECKED_IN
        locked.checked_in_at = now
        locked.save(update_fields=["status", "checked_in_at"])
        audit_record(
            action=AuditAction.UPDATE,
            by=by,
            organization=locked.location.organization,
            obj=locked,
            patient=locked.patient,
            detail={"status": locked.status},
        )
    return locked
