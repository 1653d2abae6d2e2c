"""docs/security-targets.md A8: typed details never grant access. A stranger who types an existing
patient's email and date of birth, through the wizard or the API, gets a booking on a new record of
his own; every link he receives reaches only that record; refusals say nothing of her visits; the
look-alike is flagged and the booking rules treat both as one person."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from PIL import Image, ImageDraw

from needlepoint.intake.consents import (
    consent_text,
    consent_token,
    text_digest,
)
from needlepoint.intake.links import questionnaire_url
from needlepoint.intake.models import ConsentDocument, ConsentSignature, ScreeningStatus
from needlepoint.intake.selectors import questionnaire_current, screening_current
from needlepoint.intake.services import (
    questionnaire_submit,
)
from needlepoint.patients.links import claim_token
from needlepoint.patients.models import (
    DuplicateCandidate,
    DuplicateReason,
    DuplicateStatus,
    Patient,
    ReminderChannel,
)
from needlepoint.patients.services import patient_register
from needlepoint.scheduling.links import appointment_from_token
from needlepoint.scheduling.models import Appointment
from needlepoint.scheduling.services import appointment_book
from tests.support import factories
from tests.support.api_support import booking_body, post
from tests.support.clinical_support import clinic_seeded
from tests.support.intake_support import form_data
from tests.support.personas import sign_in
from tests.support.scheduling_world import at, make_world

NOW = at(2027, 1, 4, 8)
HER_VISIT = at(2027, 1, 25, 10)  # her booked treatment, screening waiting for review
SAFE_START = at(2027, 3, 8, 10)  # far enough from her visit for the series rule
TOO_CLOSE = at(2027, 2, 1, 10)  # a week after her visit: the series rule refuses

HER = {
    "first_name": "Rosa",
    "last_name": "Tafoya",
    "email": "rosa.tafoya@example.com",
    "phone": "(505) 555-0142",
    "date_of_birth": "1987-06-02",
}
# The stranger knows her email and date of birth, and gives his own name and number.
STRANGER = {**HER, "first_name": "Victor", "last_name": "Lobo", "phone": "(505) 555-0777"}


@pytest.fixture
def world(db, time_machine):
    time_machine.move_to(NOW, tick=False)
    world = make_world()
    clinic_seeded(world.clinic)
    cache.clear()
    return world


@pytest.fixture
def rosa(world):
    """Rosa has a treatment booked, answers waiting for the director, replied STOP to
    texts, and never authorized marketing use of her photos."""
    rosa = patient_register(
        organization=world.clinic,
        first_name=HER["first_name"],
        last_name=HER["last_name"],
        email=HER["email"],
        phone=HER["phone"],
        date_of_birth=date(1987, 6, 2),
        reminder_channel=ReminderChannel.EMAIL,
    )
    visit = appointment_book(
        location=world.location, service=world.face, start=HER_VISIT, patient=rosa, source="phone"
    )
    questionnaire_submit(
        patient=rosa,
        questionnaire=questionnaire_current(organization=world.clinic),
        answers={"bleeding_disorder": None},
        channel="staff",
        appointment=visit,
    )
    assert screening_current(appointment=visit).status == ScreeningStatus.NEEDS_REVIEW
    return rosa


def her_state(rosa: Patient) -> tuple:
    rosa.refresh_from_db()
    visit = Appointment.objects.get(patient=rosa)
    return (
        rosa.phone,
        rosa.email,
        rosa.reminder_channel,
        rosa.marketing_email,
        rosa.marketing_sms,
        rosa.updated_at,
        screening_current(appointment=visit).status,
        ConsentSignature.objects.filter(patient=rosa).count(),
        visit.starts_at,
        visit.status,
    )


def details_url(world, start) -> str:
    url = reverse("site:booking-details", args=[world.face.slug, world.location.slug])
    return f"{url}?start={start.isoformat().replace('+', '%2B')}"


def wizard_book(client, world, start, details=STRANGER, **extra):
    return client.post(details_url(world, start), {**details, **extra})


def stranger_booking_by_wizard(client, world) -> Appointment:
    response = wizard_book(client, world, SAFE_START, reminders_by_text="on")
    assert response.status_code == 302
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    return appointment_from_token(token)


def stranger_booking_by_api(client, world) -> Appointment:
    body = booking_body(world, SAFE_START, patient=STRANGER)
    response = post(client, "/bookings", body)
    assert response.status_code == 201
    return Appointment.objects.get(public_id=response.json()["id"])


BOOK_AS_STRANGER = {"wizard": stranger_booking_by_wizard, "api": stranger_booking_by_api}


@pytest.mark.parametrize("via", sorted(BOOK_AS_STRANGER))
def test_a_stranger_with_her_email_and_birth_date_books_on_a_new_record(client, world, rosa, via):
    world_ = world
    before = her_state(rosa)
    booking = BOOK_AS_STRANGER[via](client, world_)
    assert booking.patient != rosa
    assert booking.patient.first_name == "Victor"
    assert her_state(rosa) == before  # not read into, not changed: not even her phone
    candidate = DuplicateCandidate.objects.get(patient=booking.patient)
    assert (candidate.other, candidate.reason) == (rosa, DuplicateReason.EMAIL_DOB)
    assert candidate.status == DuplicateStatus.OPEN


def test_the_stranger_cannot_turn_her_texts_back_on(client, world, rosa):
    booking = stranger_booking_by_wizard(client, world)
    rosa.refresh_from_db()
    assert rosa.reminder_channel == ReminderChannel.EMAIL
    # His own record got his texts: his number is not hers.
    assert booking.patient.reminder_channel == ReminderChannel.BOTH


def test_texts_to_her_number_wait_for_the_desk(client, world, rosa):
    """Typing her number too gets no texts sent to it until the records are joined."""
    response = wizard_book(client, world, SAFE_START, {**STRANGER, "phone": HER["phone"]},
                           reminders_by_text="on")  # fmt: skip
    assert response.status_code == 302
    newest = Patient.objects.order_by("-pk").first()
    assert newest != rosa and newest.reminder_channel == ReminderChannel.EMAIL


@pytest.mark.parametrize("via", sorted(BOOK_AS_STRANGER))
def test_his_questionnaire_does_not_clear_her_screening(client, world, rosa, via):
    booking = BOOK_AS_STRANGER[via](client, world)
    before = her_state(rosa)
    url = questionnaire_url(booking, absolute=False)
    response = client.post(url, form_data(uses_prp=False), follow=True)
    assert response.status_code == 200
    assert screening_current(appointment=booking).status == ScreeningStatus.CLEAR
    assert her_state(rosa) == before  # her visit still waits for the director


def test_his_marketing_authorization_is_signed_on_his_record_only(client, world, rosa):
    booking = stranger_booking_by_wizard(client, world)
    document = (
        ConsentDocument.objects.filter(organization=booking.organization, kind="marketing_photos")
        .order_by("-version")
        .first()
    )
    text = consent_text(document=document, appointment=booking)
    url = reverse(
        "site:consent-sign",
        kwargs={"token": consent_token(booking), "kind": "marketing_photos"},
    )
    response = client.post(
        url,
        {
            "agree": "on",
            "typed_name": "Victor Lobo",
            "signature": _signature(),
            "text_sha256": text_digest(text),
        },
    )
    assert response.status_code == 302
    assert ConsentSignature.objects.filter(patient=booking.patient).count() == 1
    assert not ConsentSignature.objects.filter(patient=rosa).exists()


def test_the_manage_link_shows_only_his_booking(client, world, rosa):
    response = wizard_book(client, world, SAFE_START)
    page = client.get(response["Location"].replace("/confirmed/", "/manage/")).content.decode()
    assert "March 8, 2027" in page
    assert "January 25" not in page


# --- Refusals say nothing of her visits -------------------------------------------------


def test_the_wizard_refuses_a_too_close_booking_without_her_dates(client, world, rosa):
    before = Patient.objects.count()
    response = wizard_book(client, world, TOO_CLOSE)
    assert response.status_code == 422
    body = response.content.decode()
    assert "We could not book this online" in body
    for leak in ("January 25", "Jan 25", "2027-01-25", "February 22", "screening", "review"):
        assert leak not in body
    assert Patient.objects.count() == before  # the refused booking left no record


def test_the_api_refuses_a_too_close_booking_without_her_dates(client, world, rosa):
    before = Patient.objects.count()
    response = post(client, "/bookings", booking_body(world, TOO_CLOSE, patient=STRANGER))
    assert response.status_code == 422
    assert response.json()["code"] == "series_interval"
    message = response.json()["message"]
    assert "call the clinic" in message
    assert "January" not in message and "February" not in message
    assert Patient.objects.count() == before


def test_a_different_email_does_not_escape_the_series_interval(client, world, rosa):
    """Same name and birth date, another email: flagged, so still one person for the rule."""
    response = wizard_book(client, world, TOO_CLOSE, {**HER, "email": "r2@example.com"})
    assert response.status_code == 422
    assert "We could not book this online" in response.content.decode()


def test_her_answers_on_file_refuse_without_medical_detail(client, world):
    rosa = patient_register(
        organization=world.clinic, first_name="Rosa", last_name="Tafoya",
        email=HER["email"], date_of_birth=date(1987, 6, 2),
    )  # fmt: skip
    questionnaire_submit(
        patient=rosa,
        questionnaire=questionnaire_current(organization=world.clinic),
        answers={"pregnant_or_breastfeeding": True},
        channel="staff",
    )
    response = post(client, "/bookings", booking_body(world, SAFE_START, patient=STRANGER))
    assert response.status_code == 422
    assert response.json()["code"] == "screening_blocked"
    assert "pregnan" not in response.json()["message"].lower()
    assert "health answers" not in response.json()["message"]


def test_a_dismissed_pair_is_two_people_again(client, world, rosa):
    assert wizard_book(client, world, SAFE_START).status_code == 302
    DuplicateCandidate.objects.update(status=DuplicateStatus.DISMISSED)
    other_face = at(2027, 3, 9, 10)  # a day after his own visit: his own record refuses
    response = wizard_book(client, world, other_face)
    assert response.status_code == 422
    # His third record is flagged against both, so the clash with his own earlier visit
    # is on another record: still no dates.
    body = response.content.decode()
    assert "We could not book this online" in body
    assert "March 8" not in body and "April" not in body


# --- Refused bookings leave no row; the one-time link -----------------------------------


def test_a_taken_time_leaves_no_new_record(client, world, rosa):
    someone = factories.PatientFactory(organization=world.clinic, record_number="T-1")
    appointment_book(
        location=world.location, service=world.face, start=SAFE_START, patient=someone,
        source="phone",
    )  # fmt: skip
    before = Patient.objects.count()
    assert wizard_book(client, world, SAFE_START).status_code == 409
    response = post(client, "/bookings", booking_body(world, SAFE_START, patient=STRANGER))
    assert response.status_code == 409
    assert Patient.objects.count() == before
    assert not DuplicateCandidate.objects.exists()


def test_the_email_on_file_gets_a_one_time_link(
    client, world, rosa, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking = stranger_booking_by_wizard(client, world)
    (asked,) = [m for m in mail.outbox if "was this booking yours" in m.subject]
    assert asked.to == [rosa.email]
    candidate = DuplicateCandidate.objects.get(patient=booking.patient)
    link = reverse("site:booking-claim", kwargs={"token": claim_token(candidate)})
    assert link in asked.body
    assert "Victor" not in asked.body and "Rosa" not in asked.body


def test_the_link_joins_the_booking_once_and_only_once(client, world, rosa):
    booking = stranger_booking_by_wizard(client, world)
    candidate = DuplicateCandidate.objects.get(patient=booking.patient)
    url = reverse("site:booking-claim", kwargs={"token": claim_token(candidate)})
    page = client.get(url)
    assert page.status_code == 200 and b"Was this you?" in page.content
    assert Appointment.objects.get(pk=booking.pk).patient == booking.patient  # GET is harmless
    assert client.post(url).status_code == 200
    booking.refresh_from_db()
    assert booking.patient == rosa
    assert Patient.objects.get(pk=candidate.patient_id).merged_into == rosa
    again = client.post(url)
    assert again.status_code == 404
    assert b"does not work any more" in again.content
    assert client.get(url).status_code == 404


def test_an_old_or_forged_link_does_nothing(client, world, rosa, time_machine):
    booking = stranger_booking_by_wizard(client, world)
    candidate = DuplicateCandidate.objects.get(patient=booking.patient)
    url = reverse("site:booking-claim", kwargs={"token": claim_token(candidate)})
    assert client.post(url[:-3] + "xx/").status_code == 404
    time_machine.move_to(NOW + timedelta(days=8), tick=False)
    assert client.post(url).status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == DuplicateStatus.OPEN


def test_a_signed_in_patient_books_on_her_own_record(client, world, rosa):
    rosa.user = factories.UserFactory(username="rosa")
    rosa.save(update_fields=["user"])
    sign_in(client, rosa.user)
    assert wizard_book(client, world, SAFE_START, HER).status_code == 302
    assert Appointment.objects.filter(patient=rosa).count() == 2
    assert not DuplicateCandidate.objects.exists()


# --- Rate limit -------------------------------------------------------------------------


def test_the_details_form_answers_429_beyond_the_limit(client, world, settings):
    settings.NEEDLEPOINT_BOOKING_RATE = (2, 600)
    for _ in range(2):
        assert wizard_book(client, world, SAFE_START, email="bad").status_code == 422
    response = wizard_book(client, world, SAFE_START)
    assert response.status_code == 429
    assert b"Too many tries for now" in response.content
    assert int(response["Retry-After"]) > 0
    assert not Patient.objects.exists()


def _signature() -> str:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 150), (120, 40), (220, 160), (560, 60)], fill="black", width=4)
    out = BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
