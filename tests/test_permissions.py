"""docs/security-targets.md A1 and A2: every URL × every role has an expected answer, and another
organization's or patient's object is a 404.

The matrix covers every URL pattern of Needlepoint's own apps (namespaces in OWN_NAMESPACES)
and the configuration site's index; a meta-test fails when a new pattern is missing here.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.support.pages import assert_no_inline_script
from tests.support.personas import PERSONAS, sign_in

OWN_NAMESPACES = {
    "site", "core", "patients", "scheduling", "messaging", "accounts", "intake", "clinical",
}  # fmt: skip

ANON = "anonymous"
REDIRECT_TO_LOGIN = 302


def expect(anonymous: int, patient: int, frontdesk: int, practitioner: int, director: int,
           owner: int) -> dict[str, int]:  # fmt: skip
    return {ANON: anonymous, "patient": patient, "frontdesk": frontdesk,
            "practitioner": practitioner, "director": director, "owner": owner}  # fmt: skip


PUBLIC = expect(200, 200, 200, 200, 200, 200)
ALL_STAFF = expect(302, 403, 200, 200, 200, 200)
LEADERSHIP = expect(302, 403, 403, 403, 200, 200)
# The configuration site sends everyone it refuses to a login or back to the dashboard.
CONFIGURATION = expect(302, 302, 302, 302, 200, 200)

OWNER_ONLY = expect(302, 403, 403, 403, 403, 200)
# The desk's decisions about possible duplicates: front desk, director and owner.
DESK = expect(302, 403, 200, 403, 200, 200)
PUBLIC_REDIRECT = expect(302, 302, 302, 302, 302, 302)
POST_ONLY = expect(405, 405, 405, 405, 405, 405)


def _world(cast, clinic):
    """One bookable world per clinic and test, however many URLs ask for it."""
    from tests.support.scheduling_world import make_world

    worlds = cast.__dict__.setdefault("_worlds", {})
    if clinic.pk not in worlds:
        worlds[clinic.pk] = make_world(clinic=clinic)
    return worlds[clinic.pk]


def _appointment(cast, clinic, patient):
    """One booked face treatment per clinic and test, six weeks ahead (clear of the 28-day
    series interval from today's charted visit)."""
    from datetime import timedelta

    from django.utils import timezone

    from needlepoint.scheduling.selectors import availability_get
    from needlepoint.scheduling.services import appointment_book

    booked = cast.__dict__.setdefault("_appointments", {})
    if clinic.pk not in booked:
        world = _world(cast, clinic)
        day = timezone.localdate() + timedelta(days=42)
        offer = availability_get(
            location=world.location, service=world.face, first_day=day,
            last_day=day + timedelta(6), now=timezone.now(),
        )[0]  # fmt: skip
        booked[clinic.pk] = appointment_book(
            location=world.location, service=world.face, start=offer.start, patient=patient,
            source="phone",
        )  # fmt: skip
    return booked[clinic.pk]


def _booking(cast, name: str) -> dict[str, str]:
    """URL kwargs for the public booking pages, with a bookable clinic and one booking."""
    from needlepoint.scheduling.links import manage_token

    world = _world(cast, cast.clinic)
    slugs = {"service_slug": world.face.slug, "location_slug": world.location.slug}
    if name in {"locations"}:
        return {"service_slug": world.face.slug}
    if name in {"slots", "details", "waitlist"}:
        return slugs
    appointment = _appointment(cast, cast.clinic, cast.patient)
    return {"token": manage_token(appointment)}


def _duplicate(cast, *, outsider: bool = False):
    """A look-alike of the clinic's patient (same name and birth date), flagged for the desk."""
    from needlepoint.patients.models import DuplicateCandidate
    from needlepoint.patients.services import patient_register

    duplicates = cast.__dict__.setdefault("_duplicates", {})
    if outsider not in duplicates:
        patient = cast.outsider_patient if outsider else cast.patient
        twin = patient_register(
            organization=patient.organization,
            first_name=patient.first_name,
            last_name=patient.last_name,
            date_of_birth=patient.date_of_birth,
            email=patient.email,
        )
        duplicates[outsider] = DuplicateCandidate.objects.get(patient=twin)
    return duplicates[outsider]


def _claim_token(cast) -> dict[str, str]:
    from needlepoint.patients.links import claim_token

    return {"token": claim_token(_duplicate(cast))}


def _calendar_feed_token(cast) -> dict[str, str]:
    """The practitioner's own feed: the token is the credential, whoever holds it."""
    from needlepoint.messaging.services import calendar_feed_rotate

    return {"token": calendar_feed_rotate(staff=cast.practitioner.staff_profile).token}


def _api_token(cast) -> str:
    from needlepoint.accounts.services import api_token_create

    return str(api_token_create(staff=cast.owner.staff_profile, name="t")[0].public_id)


def _staff_booking(cast, name: str, *, outsider: bool = False) -> dict[str, str]:
    """URL kwargs for the staff calendar pages, with a booked appointment."""
    from datetime import timedelta

    from django.utils import timezone

    clinic = cast.outsider_clinic if outsider else cast.clinic
    patient = cast.outsider_patient if outsider else cast.patient
    world = _world(cast, clinic)
    day = timezone.localdate() + timedelta(days=8)
    if name == "day":
        return {"location_slug": world.location.slug, "day": day.isoformat()}
    if name == "new":
        return {"location_slug": world.location.slug}
    appointment = _appointment(cast, clinic, patient)
    return {"public_id": str(appointment.public_id)}


def _intake_ready(cast, clinic) -> None:
    from needlepoint.intake.consents import intake_seed_consents
    from needlepoint.intake.services import intake_seed_questionnaire, intake_seed_rules

    if not cast.__dict__.setdefault("_intake", set()) >= {clinic.pk}:
        intake_seed_rules(organization=clinic)
        intake_seed_questionnaire(organization=clinic)
        intake_seed_consents(organization=clinic)
        cast._intake.add(clinic.pk)


def _questionnaire(cast) -> dict[str, str]:
    from needlepoint.intake.links import questionnaire_token

    _intake_ready(cast, cast.clinic)
    return {"token": questionnaire_token(_appointment(cast, cast.clinic, cast.patient))}


def _screening(cast, *, outsider: bool = False) -> dict[str, str]:
    """A screening waiting for review (an unanswered question) in one clinic."""
    from needlepoint.intake.selectors import questionnaire_current
    from needlepoint.intake.services import questionnaire_submit

    clinic = cast.outsider_clinic if outsider else cast.clinic
    patient = cast.outsider_patient if outsider else cast.patient
    _intake_ready(cast, clinic)
    appointment = _appointment(cast, clinic, patient)
    _, screenings = questionnaire_submit(
        patient=patient,
        questionnaire=questionnaire_current(organization=clinic),
        answers={"bleeding_disorder": None},
        channel="staff",
        appointment=appointment,
    )
    return {"public_id": str(screenings[0].public_id)}


def _consent(cast, name: str, *, outsider: bool = False) -> dict[str, str]:
    """URL kwargs for the consent pages: a signed link, or a patient and a signature."""
    from needlepoint.intake.consents import (
        consent_documents_current,
        consent_sign,
        consent_token,
        marketing_withdraw_token,
    )
    from needlepoint.intake.models import ConsentKind
    from tests.support.images import drawn_png

    clinic = cast.outsider_clinic if outsider else cast.clinic
    patient = cast.outsider_patient if outsider else cast.patient
    _intake_ready(cast, clinic)
    appointment = _appointment(cast, clinic, patient)
    if name in {"overview", "sign", "done"}:
        kwargs = {"token": consent_token(appointment)}
        return kwargs if name == "overview" else {**kwargs, "kind": "micro_needling"}
    signatures = cast.__dict__.setdefault("_signatures", {})
    if clinic.pk not in signatures:
        document = consent_documents_current(
            organization_id=clinic.pk, kinds=[ConsentKind.MARKETING_PHOTOS]
        )[ConsentKind.MARKETING_PHOTOS]
        signatures[clinic.pk] = consent_sign(
            patient=patient,
            document=document,
            typed_name=f"{patient.first_name} {patient.last_name}",
            signature_png=drawn_png(),
        )
    signature = signatures[clinic.pk]
    if name == "withdraw-link":
        return {"token": marketing_withdraw_token(signature)}
    kwargs = {"public_id": str(patient.public_id)}
    return kwargs if name == "patient" else {**kwargs, "signature_id": str(signature.public_id)}


DIRECTOR_ONLY = expect(302, 403, 403, 403, 200, 403)
CLINICAL = expect(302, 403, 403, 200, 200, 403)


def _visit_today(cast, clinic, patient):
    """One face treatment per clinic and test, today (the frozen Monday), ready for the
    chair: answered, consented, checked in, identity confirmed (tests/support/clinical_support)."""
    from django.utils import timezone

    from needlepoint.scheduling.selectors import availability_get
    from needlepoint.scheduling.services import appointment_book
    from tests.support.clinical_support import chart_ready

    charts = cast.__dict__.setdefault("_charts", {})
    if clinic.pk not in charts:
        world = _world(cast, clinic)
        day = timezone.localdate()
        offer = availability_get(
            location=world.location, service=world.face, first_day=day, last_day=day,
            now=timezone.now(),
        )[0]  # fmt: skip
        visit = appointment_book(
            location=world.location, service=world.face, start=offer.start, patient=patient,
            source="phone",
        )  # fmt: skip
        charts[clinic.pk] = chart_ready(visit, staff=_clinician(cast, clinic))
    return charts[clinic.pk]


def _clinician(cast, clinic):
    """Who charts in `clinic`: our director, or the outsider clinic's own physician."""
    from needlepoint.accounts.roles import Role
    from needlepoint.catalog.models import Competency
    from tests.support import factories

    if clinic == cast.clinic:
        return cast.director.staff_profile
    physician = cast.__dict__.get("_outsider_md")
    if physician is None:
        physician = factories.StaffFactory(organization=clinic, role=Role.MEDICAL_DIRECTOR)
        physician.competencies.add(*Competency.objects.filter(organization=clinic))
        cast._outsider_md = physician
    return physician


def _prp_sample(cast, *, outsider: bool = False) -> dict[str, str]:
    from needlepoint.clinical.custody import Identity
    from needlepoint.clinical.services import prp_sample_draw

    clinic = cast.outsider_clinic if outsider else cast.clinic
    patient = cast.outsider_patient if outsider else cast.patient
    record = _visit_today(cast, clinic, patient)
    drawn = prp_sample_draw(
        appointment=record.appointment,
        identity=Identity(f"{patient.first_name} {patient.last_name}", patient.date_of_birth),
        staff=_clinician(cast, clinic),
    )
    return {"public_id": str(drawn.sample.public_id)}


def _record(cast, *, outsider: bool = False, appointment: bool = False) -> dict[str, str]:
    clinic = cast.outsider_clinic if outsider else cast.clinic
    patient = cast.outsider_patient if outsider else cast.patient
    if appointment:
        return {"public_id": str(_appointment(cast, clinic, patient).public_id)}
    return {"public_id": str(_visit_today(cast, clinic, patient).public_id)}


def _photo(cast, *, outsider: bool = False) -> dict[str, str]:
    """A frontal "before" photo on the visit's record (stored under the test's MEDIA_ROOT)."""
    from needlepoint.clinical.models import TreatmentRecord
    from needlepoint.clinical.services import photo_add
    from tests.support.images import jpeg

    photos = cast.__dict__.setdefault("_photos", {})
    if outsider not in photos:
        record = TreatmentRecord.objects.get(**_record(cast, outsider=outsider))
        photos[outsider] = photo_add(
            record=record, view="frontal", stage="before", data=jpeg(),
            staff=_clinician(cast, record.organization),
        )  # fmt: skip
    return {"public_id": str(photos[outsider].public_id)}


@pytest.fixture(autouse=True)
def _monday_morning(time_machine):
    """A Monday before opening, so today's visits can be booked, checked in and charted."""
    time_machine.move_to(datetime(2027, 1, 11, 8, tzinfo=ZoneInfo("America/Denver")), tick=False)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Photos made for the matrix go to a temporary folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


CHART_ACTIONS = [
    "identity", "anaesthetic", "device", "cartridge", "line", "line-void", "copy-forward",
    "order", "product", "product-void", "draw", "step", "adverse", "postcare", "sign", "cosign",
    "addendum",
]  # fmt: skip

# url name -> (how to build its kwargs from the cast, expected status per persona)
MATRIX = {
    "site:home": (None, PUBLIC),
    "site:health": (None, PUBLIC),
    "site:booking-services": (None, PUBLIC),
    "site:booking-locations": (lambda c: _booking(c, "locations"), PUBLIC),
    "site:booking-slots": (lambda c: _booking(c, "slots"), PUBLIC),
    "site:booking-details": (lambda c: _booking(c, "details"), PUBLIC_REDIRECT),
    "site:booking-waitlist": (lambda c: _booking(c, "waitlist"), POST_ONLY),
    "site:booking-confirmed": (lambda c: _booking(c, "token"), PUBLIC),
    "site:booking-manage": (lambda c: _booking(c, "token"), PUBLIC),
    "site:booking-reschedule": (lambda c: _booking(c, "token"), PUBLIC),
    "core:dashboard": (None, ALL_STAFF),
    "core:audit-log": (None, LEADERSHIP),
    "patients:patient-list": (None, ALL_STAFF),
    "patients:patient-detail": (lambda c: {"public_id": c.patient.public_id}, ALL_STAFF),
    "patients:duplicate-list": (None, DESK),
    # POST only: the gate answers first (login, 403), then the method check (405).
    "patients:duplicate-merge": (
        lambda c: {"public_id": _duplicate(c).public_id},
        expect(302, 403, 405, 403, 405, 405),
    ),
    "patients:duplicate-dismiss": (
        lambda c: {"public_id": _duplicate(c).public_id},
        expect(302, 403, 405, 403, 405, 405),
    ),
    "site:booking-claim": (_claim_token, PUBLIC),
    "scheduling:calendar-today": (None, expect(302, 403, 302, 302, 302, 302)),
    "scheduling:calendar-day": (lambda c: _staff_booking(c, "day"), ALL_STAFF),
    "scheduling:calendar-week": (lambda c: _staff_booking(c, "day"), ALL_STAFF),
    "scheduling:appointment-new": (lambda c: _staff_booking(c, "new"), ALL_STAFF),
    "scheduling:appointment-detail": (lambda c: _staff_booking(c, "id"), ALL_STAFF),
    # The appointment's writes are POST only: the gate, then the method.
    **{
        f"scheduling:appointment-{action}": (
            lambda c: _staff_booking(c, "id"),
            expect(302, 403, 405, 405, 405, 405),
        )
        for action in ("check-in", "no-show", "cancel")
    },
    "scheduling:appointment-move": (lambda c: _staff_booking(c, "id"), ALL_STAFF),
    "site:calendar-feed": (_calendar_feed_token, PUBLIC),
    "messaging:calendar-feed-manage": (None, expect(302, 403, 403, 200, 200, 403)),
    "messaging:calendar-feed-new": (None, expect(302, 403, 403, 405, 405, 403)),
    "messaging:calendar-feed-off": (None, expect(302, 403, 403, 405, 405, 403)),
    "webhooks:sms-inbound": (None, POST_ONLY),
    "accounts:api-token-list": (None, ALL_STAFF),
    # POST only: the gate answers first (login, 403), then the method check (405).
    "accounts:api-token-revoke": (
        lambda c: {"public_id": _api_token(c)},
        expect(302, 403, 405, 405, 405, 405),
    ),
    "accounts:staff-list": (None, OWNER_ONLY),
    "accounts:staff-authenticator-reset": (
        lambda c: {"public_id": c.practitioner.staff_profile.public_id},
        OWNER_ONLY,
    ),
    "admin:index": (None, CONFIGURATION),
    "site:questionnaire": (_questionnaire, PUBLIC),
    "site:questionnaire-done": (_questionnaire, PUBLIC_REDIRECT),  # nothing answered yet
    "intake:review-list": (None, DIRECTOR_ONLY),
    "site:kiosk-unlock": (None, PUBLIC_REDIRECT),  # nothing to unlock
    "clinical:prp-label": (_prp_sample, CLINICAL),
    "clinical:recall": (None, LEADERSHIP),
    "clinical:record-detail": (_record, CLINICAL),
    # POST only: the gate answers first (login, 403), then the method check (405).
    "clinical:record-open": (
        lambda c: _record(c, appointment=True),
        expect(302, 403, 403, 405, 405, 403),
    ),
    # Each chart write has its own POST URL: clinicians only (the gate, then the method).
    **{
        f"clinical:record-{action}": (_record, expect(302, 403, 403, 405, 405, 403))
        for action in CHART_ACTIONS
    },
    "clinical:cosign-list": (None, DIRECTOR_ONLY),
    "clinical:incident-list": (None, LEADERSHIP),
    # Outcomes: adding is POST only (the gate first, then the object, then the method).
    "clinical:record-outcome-add": (_record, expect(302, 403, 403, 405, 405, 403)),
    "clinical:patient-progress": (lambda c: {"public_id": c.patient.public_id}, CLINICAL),
    "clinical:patient-outcome-add": (
        lambda c: {"public_id": c.patient.public_id},
        expect(302, 403, 403, 405, 405, 403),
    ),
    # Photos: the image is a 404 to anyone signed out (docs/security-targets.md D5), not a login
    # page.
    "clinical:photo-image": (_photo, expect(404, 403, 403, 200, 200, 403)),
    "clinical:photo-capture": (_record, CLINICAL),
    "clinical:patient-photos": (lambda c: {"public_id": c.patient.public_id}, CLINICAL),
    "clinical:photo-retire": (_photo, expect(302, 403, 403, 405, 405, 403)),
    "clinical:photo-marketing-approve": (_photo, expect(302, 403, 403, 405, 405, 403)),
    "intake:review-detail": (_screening, DIRECTOR_ONLY),
    "intake:review-clinician-answers": (_screening, expect(302, 403, 403, 403, 405, 403)),
    "intake:review-decision": (_screening, expect(302, 403, 403, 403, 405, 403)),
    "site:consent-overview": (lambda c: _consent(c, "overview"), PUBLIC),
    "site:consent-sign": (lambda c: _consent(c, "sign"), PUBLIC),
    "site:consent-done": (lambda c: _consent(c, "done"), PUBLIC_REDIRECT),  # nothing signed
    "site:marketing-withdraw": (lambda c: _consent(c, "withdraw-link"), PUBLIC),
    "intake:patient-consents": (lambda c: _consent(c, "patient"), ALL_STAFF),
    "intake:consent-pdf": (lambda c: _consent(c, "pdf"), ALL_STAFF),
    "intake:consent-withdraw": (
        lambda c: _consent(c, "pdf"),
        expect(302, 403, 405, 405, 405, 405),
    ),
}

# Routes that take an object: each is tried with a real id from the outsider clinic.
FOREIGN_OBJECTS = {
    "patients:patient-detail": lambda c: {"public_id": c.outsider_patient.public_id},
    "scheduling:calendar-day": lambda c: _staff_booking(c, "day", outsider=True),
    "scheduling:calendar-week": lambda c: _staff_booking(c, "day", outsider=True),
    "scheduling:appointment-new": lambda c: _staff_booking(c, "new", outsider=True),
    "scheduling:appointment-detail": lambda c: _staff_booking(c, "id", outsider=True),
    "scheduling:appointment-move": lambda c: _staff_booking(c, "id", outsider=True),
    "intake:patient-consents": lambda c: _consent(c, "patient", outsider=True),
    "intake:consent-pdf": lambda c: _consent(c, "pdf", outsider=True),
}


def test_a_foreign_staff_member_is_not_found_for_the_owner(client, cast):
    kwargs = {"public_id": cast.outsider.staff_profile.public_id}
    url = reverse("accounts:staff-authenticator-reset", kwargs=kwargs)
    sign_in(client, cast.owner)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Lost phone"}).status_code == 404


@pytest.mark.parametrize("url_name", ["patients:duplicate-merge", "patients:duplicate-dismiss"])
@pytest.mark.parametrize("persona", ["frontdesk", "director", "owner"])
def test_a_foreign_duplicate_is_not_found_for_the_desk(client, cast, persona, url_name):
    candidate = _duplicate(cast, outsider=True)
    url = reverse(url_name, kwargs={"public_id": candidate.public_id})
    sign_in(client, cast.user(persona))
    survivor = {"survivor": str(candidate.other.public_id)}
    assert client.post(url, survivor).status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == "open"


@pytest.mark.parametrize("url_name", ["intake:review-detail"])
def test_a_foreign_screening_is_not_found_for_the_director(client, cast, url_name):
    url = reverse(url_name, kwargs=_screening(cast, outsider=True))
    sign_in(client, cast.director)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("persona", ["practitioner", "director"])
def test_a_foreign_prp_label_is_not_found_for_clinicians(client, cast, persona):
    url = reverse("clinical:prp-label", kwargs=_prp_sample(cast, outsider=True))
    sign_in(client, cast.user(persona))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url_name",
    ["clinical:record-detail", "clinical:record-open"]
    + [f"clinical:record-{action}" for action in CHART_ACTIONS],
)
@pytest.mark.parametrize("persona", ["practitioner", "director"])
def test_a_foreign_chart_is_not_found_for_clinicians(client, cast, persona, url_name):
    kwargs = _record(cast, outsider=True, appointment=url_name.endswith("open"))
    sign_in(client, cast.user(persona))
    url = reverse(url_name, kwargs=kwargs)
    response = client.get(url) if url_name == "clinical:record-detail" else client.post(url)
    assert response.status_code == 404
    if url_name.endswith("detail"):
        assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 404


