"""Ready for the chair: health answers, signed consents, the medical director's
review when the screening needs one, and the check-in."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from io import BytesIO

from PIL import Image, ImageDraw

from needlepoint.accounts.models import StaffProfile
from needlepoint.clinical.gate import appointment_check_in
from needlepoint.demo.charts.common import full_name, local_start
from needlepoint.intake.consents import consent_missing, consent_sign
from needlepoint.intake.models import ReviewScope, ScreeningStatus
from needlepoint.intake.selectors import questionnaire_current, screening_current
from needlepoint.intake.services import (
    default_questionnaire,
    questionnaire_submit,
    screening_decide,
)
from needlepoint.scheduling.models import Appointment

PRP_LABS = {"platelet_count_per_ul": 245_000, "hemoglobin_g_dl": 13.6}
"""Recent lab values in range, as the clinic enters them for a PRP visit (PRP03, PRP07)."""


def healthy_answers(rng: random.Random, *, fitzpatrick: int | None = None) -> dict[str, object]:
    """A patient with nothing any rule picks up."""
    answers: dict[str, object] = {}
    for section in default_questionnaire()["sections"]:
        for question in section["questions"]:
            kind = question["kind"]
            answers[question["code"]] = {
                "yes_no": False,
                "date_or_never": "never",
                "choice": "none",
                "fitzpatrick": fitzpatrick or rng.choice([2, 3, 3, 4]),
            }[kind]
    answers["accepts_prp_risks"] = True
    return answers


def scribble(rng: random.Random) -> bytes:
    """A drawn signature for the demo's signed consents."""
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    points = [(30 + 60 * n, rng.randint(50, 160)) for n in range(10)]
    ImageDraw.Draw(image).line(points, fill=(20, 24, 31, 255), width=4)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def screening_ready(
    appointment: Appointment,
    *,
    rng: random.Random,
    answered_at: datetime,
    director: StaffProfile,
    extra: dict[str, object] | None = None,
    approve: bool = True,
) -> None:
    """Health answers on file for the visit (unless the ones on file already screen it),
    and every consent the service needs signed; a screening that needs review is approved
    by the medical director for the series, unless `approve` is off."""
    patient = appointment.patient
    if screening_current(appointment=appointment) is None or extra:
        answers = healthy_answers(rng, fitzpatrick=min(patient.fitzpatrick_type or 3, 4))
        if appointment.service.uses_prp:
            answers.update(PRP_LABS)
        answers.update(extra or {})
        questionnaire_submit(
            patient=patient,
            questionnaire=questionnaire_current(organization=appointment.organization),
            answers=answers,
            channel="link",
            appointment=appointment,
            now=answered_at,
        )
    screening = screening_current(appointment=appointment)
    if approve and screening is not None and screening.status == ScreeningStatus.NEEDS_REVIEW:
        screening_decide(
            screening=screening,
            staff=director,
            approve=True,
            reason="Went through the answers with the patient by phone: nothing that rules "
            "the treatment out. Go ahead at standard depths; screen again if anything changes.",
            scope=ReviewScope.SERIES,
            now=answered_at + timedelta(hours=1),
        )
    day = local_start(appointment).date()
    for document in consent_missing(patient=patient, service=appointment.service, on=day):
        consent_sign(
            patient=patient,
            document=document,
            typed_name=full_name(patient),
            signature_png=scribble(rng),
            appointment=appointment,
            now=answered_at + timedelta(minutes=5),  # by the link, with the answers
            notify=False,
        )


def check_in(appointment: Appointment, *, desk: StaffProfile, at: datetime) -> Appointment:
    return appointment_check_in(appointment=appointment, answers_unchanged=True, staff=desk, now=at)
