"""Bringing a booked visit to the chair the way the clinic does: harmless health answers
on file, every consent signed, checked in on the day, and (for the chart) the patient's
identity confirmed. The readiness gate refuses every clinical step until then, so tests of
the chart start from here rather than around it.

Callers freeze time on the visit's day first (`time_machine.move_to(...)`).
"""

from __future__ import annotations

from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.clinical.gate import appointment_check_in
from needlepoint.clinical.models import TreatmentRecord
from needlepoint.clinical.services import record_identity_check, treatment_record_start
from needlepoint.intake.consents import consent_missing, consent_sign, intake_seed_consents
from needlepoint.intake.models import AnswerChannel, ConsentDocument, ScreeningRule
from needlepoint.intake.selectors import questionnaire_current
from needlepoint.intake.services import (
    intake_seed_questionnaire,
    intake_seed_rules,
    questionnaire_submit,
)
from needlepoint.scheduling.models import Appointment
from needlepoint.scheduling.services import appointment_book
from needlepoint.site.forms.questionnaire import QuestionnaireForm, patient_sections
from tests.support.images import drawn_png
from tests.support.intake_support import form_data
from tests.support.scheduling_world import at, make_world

BOOKED_AT = at(2027, 1, 4, 8)
VISIT = at(2027, 1, 11, 10)
"""A face treatment booked a week ahead, on Monday 11 January 2027 at 10:00 (Denver)."""


def clinic_seeded(organization) -> None:  # type: ignore[no-untyped-def]
    """The clinic's screening rules, questionnaire and consent forms, once."""
    if not ScreeningRule.objects.filter(organization=organization).exists():
        intake_seed_rules(organization=organization)
    if questionnaire_current(organization=organization) is None:
        intake_seed_questionnaire(organization=organization)
    if not ConsentDocument.objects.filter(organization=organization).exists():
        intake_seed_consents(organization=organization)


PRP_LABS = {"platelet_count_per_ul": 250_000, "hemoglobin_g_dl": 13.5}
"""Recent lab values in range, as the clinic enters them for a PRP visit (PRP03, PRP07)."""


def answers_harmless(appointment: Appointment, **answers: object) -> None:
    """The patient's health answers, nothing any rule picks up (plus `answers`)."""
    questionnaire = questionnaire_current(organization=appointment.organization)
    sections = patient_sections(questionnaire.questions, uses_prp=appointment.service.uses_prp)
    today = timezone.localdate(timezone=appointment.location.zone)
    form = QuestionnaireForm(
        form_data(uses_prp=appointment.service.uses_prp, **answers),
        sections=sections,
        today=today,
    )
    assert form.is_valid(), form.errors
    labs = PRP_LABS if appointment.service.uses_prp else {}
    questionnaire_submit(
        patient=appointment.patient,
        questionnaire=questionnaire,
        answers={**form.answers(), **labs},
        channel=AnswerChannel.LINK,
        appointment=appointment,
    )


def consents_signed(appointment: Appointment) -> None:
    patient = appointment.patient
    day = appointment.starts_at.astimezone(appointment.location.zone).date()
    for document in consent_missing(patient=patient, service=appointment.service, on=day):
        consent_sign(
            patient=patient,
            document=document,
            typed_name=f"{patient.first_name} {patient.last_name}",
            signature_png=drawn_png(),
            appointment=appointment,
        )


def visit_ready(appointment: Appointment, *, desk: StaffProfile | None = None) -> Appointment:
    """Answers on file, consents signed, checked in now (on the visit's day)."""
    clinic_seeded(appointment.organization)
    answers_harmless(appointment)
    consents_signed(appointment)
    return appointment_check_in(appointment=appointment, answers_unchanged=True, staff=desk)


def chart_ready(appointment: Appointment, *, staff: StaffProfile) -> TreatmentRecord:
    """A ready visit's chart, started by `staff` with the patient's identity confirmed."""
    appointment.refresh_from_db()
    if appointment.status == "booked":
        visit_ready(appointment)
        appointment.refresh_from_db()
    record, _ = treatment_record_start(appointment=appointment, staff=staff)
    patient = appointment.patient
    if record.identity_checked_at is None:
        record_identity_check(
            record=record,
            full_name=f"{patient.first_name} {patient.last_name}",
            date_of_birth=patient.date_of_birth,
            staff=staff,
        )
        record.refresh_from_db()
    return record


def record_charted(clinic, patient, start, staff) -> TreatmentRecord:  # type: ignore[no-untyped-def]
    """The chart of the patient's face treatment at `start` in a new world of the clinic,
    booked by phone at BOOKED_AT and brought to the chair by `staff`."""
    world = make_world(clinic=clinic)
    appointment = appointment_book(
        location=world.location,
        service=world.face,
        start=start,
        patient=patient,
        source="phone",
        now=BOOKED_AT,
    )
    return chart_ready(appointment, staff=staff)
