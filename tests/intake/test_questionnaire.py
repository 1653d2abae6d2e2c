"""The health questionnaire after booking, the screening it produces, the medical
director's review, and what check-in and the calendar make of it."""

from __future__ import annotations

import pytest
from django.core import mail

from needlepoint.clinical.gate import appointment_check_in
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.core.refusals import Refusal
from needlepoint.intake.links import questionnaire_url
from needlepoint.intake.models import AnswerChannel, QuestionnaireResponse, ScreeningStatus
from needlepoint.intake.selectors import screening_current
from needlepoint.scheduling.models import AppointmentStatus
from needlepoint.scheduling.services import BookingRuleError, appointment_book
from tests.support.clinical_support import clinic_seeded, consents_signed
from tests.support.intake_support import form_data
from tests.support.personas import sign_in
from tests.support.scheduling_world import at, make_world

NOW = at(2027, 1, 4, 8)
VISIT_DAY = at(2027, 1, 11, 9, 45)  # the desk checks in on the day of the visit
STOPPED = "2026-10-11"  # isotretinoin stopped three months before the Monday visit


@pytest.fixture
def world(cast, time_machine):
    time_machine.move_to(NOW, tick=False)
    world = make_world(clinic=cast.clinic)
    clinic_seeded(cast.clinic)
    return world


def book(world, cast, service=None, start=None):
    return appointment_book(
        location=world.location,
        service=service or world.face,
        start=start or at(2027, 1, 11, 10),
        patient=cast.patient,
        source="phone",
        now=NOW,
    )


def answer(client, appointment, *, kiosk=False, **answers):
    url = questionnaire_url(appointment, absolute=False) + ("?kiosk=1" if kiosk else "")
    data = form_data(uses_prp=appointment.service.uses_prp, **answers)
    return client.post(url, data, follow=True)


def test_the_link_opens_the_questionnaire_for_the_visit(client, world, cast):
    appointment = book(world, cast)
    page = client.get(questionnaire_url(appointment, absolute=False))
    assert page.status_code == 200
    assert b"Before your visit" in page.content
    assert b"isotretinoin" in page.content
    assert b"PRP" not in page.content  # PRP questions only for PRP services


def test_a_forged_link_is_a_404(client, world):
    assert client.get("/health/not-a-token/").status_code == 404


def test_isotretinoin_stopped_three_months_ago_waits_for_a_clinician(client, world, cast):
    appointment = book(world, cast)
    page = answer(client, appointment, isotretinoin_last_dose=STOPPED)
    assert b"a clinician will review your answers" in page.content
    assert b"isotretinoin" not in page.content.lower()  # no medical detail on the page
    screening = screening_current(appointment=appointment)
    assert screening.status == ScreeningStatus.NEEDS_REVIEW
    assert [f["rule"] for f in screening.findings] == ["MN10"]
    response = QuestionnaireResponse.objects.get(patient=cast.patient)
    assert response.answers["isotretinoin_last_dose"] == "2026-10-11"
    assert response.channel == AnswerChannel.LINK
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        patient_ref=str(cast.patient.public_id),
        object_id=str(response.public_id),
    ).exists()


def test_a_blocking_answer_says_kindly_that_the_treatment_must_wait(client, world, cast):
    appointment = book(world, cast)
    page = answer(client, appointment, pregnant_or_breastfeeding="yes")
    assert b"this treatment has to wait" in page.content
    assert b"pregnan" not in page.content.lower()
    assert screening_current(appointment=appointment).status == ScreeningStatus.BLOCKED


def test_a_recent_peel_offers_the_earliest_date(client, world, cast):
    appointment = book(world, cast)
    page = answer(client, appointment, last_peel_or_laser_in_area="2027-01-01")
    screening = screening_current(appointment=appointment)
    assert screening.blocked_until.isoformat() == "2027-01-31"
    assert b"January 31, 2027" in page.content


def test_clear_answers_lead_on_to_the_consent(client, world, cast):
    appointment = book(world, cast)
    page = answer(client, appointment)
    assert b"you&#x27;re all set" in page.content or b"you're all set" in page.content
    assert screening_current(appointment=appointment).status == ScreeningStatus.CLEAR
    assert b"Read and sign the consent" in page.content