@pytest.mark.parametrize(
    "url_name",
    ["clinical:record-outcome-add", "clinical:patient-progress", "clinical:patient-outcome-add"],
)
@pytest.mark.parametrize("persona", ["practitioner", "director"])
def test_foreign_outcomes_are_not_found_for_clinicians(client, cast, persona, url_name):
    kwargs = (
        _record(cast, outsider=True)
        if url_name == "clinical:record-outcome-add"
        else {"public_id": cast.outsider_patient.public_id}
    )
    sign_in(client, cast.user(persona))
    url = reverse(url_name, kwargs=kwargs)
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome-assessed_on": "2020-01-01"}).status_code == 404


PHOTO_ROUTES = {
    "clinical:photo-image": lambda c: _photo(c, outsider=True),
    "clinical:photo-capture": lambda c: _record(c, outsider=True),
    "clinical:patient-photos": lambda c: {"public_id": c.outsider_patient.public_id},
    "clinical:photo-retire": lambda c: _photo(c, outsider=True),
    "clinical:photo-marketing-approve": lambda c: _photo(c, outsider=True),
}


@pytest.mark.parametrize("url_name", sorted(PHOTO_ROUTES))
@pytest.mark.parametrize("persona", ["practitioner", "director"])
def test_foreign_photos_are_not_found_for_clinicians(client, cast, persona, url_name):
    url = reverse(url_name, kwargs=PHOTO_ROUTES[url_name](cast))
    sign_in(client, cast.user(persona))
    if url_name.endswith(("retire", "approve")):  # POST only
        assert client.post(url).status_code == 404
    else:
        assert client.get(url).status_code == 404
        assert client.post(url).status_code in {404, 405}


