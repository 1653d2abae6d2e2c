"""The readiness gate at the chair: no clinical step on a visit that is not checked in, not
today, not cleared, not consented, not identified or out of the performer's scope; the same
refusal, with the same code, whichever door the step came in by (chart page or API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from PIL import Image

from needlepoint.catalog.models import Product, ProductKind, ProductLot, TreatmentArea
from needlepoint.clinical.custody import Identity, Step
from needlepoint.clinical.gate import VisitNotReady, appointment_check_in, visit_readiness
from needlepoint.clinical.models import PrpSample, TreatmentRecord
from needlepoint.clinical.readiness import Blocker, Stage, VisitFacts, blockers
from needlepoint.clinical.services import (
    anaesthetic_record,
    cartridge_use,
    photo_add,
    product_use_add,
    prp_sample_draw,
    prp_sample_step,
    record_sign,
    record_update,
    treatment_line_add,
    treatment_record_start,
)
from needlepoint.intake.models import ConsentDocument, ConsentSignature
from needlepoint.scheduling.models import Appointment
from needlepoint.scheduling.services import appointment_book, appointment_cancel
from tests.support.api_support import ApiWorld, get, make_api_world, post
from tests.support.clinical_support import (
    answers_harmless,
    chart_ready,
    clinic_seeded,
    consents_signed,
    visit_ready,
)
from tests.support.personas import sign_in
from tests.support.scheduling_world import at

NOW = at(2027, 1, 4, 8)  # when the visits are booked
ON_THE_DAY = at(2027, 1, 11, 9, 30)
DAY = date(2027, 1, 11)


# --- The pure decision -----------------------------------------------------------------------


def facts(**changes) -> VisitFacts:
    ready = {
        "checked_in": True,
        "visit_day": DAY,
        "today": DAY,
        "screening_problem": None,
        "consent_problem": None,
        "identity_confirmed": True,
        "scope_problem": None,
    }
    return VisitFacts(**{**ready, **changes})


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"today": DAY - timedelta(days=6)}, Blocker.NOT_VISIT_DAY),
        ({"checked_in": False}, Blocker.NOT_CHECKED_IN),
        ({"screening_problem": "Waiting for review."}, Blocker.SCREENING_NOT_CLEAR),
        ({"consent_problem": "Consent still to sign: PRP."}, Blocker.CONSENT_MISSING),
        ({"identity_confirmed": False}, Blocker.IDENTITY_NOT_CONFIRMED),
        ({"scope_problem": "Luz may not perform micro-needling."}, Blocker.OUT_OF_SCOPE),
    ],
)
def test_each_missing_condition_has_its_code(change, code):
    assert blockers(facts(), Stage.TREATMENT) == []
    assert [b.code for b in blockers(facts(**change), Stage.TREATMENT)] == [code]


def test_the_stages_ask_for_what_they_need():
    early = facts(checked_in=False, identity_confirmed=False, screening_problem="Review.")
    # The desk checks in before identity is confirmed at the chair; screening still counts.
    assert [b.code for b in blockers(early, Stage.CHECK_IN)] == [Blocker.SCREENING_NOT_CLEAR]
    # The pre-care checklist needs the patient checked in, nothing more.
    assert [b.code for b in blockers(early, Stage.PRE_CARE)] == [Blocker.NOT_CHECKED_IN]
    assert [b.code for b in blockers(early, Stage.TREATMENT)] == [
        Blocker.NOT_CHECKED_IN,
        Blocker.SCREENING_NOT_CLEAR,
        Blocker.IDENTITY_NOT_CONFIRMED,
    ]


def test_six_days_early_the_first_reason_is_the_day():
    found = blockers(facts(today=DAY - timedelta(days=6), checked_in=False), Stage.TREATMENT)
    assert found[0].code is Blocker.NOT_VISIT_DAY
    assert "Monday, January 11, 2027" in found[0].message


# --- A visit at the chair --------------------------------------------------------------------


@dataclass
class Chair:
    aw: ApiWorld
    visit: Appointment  # a PRP visit, Paloma's, today at 10:00
    record: TreatmentRecord
    sample: PrpSample
    area: TreatmentArea
    serum: Product

    @property
    def staff(self):
        return self.aw.cast.practitioner.staff_profile


def jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (64, 48), (200, 160, 140)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def chair(cast, time_machine, settings, tmp_path):
    """Paloma's PRP visit this morning: answered, consented, checked in, chart started,
    identity confirmed, the pen chosen and a tube drawn."""
    settings.MEDIA_ROOT = tmp_path / "media"
    time_machine.move_to(NOW, tick=False)
    aw = make_api_world(cast)  # also books Paloma's face treatment next Monday at 10:00
    world = aw.world
    world.prp.requires_prior_consultation = False
    world.prp.save()
    appointment_cancel(appointment=aw.appointment, reason="Moved to PRP", now=NOW)
    visit = appointment_book(
        location=world.location, service=world.prp, start=at(2027, 1, 11, 10),
        patient=cast.patient, source="phone", now=NOW, notify=False,
    )  # fmt: skip
    time_machine.move_to(ON_THE_DAY, tick=False)
    staff = cast.practitioner.staff_profile
    record = chart_ready(visit, staff=staff)
    record_update(record=record, staff=staff, changes={"device": world.pen})
    patient = cast.patient
    sample = prp_sample_draw(
        appointment=visit,
        identity=Identity(f"{patient.first_name} {patient.last_name}", patient.date_of_birth),
        staff=staff,
    ).sample
    serum = Product.objects.create(
        organization=cast.clinic, name="HA serum", kind=ProductKind.SERUM, manufacturer="Labs",
        labelled_for_intradermal_use=True,
    )  # fmt: skip
    ProductLot.objects.create(product=serum, lot_number="HA-1", expires_on=date(2027, 6, 1))
    visit.refresh_from_db()
    area = TreatmentArea.objects.get(organization=cast.clinic, code="cheeks")
    return Chair(aw, visit, TreatmentRecord.objects.get(pk=record.pk), sample, area, serum)


def _identity(chair: Chair) -> Identity:
    patient = chair.visit.patient
    return Identity(f"{patient.first_name} {patient.last_name}", patient.date_of_birth)


WRITES = {
    "anaesthetic": lambda c: anaesthetic_record(record=c.record, staff=c.staff, none_used=True),
    "pen": lambda c: record_update(record=c.record, staff=c.staff, changes={"sheath_used": True}),
    "cartridge": lambda c: cartridge_use(record=c.record, lot="L1", serial="S1", staff=c.staff),
    "area": lambda c: treatment_line_add(
        record=c.record,
        area=c.area,
        depth_mm=Decimal("0.75"),
        passes=2,
        technique="glide",
        staff=c.staff,
    ),
    "product": lambda c: product_use_add(
        record=c.record, product=c.serum, lot_number="HA-1", staff=c.staff
    ),
    "draw": lambda c: prp_sample_draw(appointment=c.visit, identity=_identity(c), staff=c.staff),
    "spin": lambda c: prp_sample_step(
        sample=c.sample, step=Step.SPIN, g_force=300, minutes=10, staff=c.staff
    ),
    "after photo": lambda c: photo_add(
        record=c.record, view="frontal", stage="after", data=jpeg(), staff=c.staff
    ),
    "sign": lambda c: record_sign(record=c.record, staff=c.staff),
}


def _refused(chair: Chair, write: str) -> str:
    before = {m: m.objects.count() for m in (PrpSample, TreatmentRecord)}
    with pytest.raises(VisitNotReady) as refused:
        WRITES[write](chair)
    assert {m: m.objects.count() for m in before} == before  # nothing half-written
    return refused.value.code


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_clinical_write_is_refused_the_next_day(chair, time_machine, write):
    time_machine.move_to(at(2027, 1, 12, 9), tick=False)
    assert _refused(chair, write) == "not_visit_day"


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_clinical_write_is_refused_once_new_answers_need_review(chair, write):
    # The patient tells the desk she is now pregnant: the rules block the treatment.
    answers_harmless(chair.visit, pregnant_or_breastfeeding="yes")
    assert _refused(chair, write) == "screening_not_clear"


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_clinical_write_is_refused_once_the_consent_has_a_new_version(chair, write):
    """The medical director publishes a new version of a form this morning: the
    signature of the old one no longer covers the visit."""
    signed = ConsentSignature.objects.filter(patient=chair.visit.patient).first().document
    ConsentDocument.objects.create(
        organization=signed.organization, kind=signed.kind, version=signed.version + 1,
        title=signed.title, body=signed.body + "\n\nRevised.", source_ids=signed.source_ids,
        published_at=ON_THE_DAY,
    )  # fmt: skip
    assert _refused(chair, write) == "consent_missing"


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_clinical_write_is_refused_to_an_esthetician(chair, write):
    luz = chair.staff
    luz.licence_type = "esthetician"  # with the micro_needling competency still held
    luz.save(update_fields=["licence_type"])
    assert _refused(chair, write) == "out_of_scope"


def test_a_discard_is_never_refused(chair, time_machine):
    time_machine.move_to(at(2027, 1, 12, 9), tick=False)
    prp_sample_step(sample=chair.sample, step=Step.DISCARD, staff=chair.staff)
    chair.sample.refresh_from_db()
    assert chair.sample.state == "discarded"


def test_the_rule_read_at_that_moment_counts(chair):
    """The medical director tightens a rule after check-in: the next step sees it."""
    from needlepoint.intake.models import ScreeningRule

    rule = ScreeningRule.objects.get(organization=chair.visit.organization, code="PRP03")
    cases = rule.definition["cases"]
    cases[0]["when"][0]["limit"] = 300_000  # the labs on file say 250,000/µL
    rule.definition = {**rule.definition, "cases": cases}
    rule.save()
    assert _refused(chair, "area") == "screening_not_clear"


# --- Before the chair: check-in and the chart's start ------------------------------------------


@pytest.fixture
def booked(cast, time_machine):
    """A PRP visit of the other patient, this Monday at 13:00, booked a week ago."""
    time_machine.move_to(NOW, tick=False)
    aw = make_api_world(cast)
    aw.world.prp.requires_prior_consultation = False
    aw.world.prp.save()
    visit = appointment_book(
        location=aw.world.location, service=aw.world.prp, start=at(2027, 1, 11, 13),
        patient=cast.other_patient, source="phone", now=NOW, notify=False,
    )  # fmt: skip
    clinic_seeded(cast.clinic)
    return aw, visit


def test_under_review_no_blood_is_drawn_and_no_chart_starts(cast, booked, time_machine):
    """The review's own story: warfarin waits for the director; six days early, not checked
    in, nothing signed. Every door says no, and says why."""
    aw, visit = booked
    answers_harmless(visit, anticoagulant_or_antiplatelet="yes")
    time_machine.move_to(at(2027, 1, 5, 10), tick=False)
    staff = cast.practitioner.staff_profile
    with pytest.raises(VisitNotReady) as refused:
        treatment_record_start(appointment=visit, staff=staff)
    assert refused.value.code == "not_visit_day"
    codes = [b.code for b in visit_readiness(appointment=visit, performer=staff).blockers]
    assert codes[:3] == ["not_visit_day", "not_checked_in", "screening_not_clear"]
    assert "consent_missing" in codes
    patient = cast.other_patient
    body = {"appointment": str(visit.public_id),
            "patient": {"full_name": f"{patient.first_name} {patient.last_name}",
                        "date_of_birth": patient.date_of_birth.isoformat()}}  # fmt: skip
    from django.test import Client

    answer = post(Client(), "/prp-samples", body, token=aw.token("practitioner"))
    assert (answer.status_code, answer.json()["code"]) == (409, "not_visit_day")
    assert not PrpSample.objects.exists() and not TreatmentRecord.objects.exists()


def test_check_in_is_only_on_the_visits_day_and_when_ready(client, cast, booked, time_machine):
    aw, visit = booked
    answers_harmless(visit)
    consents_signed(visit)
    path = f"/appointments/{visit.public_id}"
    time_machine.move_to(at(2027, 1, 5, 10), tick=False)  # six days early
    early = post(client, f"{path}/check-in", {"nothing_changed": True}, token=aw.token("frontdesk"))
    assert (early.status_code, early.json()["code"]) == (409, "not_visit_day")
    time_machine.move_to(at(2027, 1, 11, 12, 40), tick=False)
    readiness = get(client, f"{path}/readiness", token=aw.token("frontdesk")).json()
    assert readiness == {"ready": True, "checked_in": False, "blockers": []}
    unasked = post(client, f"{path}/check-in", {"nothing_changed": False},
                   token=aw.token("frontdesk"))  # fmt: skip
    assert unasked.json()["code"] == "answers_unconfirmed"
    done = post(client, f"{path}/check-in", {"nothing_changed": True}, token=aw.token("frontdesk"))
    assert (done.status_code, done.json()) == (200, {"status": "checked_in"})
    # Checked in: what the chart still needs, for the calling clinician.
    readiness = get(client, f"{path}/readiness", token=aw.token("practitioner")).json()
    assert readiness["checked_in"] is True
    assert [b["code"] for b in readiness["blockers"]] == ["identity_not_confirmed"]


def test_a_booked_practitioner_out_of_scope_cannot_be_checked_in(cast, booked, time_machine):
    _aw, visit = booked
    answers_harmless(visit)
    consents_signed(visit)
    visit.practitioner.licence_expires_on = date(2027, 1, 1)
    visit.practitioner.save(update_fields=["licence_expires_on"])
    time_machine.move_to(at(2027, 1, 11, 12, 40), tick=False)
    with pytest.raises(VisitNotReady) as refused:
        appointment_check_in(appointment=visit, answers_unchanged=True)
    assert refused.value.code == "out_of_scope"
    assert "expired on January 1, 2027" in refused.value.message


# --- The same refusal through every door -----------------------------------------------------


def _page(client, chair: Chair, action: str, **data):
    sign_in(client, chair.aw.cast.practitioner)
    url = reverse(f"clinical:record-{action.replace('_', '-')}", args=[chair.record.public_id])
    response = client.post(url, data)
    return response.status_code, response.get("X-Refusal-Code")


def _api(client, chair: Chair, path: str, body: dict):
    response = post(client, path, body, token=chair.aw.token("practitioner"))
    return response.status_code, response.json().get("code")


def _events(chair: Chair) -> str:
    return f"/prp-samples/{chair.sample.public_id}/events"


# fmt: off
DOORS = {
    # name: (page action and fields, API path and body, the refusal code both must give)
    "spin at 10 g": (
        lambda c: ("step", {"code": c.sample.code, "step": "spin", "g_force": 10, "minutes": 10}),
        lambda c: (_events(c), {"type": "spin", "g_force": 10, "minutes": 10}),
        "invalid",
    ),
    "spin for 90 minutes": (
        lambda c: ("step", {"code": c.sample.code, "step": "spin", "g_force": 300, "minutes": 90}),
        lambda c: (_events(c), {"type": "spin", "g_force": 300, "minutes": 90}),
        "invalid",
    ),
    "spin without its g-force": (
        lambda c: ("step", {"code": c.sample.code, "step": "spin", "minutes": 10}),
        lambda c: (_events(c), {"type": "spin", "minutes": 10}),
        "invalid",
    ),
    "extract before the spin ends": (
        lambda c: ("step", {"code": c.sample.code, "step": "extract", "volume_ml": "4"}),
        lambda c: (_events(c), {"type": "extract", "volume_ml": 4}),
        "spin_not_finished",
    ),
    "apply without an area": (
        lambda c: ("step", {"code": c.sample.code, "step": "apply", "identity_confirmed": "on"}),
        lambda c: (_events(c), {"type": "apply", "scanned_patient": _said(c)}),
        "invalid",
    ),
    "apply before extraction": (
        lambda c: (
            "step",
            {"code": c.sample.code, "step": "apply", "area": "Cheeks", "identity_confirmed": "on"},
        ),
        lambda c: (_events(c), {"type": "apply", "area": "Cheeks", "scanned_patient": _said(c)}),
        "invalid_sequence",
    ),
    "a recalled cartridge lot": (
        lambda c: ("cartridge", {"lot": "RECALLED", "serial": "S-9"}),
        lambda c: (
            f"/treatment-records/{c.record.public_id}/cartridges",
            {"lot": "RECALLED", "serial": "S-9"},
        ),
        "cartridge_unusable",
    ),
    "a draw for someone else": (
        lambda c: ("draw", {"full_name": "Rosa Tafoya", "date_of_birth": "1987-06-02"}),
        lambda c: (
            "/prp-samples",
            {
                "appointment": str(c.visit.public_id),
                "patient": {"full_name": "Rosa Tafoya", "date_of_birth": "1987-06-02"},
            },
        ),
        "patient_mismatch",
    ),
}
# fmt: on


def _said(chair: Chair) -> dict[str, str]:
    identity = _identity(chair)
    return {"full_name": identity.full_name, "date_of_birth": identity.date_of_birth.isoformat()}


@pytest.fixture
def recalled(chair):
    from needlepoint.clinical.models import CartridgeLot

    CartridgeLot.objects.create(organization=chair.visit.organization, lot="RECALLED",
                                recalled_on=date(2027, 1, 1))  # fmt: skip


@pytest.mark.parametrize("case", sorted(DOORS))
def test_the_chart_page_and_the_api_refuse_alike(client, chair, recalled, case):
    page_input, api_input, code = DOORS[case]
    if not case.startswith("spin"):  # the other steps come after a spin
        prp_sample_step(sample=chair.sample, step=Step.SPIN, g_force=300, minutes=10,
                        staff=chair.staff)  # fmt: skip
    action, fields = page_input(chair)
    page_status, page_code = _page(client, chair, action, **fields)
    path, body = api_input(chair)
    api_status, api_code = _api(client, chair, path, body)
    assert (page_code, api_code) == (code, code)
    assert page_status in (400, 409) and api_status in (409, 422)


@pytest.mark.parametrize(
    ("when", "code"),
    [(at(2027, 1, 12, 9), "not_visit_day"), (None, "out_of_scope")],
)
def test_the_gate_answers_alike_at_both_doors(client, chair, time_machine, when, code):
    if when is not None:
        time_machine.move_to(when, tick=False)
    else:
        chair.staff.licence_type = "esthetician"
        chair.staff.save(update_fields=["licence_type"])
    assert _page(client, chair, "cartridge", lot="L1", serial="S-1")[1] == code
    path = f"/treatment-records/{chair.record.public_id}/cartridges"
    assert _api(client, chair, path, {"lot": "L1", "serial": "S-1"}) == (409, code)
    assert not chair.record.cartridges.exists()


def test_the_chart_shows_what_is_missing_and_how_to_resolve_it(client, chair, time_machine):
    answers_harmless(chair.visit, pregnant_or_breastfeeding="yes")
    sign_in(client, chair.aw.cast.practitioner)
    page = client.get(f"/staff/clinical/records/{chair.record.public_id}/").content.decode()
    assert 'data-code="screening_not_clear"' in page
    assert "Not ready for treatment yet" in page


def test_a_visit_not_ready_shows_why_instead_of_start_chart(client, cast, booked):
    _aw, visit = booked
    sign_in(client, cast.practitioner)
    page = client.get(f"/staff/appointments/{visit.public_id}/").content.decode()
    assert "Start chart" not in page
    assert "happen on the day of the visit" in page


def test_a_ready_visit_is_ready(cast, booked, time_machine):
    _aw, visit = booked
    time_machine.move_to(at(2027, 1, 11, 12, 40), tick=False)
    visit = visit_ready(visit)
    staff = cast.practitioner.staff_profile
    readiness = visit_readiness(appointment=visit, performer=staff, stage=Stage.PRE_CARE)
    assert readiness.ready and readiness.checked_in