def test_an_unanswered_question_is_a_review(client, world, cast):
    appointment = book(world, cast)
    answer(client, appointment, bleeding_disorder="unsure")
    assert screening_current(appointment=appointment).status == ScreeningStatus.NEEDS_REVIEW


def test_a_missing_answer_is_refused_with_the_form_again(client, world, cast):
    appointment = book(world, cast)
    data = form_data(uses_prp=False)
    del data["metal_allergy"]
    page = client.post(questionnaire_url(appointment, absolute=False), data)
    assert page.status_code == 422
    assert b"Please choose an answer." in page.content
    assert not QuestionnaireResponse.objects.exists()


def test_a_future_date_is_refused(client, world, cast):
    appointment = book(world, cast)
    data = form_data(uses_prp=False, last_nsaid_or_aspirin="2027-02-01")
    page = client.post(questionnaire_url(appointment, absolute=False), data)
    assert page.status_code == 422
    assert b"in the future" in page.content


def test_the_tablet_records_a_kiosk_answer_and_asks_for_the_tablet_back(client, world, cast):
    appointment = book(world, cast)
    page = answer(client, appointment, kiosk=True)
    assert b"hand the tablet back" in page.content
    assert QuestionnaireResponse.objects.get().channel == AnswerChannel.KIOSK


def test_the_confirmation_email_carries_the_questionnaire_link(
    world, cast, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(world, cast)
    assert mail.outbox, "a confirmation was sent"
    assert questionnaire_url(appointment) in mail.outbox[-1].body


# --- The medical director's review -----------------------------------------------------


def _decide(client, cast, appointment, decision, *, scope, reason):
    """The medical director decides on the visit's current screening."""
    screening = screening_current(appointment=appointment)
    return _review(client, cast, screening, decision=decision, scope=scope, reason=reason)


def _review(client, cast, screening, **data):
    sign_in(client, cast.director)
    return client.post(f"/staff/screening/{screening.public_id}/decision/", data)


def test_the_director_approves_from_the_queue_with_a_reason(client, world, cast):
    appointment = book(world, cast)
    answer(client, appointment, isotretinoin_last_dose=STOPPED)
    screening = screening_current(appointment=appointment)
    sign_in(client, cast.director)
    queue = client.get("/staff/screening/")
    assert str(screening.public_id).encode() in queue.content
    detail = client.get(f"/staff/screening/{screening.public_id}/")
    assert b"MN10" in detail.content
    response = client.post(
        f"/staff/screening/{screening.public_id}/decision/",
        {"decision": "approve", "scope": "appointment", "reason": "Stopped 3 months; 0.5 mm."},
    )
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.APPROVED
    assert screening.decided_by == cast.director.staff_profile
    assert screening.decision_reason == "Stopped 3 months; 0.5 mm."
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(screening.public_id)
    ).exists()
    assert str(screening.public_id).encode() not in client.get("/staff/screening/").content


def test_a_decision_needs_a_reason(client, world, cast):
    appointment = book(world, cast)
    answer(client, appointment, isotretinoin_last_dose=STOPPED)
    screening = screening_current(appointment=appointment)
    response = _review(client, cast, screening, decision="approve", scope="appointment", reason="")
    assert response.status_code == 422
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.NEEDS_REVIEW


@pytest.mark.parametrize("persona", ["practitioner", "frontdesk", "owner"])
def test_only_the_medical_director_reviews(client, world, cast, persona):
    appointment = book(world, cast)
    answer(client, appointment, isotretinoin_last_dose=STOPPED)
    screening = screening_current(appointment=appointment)
    sign_in(client, getattr(cast, persona))
    assert client.get("/staff/screening/").status_code == 403
    response = client.post(
        f"/staff/screening/{screening.public_id}/decision/",
        {"decision": "approve", "scope": "appointment", "reason": "ok"},
    )
    assert response.status_code == 403
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.NEEDS_REVIEW


