"""Where screening gates a visit (scheduling's seams and the readiness gate): refusing a
booking from the answers on file, screening a booked or moved visit with them, and whether
a visit may go ahead now.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from needlepoint.catalog.models import Service, ServiceKind
from needlepoint.core.dates import local_day
from needlepoint.intake.models import QuestionnaireResponse, ScreeningStatus
from needlepoint.intake.rules import Outcome
from needlepoint.intake.selectors import screening_current, screens_needed
from needlepoint.intake.services.screening import (
    appointment_screen,
    earliest_date,
    screening_answers,
    screening_context,
    screening_evaluate,
)
from needlepoint.patients.models import Patient
from needlepoint.patients.services import UNPROVEN_REFUSAL
from needlepoint.scheduling.models import Appointment

ANSWERS_KEPT_DAYS = 90
"""A new booking reuses health answers this recent; older ones are asked again."""


def response_on_file(*, patient: Patient, now: datetime) -> QuestionnaireResponse | None:
    """The patient's latest answers, if recent enough to screen a new booking with."""
    latest = QuestionnaireResponse.objects.filter(patient=patient).order_by("-submitted_at").first()
    if latest is None or latest.submitted_at < now - timedelta(days=ANSWERS_KEPT_DAYS):
        return None
    return latest


def screening_refusal(
    *,
    patient: Patient,
    service: Service,
    on: date,
    now: datetime,
    group: set[int] | None = None,
) -> str | None:
    """Why the answers on file rule out booking `service` on `on`, in words fit for
    anyone who typed the patient's details (no medical detail), or None.

    `group` is every record that counts as the same person (open or merged duplicates): the latest
    answers of any of them count. When those answers are another record's, the words say nothing of
    them, not even a date (docs/security-targets.md A8)."""
    if service.kind != ServiceKind.TREATMENT:
        return None
    response = _answers_on_file(patient_ids=group or {patient.pk}, now=now)
    if response is None:
        return None
    verdict = screening_evaluate(
        organization=patient.organization,
        service=service,
        on=on,
        answers=screening_answers(response),
        before_charting=True,
    )
    if verdict.outcome not in (Outcome.BLOCK, Outcome.BLOCK_UNTIL):
        return None
    if response.patient_id != patient.pk:
        return UNPROVEN_REFUSAL
    if verdict.outcome is Outcome.BLOCK:
        return (
            "From the health answers we have on file, we need to talk with you before "
            "booking this treatment. Please call us and we will find what suits you."
        )
    earliest = earliest_date(verdict)
    if earliest is not None:
        return (
            "From the health answers we have on file, this treatment has to wait a "
            f"little: the earliest date we can offer is {earliest:%B} {earliest.day}, "
            f"{earliest.year}. Please choose a day from then, or call us."
        )
    return (
        "From the health answers we have on file, this treatment has to wait for now. "
        "Please call us and we will find the right time together."
    )


def _answers_on_file(*, patient_ids: set[int], now: datetime) -> QuestionnaireResponse | None:
    latest = (
        QuestionnaireResponse.objects.filter(patient_id__in=patient_ids)
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if latest is None or latest.submitted_at < now - timedelta(days=ANSWERS_KEPT_DAYS):
        return None
    return latest


def appointment_screen_on_file(*, appointment: Appointment, now: datetime) -> None:
    """Screen a new or moved visit with the patient's recent answers, if any, so it needs
    no new questionnaire (check-in still asks whether anything has changed)."""
    if not screens_needed(appointment):
        return
    response = response_on_file(patient=appointment.patient, now=now)
    if response is not None:
        appointment_screen(appointment=appointment, response=response, now=now)


def appointment_screen_again(*, appointment: Appointment, now: datetime) -> None:
    """A moved visit: its waits are measured to the new date, so screen it again with the
    answers its current screening used (or recent ones on file)."""
    if not screens_needed(appointment):
        return
    current = screening_current(appointment=appointment)
    if current is None:
        appointment_screen_on_file(appointment=appointment, now=now)
    else:
        appointment_screen(appointment=appointment, response=current.response, now=now)


def screening_problem_now(*, appointment: Appointment, now: datetime) -> str | None:
    """Why this visit's screening does not let it go ahead at this moment, in words fit
    for the front desk (no medical detail), or None when it does.

    Re-evaluated now from the patient's current answers (the latest on file, if newer than
    the ones screened) and the clinic's current rules for the visit's date: a rule changed
    since, or new answers, count. A medical director's approval stands only for the same
    review findings from the same answers; a decline always stands."""
    if not screens_needed(appointment):
        return None
    current = screening_current(appointment=appointment)
    if current is None:
        return "The health questionnaire has not been completed for this visit."
    if current.status == ScreeningStatus.DECLINED:
        return "The medical director declined this treatment after review."
    latest = (
        QuestionnaireResponse.objects.filter(patient_id=appointment.patient_id)
        .order_by("-submitted_at", "-pk")
        .first()
    )
    screened = current.response
    newer = latest is not None and (latest.submitted_at, latest.pk) > (
        screened.submitted_at,
        screened.pk,
    )
    response = latest if newer and latest is not None else screened
    verdict = screening_evaluate(
        organization=appointment.organization,
        service=appointment.service,
        on=local_day(appointment.starts_at, appointment.location.zone),
        answers=screening_answers(response),
        context=screening_context(appointment),
        before_charting=True,
    )
    if verdict.outcome in (Outcome.BLOCK, Outcome.BLOCK_UNTIL):
        until = earliest_date(verdict) if verdict.outcome is Outcome.BLOCK_UNTIL else None
        return "The health screening rules this treatment out" + (
            f" until {until:%B} {until.day}, {until.year}." if until else "."
        )
    if verdict.outcome is Outcome.REVIEW:
        reviewed = {f.rule for f in verdict.findings if f.outcome is Outcome.REVIEW}
        covered = {f["rule"] for f in current.findings if f["outcome"] == Outcome.REVIEW}
        approved = (
            current.status == ScreeningStatus.APPROVED
            and response.pk == current.response_id
            and reviewed <= covered
        )
        if not approved:
            return "The health screening is waiting for the medical director's review."
    return None