def _own_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace in OWN_NAMESPACES:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, None)
    return names


def test_every_own_url_pattern_is_in_the_matrix():
    missing = _own_url_names() - set(MATRIX)
    assert not missing, f"add these URL names to MATRIX: {sorted(missing)}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_role_matrix(client, cast, url_name, persona):
    kwargs_for, expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs_for(cast) if kwargs_for else None)
    sign_in(client, cast.user(persona))
    response = client.get(url)
    assert response.status_code == expected[persona], (url_name, persona)
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        assert_no_inline_script(response.content.decode())  # the CSP would block it
    if (
        response.status_code == REDIRECT_TO_LOGIN
        and persona == ANON
        and not url_name.startswith("site:")
        and expected is not PUBLIC_REDIRECT  # patients' pages that move on, not a login
    ):
        # Straight to the staff login, or via the admin's login, which forwards there.
        assert "/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["frontdesk", "practitioner", "director", "owner"])
@pytest.mark.parametrize("url_name", sorted(FOREIGN_OBJECTS))
def test_foreign_objects_are_not_found(client, cast, url_name, persona):
    url = reverse(url_name, kwargs=FOREIGN_OBJECTS[url_name](cast))
    sign_in(client, cast.user(persona))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code in {404, 405}


def test_outsider_cannot_open_our_patient(client, cast):
    sign_in(client, cast.outsider)
    url = reverse("patients:patient-detail", kwargs={"public_id": cast.patient.public_id})
    assert client.get(url).status_code == 404