def test_a_series_approval_covers_the_next_session_of_the_same_service(client, world, cast):
    first = book(world, cast)
    second = book(world, cast, start=at(2027, 2, 15, 10))
    answer(client, first, isotretinoin_last_dose=STOPPED)
    assert screening_current(appointment=second).status == ScreeningStatus.NEEDS_REVIEW
    _decide(client, cast, first, "approve", scope="series", reason="Fine for the series.")
    later = screening_current(appointment=second)
    assert later.status == ScreeningStatus.APPROVED
    assert later.decision_reason == "Fine for the series."


def test_another_clinics_screening_is_a_404(client, world, cast):
    from tests.support import factories
    from tests.support.personas import make_staff

    appointment = book(world, cast)
    answer(client, appointment, isotretinoin_last_dose=STOPPED)
    screening = screening_current(appointment=appointment)
    from needlepoint.accounts.roles import Role

    stranger = make_staff(factories.OrganizationFactory(), Role.MEDICAL_DIRECTOR, "elsewhere")
    sign_in(client, stranger)
    assert client.get(f"/staff/screening/{screening.public_id}/").status_code == 404


# --- Check-in and the calendar --------------------------------------------------------


def test_check_in_waits_for_the_questionnaire(world, cast):
    appointment = book(world, cast)
    with pytest.raises(Refusal, match="questionnaire has not been completed"):
        appointment_check_in(appointment=appointment, answers_unchanged=True, now=VISIT_DAY)


def test_check_in_waits_for_the_review(client, world, cast):
    appointment = book(world, cast)
    answer(client, appointment, isotretinoin_last_dose=STOPPED)
    with pytest.raises(Refusal, match="waiting for the medical director"):
        appointment_check_in(appointment=appointment, answers_unchanged=True, now=VISIT_DAY)


def test_a_blocked_visit_cannot_be_checked_in(client, world, cast):
    appointment = book(world, cast)
    answer(client, appointment, last_peel_or_laser_in_area="2027-01-01")
    with pytest.raises(Refusal, match="until January 31, 2027"):
        appointment_check_in(appointment=appointment, answers_unchanged=True, now=VISIT_DAY)


def test_check_in_needs_a_valid_consent(client, world, cast):
    appointment = book(world, cast)
    answer(client, appointment)
    with pytest.raises(Refusal, match="Consent still to sign"):
        appointment_check_in(appointment=appointment, answers_unchanged=True, now=VISIT_DAY)


def test_the_calendar_flags_visits_without_answers_or_waiting_for_review(client, world, cast):
    waiting = book(world, cast)
    sign_in(client, cast.frontdesk)
    page = client.get(f"/staff/calendar/{world.location.slug}/2027-01-11/")
    assert b"No health answers" in page.content
    answer(client, waiting, isotretinoin_last_dose=STOPPED)
    sign_in(client, cast.frontdesk)
    page = client.get(f"/staff/calendar/{world.location.slug}/2027-01-11/")
    assert b"Screening review" in page.content
    assert b"MN10" not in page.content  # the front desk sees a status, not findings
    week = client.get(f"/staff/calendar/{world.location.slug}/2027-01-11/week/")
    assert b"Screening review" in week.content


def test_a_consultation_needs_no_screening(world, cast):
    appointment = book(world, cast, service=world.consultation, start=at(2027, 1, 11, 9))
    appointment_check_in(appointment=appointment, now=VISIT_DAY)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN


