"""The medical director's change to the shipped screening rules, and health answers
and consents for the treatments booked ahead."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from needlepoint.core.dates import local_day
from needlepoint.core.models import Organization
from needlepoint.demo.charts.readiness import healthy_answers, scribble
from needlepoint.demo.loader.clinic import DEMO_RANDOM_SEED
from needlepoint.intake.consents import consent_missing, consent_sign
from needlepoint.intake.models import QuestionnaireResponse, ScreeningRule
from needlepoint.intake.selectors import questionnaire_current
from needlepoint.intake.services import questionnaire_submit
from needlepoint.scheduling.models import Appointment, AppointmentStatus


def load_intake(organization: Organization, today: date, new: Counter[str]) -> None:
    """Health answers and consents for most booked treatments ahead: most clear and signed,
    one waiting for the medical director's review (isotretinoin stopped three months ago),
    and the last two not answered yet, so the calendar shows every flag."""
    if QuestionnaireResponse.objects.filter(organization=organization).exists():
        return
    rng = random.Random(DEMO_RANDOM_SEED + 7)  # noqa: S311 - demo data, not security
    questionnaire = questionnaire_current(organization=organization)
    ahead = list(
        Appointment.objects.filter(
            organization=organization,
            status=AppointmentStatus.BOOKED,
            service__kind="treatment",
            starts_at__date__gte=today,
        )
        .select_related("patient", "service", "location")
        .order_by("starts_at")
    )
    answered: set[int] = set()
    for number, appointment in enumerate(ahead[:-2] if len(ahead) > 2 else []):
        patient = appointment.patient
        if patient.pk in answered:
            continue  # one set of answers screens all of a patient's visits ahead
        answered.add(patient.pk)
        answers = healthy_answers(rng)
        if number == 1:
            answers["isotretinoin_last_dose"] = (today - timedelta(days=90)).isoformat()
        questionnaire_submit(
            patient=patient,
            questionnaire=questionnaire,
            answers=answers,
            channel="link",
            appointment=appointment,
        )
        new["questionnaire_responses"] += 1
        day = local_day(appointment.starts_at, appointment.location.zone)
        for document in consent_missing(patient=patient, service=appointment.service, on=day):
            consent_sign(
                patient=patient,
                document=document,
                typed_name=f"{patient.first_name} {patient.last_name}",
                signature_png=scribble(rng),
                appointment=appointment,
                notify=False,
            )
            new["consent_signatures"] += 1


def demo_rule_choices(organization: Organization) -> None:
    """Sandia's medical director's one change to the shipped rules: PRP facials go ahead
    without a platelet count or haemoglobin on file (a caution, not a review), unless the
    patient's answers call for one. Shown in the configuration site next to its source."""
    for code in ("PRP03", "PRP07"):
        rule = ScreeningRule.objects.get(organization=organization, code=code)
        if rule.definition.get("unknown") != "caution":
            rule.definition = {**rule.definition, "unknown": "caution"}
            rule.save(update_fields=["definition", "updated_at"])