def test_outsider_patient_list_shows_only_their_clinic(client, cast):
    sign_in(client, cast.outsider)
    body = client.get(reverse("patients:patient-list")).content.decode()
    assert "Oscar" in body
    assert "Paloma" not in body and "Ramona" not in body


def test_outsider_admin_sees_only_their_patients(client, cast):
    sign_in(client, cast.outsider)
    body = client.get(reverse("admin:patients_patient_changelist")).content.decode()
    assert "Elsewhere" in body
    assert "Quintana" not in body
    foreign = reverse("admin:patients_patient_change", args=[cast.patient.pk])
    response = client.get(foreign)
    # The admin answers a foreign id as "does not exist" and sends the user back.
    assert response.status_code == 302
    assert "Quintana" not in client.get(response["Location"]).content.decode()


def test_staff_without_mfa_session_reaches_no_staff_page(client, cast):
    """B1: password-only staff login reaches no staff URL."""
    sign_in(client, cast.practitioner, mfa=False)
    for url_name, (kwargs_for, expected) in MATRIX.items():
        if expected["practitioner"] != 200 or url_name.startswith("site:") or expected[ANON] == 200:
            continue
        url = reverse(url_name, kwargs=kwargs_for(cast) if kwargs_for else None)
        response = client.get(url)
        assert response.status_code == 302, url_name
        assert response["Location"].startswith(reverse("account_login")), url_name


@pytest.mark.parametrize("action", ["check-in", "no-show", "cancel"])
def test_a_foreign_appointments_writes_are_not_found(client, cast, action):
    url = reverse(
        f"scheduling:appointment-{action}", kwargs=_staff_booking(cast, "id", outsider=True)
    )
    sign_in(client, cast.frontdesk)
    assert client.post(url, {"reason": "Moving away"}).status_code == 404


@pytest.mark.parametrize("url_name", ["intake:review-clinician-answers", "intake:review-decision"])
def test_a_foreign_screenings_writes_are_not_found(client, cast, url_name):
    url = reverse(url_name, kwargs=_screening(cast, outsider=True))
    sign_in(client, cast.director)
    assert client.post(url, {"decision": "approve", "reason": "x"}).status_code == 404