def test_after_review_and_consent_the_front_desk_checks_in(client, world, cast, time_machine):
    appointment = book(world, cast)
    answer(client, appointment, isotretinoin_last_dose=STOPPED)
    _decide(client, cast, appointment, "approve", scope="appointment", reason="Fine at 0.5 mm.")
    consents_signed(appointment)
    time_machine.move_to(VISIT_DAY, tick=False)
    sign_in(client, cast.frontdesk)
    url = f"/staff/appointments/{appointment.public_id}/"
    page = client.get(url)
    assert b"Ready for check-in" in page.content
    # Without the patient's word that nothing changed, the desk is asked to check.
    client.post(url + "check-in/")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    client.post(url + "check-in/", {"answers_unchanged": "on"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    response = screening_current(appointment=appointment).response
    assert response.confirmed_by == cast.frontdesk.staff_profile


def test_the_desk_sees_why_check_in_must_wait(client, world, cast):
    appointment = book(world, cast)
    sign_in(client, cast.frontdesk)
    url = f"/staff/appointments/{appointment.public_id}/"
    page = client.get(url)
    assert b"health questionnaire has not been completed" in page.content
    response = client.post(url + "check-in/", {"answers_unchanged": "on"}, follow=True)
    assert b"health questionnaire has not been completed" in response.content
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


# --- Kiosk mode -------------------------------------------------------------------------


def _hand_over(client, cast, appointment):
    sign_in(client, cast.frontdesk)
    url = questionnaire_url(appointment, absolute=False)
    assert client.get(url + "?kiosk=1").status_code == 200
    return url


def test_a_handed_over_tablet_shows_only_the_patients_pages(client, world, cast):
    appointment = book(world, cast)
    url = _hand_over(client, cast, appointment)
    response = client.get("/staff/calendar/")
    assert response.status_code == 302
    assert response["Location"] == "/kiosk/unlock/"
    assert client.get(f"/staff/appointments/{appointment.public_id}/")["Location"] == (
        "/kiosk/unlock/"
    )
    assert client.get(url).status_code == 200
    from needlepoint.intake.consents import consent_sign_url

    assert client.get(consent_sign_url(appointment, absolute=False)).status_code == 200


def test_staff_take_the_tablet_back_with_their_password(client, world, cast):
    from tests.support.factories import TEST_PASSWORD

    appointment = book(world, cast)
    _hand_over(client, cast, appointment)
    wrong = client.post("/kiosk/unlock/", {"password": "guess"})
    assert wrong.status_code == 422
    assert client.get("/staff/calendar/")["Location"] == "/kiosk/unlock/"
    right = client.post("/kiosk/unlock/", {"password": TEST_PASSWORD})
    assert right["Location"] == f"/staff/appointments/{appointment.public_id}/"
    assert client.get(f"/staff/appointments/{appointment.public_id}/").status_code == 200


def test_five_wrong_passwords_sign_the_tablet_out(client, world, cast):
    appointment = book(world, cast)
    _hand_over(client, cast, appointment)
    for _ in range(5):
        response = client.post("/kiosk/unlock/", {"password": "guess"})
    assert response.status_code == 302
    assert "/login/" in client.get("/staff/calendar/")["Location"]


def test_a_patients_own_phone_is_never_locked(client, world, cast):
    appointment = book(world, cast)
    client.get(questionnaire_url(appointment, absolute=False) + "?kiosk=1")
    assert client.get("/").status_code == 200


# --- Answers on file --------------------------------------------------------------------


def test_a_new_booking_is_screened_with_recent_answers(client, world, cast):
    first = book(world, cast)
    answer(client, first)
    later = book(world, cast, start=at(2027, 2, 15, 10))
    assert screening_current(appointment=later).status == ScreeningStatus.CLEAR


def _consulted(client, world, cast, **answers):
    """Answers on file, given for a treatment booked two months ahead."""
    later = book(world, cast, start=at(2027, 3, 15, 10))
    answer(client, later, **answers)


def test_answers_on_file_refuse_a_booking_that_must_wait(client, world, cast):
    _consulted(client, world, cast, last_peel_or_laser_in_area="2027-01-01")
    with pytest.raises(BookingRuleError, match="earliest date we can offer is January 31, 2027"):
        book(world, cast, service=world.face, start=at(2027, 1, 12, 10))


def test_the_wizard_says_kindly_why_it_cannot_book(client, world, cast):
    _consulted(client, world, cast, pregnant_or_breastfeeding="yes")
    start = at(2027, 1, 13, 10)
    url = f"/book/{world.face.slug}/{world.location.slug}/details/?start={start.isoformat()}"
    patient = cast.patient
    response = client.post(
        url,
        {
            "start": start.isoformat(),
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "email": patient.email,
            "phone": "(505) 555-0142",
            "date_of_birth": patient.date_of_birth.isoformat(),
        },
    )
    assert response.status_code == 422
    # The booker typed the patient's details: a new record, so the answers on file are another
    # record's and the refusal says nothing of them (docs/security-targets.md A8).
    assert b"We could not book this online" in response.content
    assert b"pregnan" not in response.content.lower()


def test_a_moved_visit_is_screened_for_its_new_date(client, world, cast):
    appointment = book(world, cast, start=at(2027, 2, 15, 10))
    answer(client, appointment, last_peel_or_laser_in_area="2027-01-01")
    assert screening_current(appointment=appointment).status == ScreeningStatus.CLEAR
    from needlepoint.scheduling.services import appointment_reschedule

    appointment_reschedule(appointment=appointment, start=at(2027, 2, 16, 10), now=NOW)
    assert screening_current(appointment=appointment).status == ScreeningStatus.CLEAR
    with pytest.raises(BookingRuleError, match="January 31, 2027"):
        appointment_reschedule(appointment=appointment, start=at(2027, 1, 25, 10), now=NOW)


def test_an_approval_survives_a_move(client, world, cast):
    appointment = book(world, cast)
    answer(client, appointment, isotretinoin_last_dose=STOPPED)
    _decide(client, cast, appointment, "approve", scope="appointment", reason="Fine.")
    from needlepoint.scheduling.services import appointment_reschedule

    appointment_reschedule(appointment=appointment, start=at(2027, 1, 12, 10), now=NOW)
    assert screening_current(appointment=appointment).status == ScreeningStatus.APPROVED


def test_clinicians_see_the_answers_the_front_desk_sees_a_status(client, world, cast):
    appointment = book(world, cast)
    answer(client, appointment, isotretinoin_last_dose=STOPPED)
    url = f"/staff/appointments/{appointment.public_id}/"
    sign_in(client, cast.frontdesk)
    desk = client.get(url).content
    assert b"Needs clinician review" in desk
    assert b"MN10" not in desk and b"2026-10-11" not in desk
    sign_in(client, cast.practitioner)
    chart = client.get(url).content
    assert b"MN10" in chart and b"2026-10-11" in chart
    screening = screening_current(appointment=appointment)
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        actor=cast.practitioner,
        object_id=str(screening.public_id),
    ).exists()


def test_the_default_questionnaire_asks_every_answer_code():
    from needlepoint.intake.answers import CATALOGUE
    from needlepoint.intake.services import default_questionnaire

    data = default_questionnaire()
    asked = [q["code"] for s in data["sections"] for q in s["questions"]]
    asked += [q["code"] for q in data["clinician"]]
    assert len(asked) == len(set(asked))
    # The date of birth comes from the patient record.
    assert set(asked) | {"date_of_birth"} == set(CATALOGUE)


def test_a_clinic_adds_its_own_question_in_a_new_version(client, world, cast):
    from django.core.exceptions import ValidationError

    from needlepoint.intake.models import Questionnaire
    from needlepoint.intake.services import default_questionnaire

    data = default_questionnaire()
    own = {"code": "x_anything_else", "kind": "text", "text": "Anything else we should know?"}
    sections = [*data["sections"], {"title": "Anything else", "questions": [own]}]
    version = Questionnaire(
        organization=cast.clinic,
        title="Health questionnaire",
        version=2,
        questions={"sections": sections, "clinician": data["clinician"]},
    )
    version.full_clean()
    version.published_at = NOW
    version.save()
    appointment = book(world, cast)
    url = questionnaire_url(appointment, absolute=False)
    assert b"Anything else we should know?" in client.get(url).content
    data = form_data(uses_prp=False)
    data["x_anything_else"] = "I bruise easily."
    client.post(url, data)
    response = QuestionnaireResponse.objects.get()
    assert response.questionnaire == version
    assert response.answers["x_anything_else"] == "I bruise easily."

    broken = Questionnaire(
        organization=cast.clinic,
        title="Broken",
        version=3,
        questions={"sections": [{"title": "S", "questions": [{"code": "shoe_size", "kind": "x"}]}]},
    )
    with pytest.raises(ValidationError, match=r"not an intake answer code"):
        broken.full_clean()
    broken.questions = {
        "sections": [
            {"title": "S", "questions": [{"code": "metal_allergy", "kind": "text", "text": "?"}]}
        ]
    }
    with pytest.raises(ValidationError, match="needs a question of kind yes_no"):
        broken.full_clean()


def test_a_cancelled_or_consultation_visit_has_no_questionnaire(client, world, cast):
    from needlepoint.scheduling.services import appointment_cancel

    consultation = book(world, cast, service=world.consultation, start=at(2027, 1, 5, 9))
    page = client.get(questionnaire_url(consultation, absolute=False))
    assert page.status_code == 410
    assert b"go through your health questions together" in page.content
    visit = book(world, cast)
    appointment_cancel(appointment=visit, reason="Away", by_patient=True, now=NOW)
    response = client.post(questionnaire_url(visit, absolute=False), form_data(uses_prp=False))
    assert response.status_code == 410
    assert not QuestionnaireResponse.objects.exists()


def test_a_decline_follows_a_moved_visit(client, world, cast):
    from needlepoint.scheduling.services import appointment_reschedule

    appointment = book(world, cast)
    answer(client, appointment, isotretinoin_last_dose=STOPPED)
    _decide(
        client, cast, appointment, "decline", scope="appointment", reason="Wait until six months."
    )
    appointment_reschedule(appointment=appointment, start=at(2027, 1, 12, 10), now=NOW)
    assert screening_current(appointment=appointment).status == ScreeningStatus.DECLINED


def test_the_same_answers_again_keep_the_decision(client, world, cast):
    appointment = book(world, cast)
    answer(client, appointment, isotretinoin_last_dose=STOPPED)
    _decide(client, cast, appointment, "approve", scope="appointment", reason="Fine.")
    answer(client, appointment, isotretinoin_last_dose=STOPPED)
    assert screening_current(appointment=appointment).status == ScreeningStatus.APPROVED
    answer(client, appointment, isotretinoin_last_dose="2026-12-01")
    assert screening_current(appointment=appointment).status == ScreeningStatus.NEEDS_REVIEW


def test_a_stale_screening_cannot_be_decided_nor_revive_old_answers(client, world, cast):
    first = book(world, cast)
    second = book(world, cast, start=at(2027, 2, 15, 10))
    answer(client, first, isotretinoin_last_dose=STOPPED)
    stale = screening_current(appointment=first)
    answer(client, first, isotretinoin_current="yes")  # new answers: now a hard stop
    assert screening_current(appointment=second).status == ScreeningStatus.BLOCKED
    response = _review(
        client, cast, stale, decision="approve", scope="series", reason="Series fine."
    )
    assert response.status_code == 422
    assert b"Newer answers replaced this screening" in response.content
    assert screening_current(appointment=second).status == ScreeningStatus.BLOCKED


def test_a_first_session_in_dark_skin_asks_for_a_test_spot(client, world, cast):
    appointment = book(world, cast)
    answer(client, appointment, fitzpatrick_type="5")
    screening = screening_current(appointment=appointment)
    assert screening.status == ScreeningStatus.CAUTION
    assert {"FST1", "FST4", "MN26"} <= {f["rule"] for f in screening.findings}


def test_the_director_records_lab_values_and_the_visit_is_screened_again(client, world, cast):
    world.prp.requires_prior_consultation = False
    world.prp.save()
    appointment = book(world, cast, service=world.prp)
    answer(client, appointment)
    screening = screening_current(appointment=appointment)
    # No platelet count or haemoglobin on file: a PRP visit waits for review.
    assert {f["rule"] for f in screening.findings} == {"PRP03", "PRP07"}
    sign_in(client, cast.director)
    url = f"/staff/screening/{screening.public_id}/"
    assert b"Lab values" in client.get(url).content
    labs = url + "clinician-answers/"
    refused = client.post(labs, {"platelet_count_per_ul": "-5"})
    assert refused.status_code == 422
    response = client.post(labs, {"platelet_count_per_ul": "240000", "hemoglobin_g_dl": "13.1"})
    assert response.status_code == 302
    current = screening_current(appointment=appointment)
    assert current.status == ScreeningStatus.CLEAR
    assert current.response.channel == AnswerChannel.STAFF
    assert current.response.answers["platelet_count_per_ul"] == 240000
    assert QuestionnaireResponse.objects.filter(patient=cast.patient).count() == 2
