"""The chart at the chair (docs/clinical-rules.md §1, §5–§10): its rules, its page and its
sign-off."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from needlepoint.accounts.roles import Role
from needlepoint.catalog.models import Product, ProductKind, ProductLot, TreatmentArea
from needlepoint.clinical.chart import (
    AreaDepths,
    ChartRefused,
    LineValues,
    SignFacts,
    cartridge_scan_parse,
    depth_check,
    session_diff,
    sign_blockers,
)
from needlepoint.clinical.models import (
    Addendum,
    CartridgeUse,
    Incident,
    IncidentKind,
    Photo,
    PrpSample,
    RecordStatus,
    TreatmentLine,
    TreatmentRecord,
)
from needlepoint.clinical.services import treatment_record_start
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.scheduling.services import appointment_book
from tests.support.clinical_support import clinic_seeded, visit_ready
from tests.support.personas import make_staff, sign_in
from tests.support.scheduling_world import at, make_world

NOW = at(2027, 1, 4, 8)  # when the visits are booked
VISIT = at(2027, 1, 11, 10)
ON_THE_DAY = at(2027, 1, 11, 9, 30)  # when the chart is written
CHEEKS = AreaDepths("Cheeks", Decimal("0.5"), Decimal("1.0"))


# --- The pure rules ------------------------------------------------------------------------


def test_a_depth_within_the_area_default_needs_nothing():
    assert (
        depth_check(Decimal("1.0"), area=CHEEKS, device_max=Decimal("2.5"), ordered_max=None)
        is None
    )


def test_a_shallow_depth_is_noted_not_refused():
    note = depth_check(Decimal("0.25"), area=CHEEKS, device_max=Decimal("2.5"), ordered_max=None)
    assert "below the usual Cheeks range" in note


@pytest.mark.parametrize(
    ("depth", "ordered", "area", "code"),
    [
        ("1.25", None, CHEEKS, "depth_needs_order"),
        ("1.75", "1.50", CHEEKS, "depth_needs_order"),
        ("2.75", "3.00", CHEEKS, "depth_over_device"),
        ("1.75", "2.00", AreaDepths("Nose", Decimal("0.25"), Decimal("0.5"), Decimal("1.5")),
         "depth_over_area"),
        ("0", None, CHEEKS, "depth_invalid"),
    ],
)  # fmt: skip
def test_depths_past_a_limit_are_refused(depth, ordered, area, code):
    with pytest.raises(ChartRefused) as refused:
        depth_check(
            Decimal(depth),
            area=area,
            device_max=Decimal("2.5"),
            ordered_max=Decimal(ordered) if ordered else None,
        )
    assert refused.value.code == code


def test_an_order_covers_a_deeper_depth_up_to_its_limit():
    assert (
        depth_check(
            Decimal("1.5"), area=CHEEKS, device_max=Decimal("2.5"), ordered_max=Decimal("1.5")
        )
        is None
    )


COMPLETE = SignFacts(
    identity_checked=True,
    screening_ok=True,
    consents_ok=True,
    before_photos=5,
    anaesthetic_done=True,
    lines=2,
    needling_device=True,
    cartridges=1,
    uses_prp=True,
    prp_applied=1,
    prp_in_process=0,
    aftercare_given=True,
    waste_disposed=True,
)


def test_a_complete_chart_may_be_signed():
    assert sign_blockers(COMPLETE) == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"identity_checked": False}, "two identifiers"),
        ({"screening_ok": False}, "screening"),
        ({"consents_ok": False}, "consent"),
        ({"before_photos": 0}, "baseline"),
        ({"anaesthetic_done": False}, "anaesthetic"),
        ({"lines": 0}, "treated area"),
        ({"needling_device": False}, "pen"),
        ({"cartridges": 0}, "cartridge"),
        ({"prp_applied": 0}, "Apply the PRP"),
        ({"prp_in_process": 1}, "still in process"),
        ({"aftercare_given": False}, "aftercare"),
        ({"waste_disposed": False}, "waste"),
    ],
)
def test_each_missing_piece_stops_the_signature(change, words):
    from dataclasses import replace

    blockers = sign_blockers(replace(COMPLETE, **change))
    assert len(blockers) == 1
    assert words in blockers[0]


def test_the_session_diff_marks_changed_new_and_dropped_areas():
    before = [
        LineValues("cheeks", Decimal("1.0"), 3, "glide"),
        LineValues("forehead", Decimal("0.5"), 3, "glide"),
    ]
    now = [
        LineValues("cheeks", Decimal("1.25"), 3, "stamp"),
        LineValues("neck", Decimal("0.5"), 2, "glide"),
    ]
    diff = session_diff(before, now)
    assert diff.lines[0].was == {"depth": Decimal("1.0"), "technique": "glide"}
    assert diff.lines[1].new
    assert diff.dropped == ["forehead"]


@pytest.mark.parametrize(
    ("scanned", "lot", "serial", "expires"),
    [
        ("(01)00812345678905(17)271231(10)L2401(21)C000123", "L2401", "C000123",
         date(2027, 12, 31)),
        ("]d20100812345678905172706001" + "0L2401\x1d21C000124", "L2401", "C000124",
         date(2027, 6, 30)),
        ("010081234567890510L77\x1d21S1", "L77", "S1", None),
    ],
)  # fmt: skip
def test_a_gs1_cartridge_barcode_gives_lot_serial_and_expiry(scanned, lot, serial, expires):
    parsed = cartridge_scan_parse(scanned)
    assert (parsed.lot, parsed.serial, parsed.expires_on) == (lot, serial, expires)


def test_a_plain_serial_is_not_a_gs1_string():
    assert cartridge_scan_parse("C000123") is None


# --- The chart page ------------------------------------------------------------------------


@pytest.fixture
def world(cast, time_machine):
    time_machine.move_to(ON_THE_DAY, tick=False)
    world = make_world(clinic=cast.clinic)
    world.prp.requires_prior_consultation = False
    world.prp.save()
    clinic_seeded(cast.clinic)
    numbing = Product.objects.create(
        organization=cast.clinic,
        name="BLT cream",
        kind=ProductKind.ANAESTHETIC,
        manufacturer="Compounding",
        strength="20/6/4%",
    )
    ProductLot.objects.create(product=numbing, lot_number="BLT-1", expires_on=date(2027, 6, 1))
    world.numbing = numbing
    world.serum = Product.objects.create(
        organization=cast.clinic,
        name="Hyaluronic serum",
        kind=ProductKind.SERUM,
        manufacturer="Skin Labs",
        labelled_for_intradermal_use=False,
    )
    ProductLot.objects.create(
        product=world.serum, lot_number="HA-9", expires_on=date(2027, 3, 1), is_recalled=True
    )
    return world


def visit(world, cast, service=None, start=VISIT, patient=None, *, checked_in=True):
    """A visit booked a week ahead; by default answered, consented and checked in now."""
    appointment = appointment_book(
        location=world.location,
        service=service or world.prp,
        start=start,
        patient=patient or cast.patient,
        source="phone",
        now=NOW,
        notify=False,
    )
    if checked_in:
        visit_ready(appointment)
        appointment.refresh_from_db()
    return appointment


def chart(client, cast, appointment, persona="practitioner", *, identified=True):
    """Start the chart from the appointment page; by default the patient then states
    their name and date of birth at the chair (the pre-care identity check)."""
    sign_in(client, getattr(cast, persona))
    response = client.post(f"/staff/clinical/appointments/{appointment.public_id}/chart/")
    assert response.status_code == 302
    url = response["Location"]
    if identified:
        patient = appointment.patient
        said = {"full_name": f"{patient.first_name} {patient.last_name}",
                "date_of_birth": patient.date_of_birth.isoformat()}  # fmt: skip
        assert act(client, url, "identity", **said).status_code == 302
    return url


def act(client, url, action, **data):
    """Post one chart write to its own URL (`url` is the chart's)."""
    return client.post(f"{url}{action.replace('_', '-')}/", data)


def patient_says(cast):
    patient = cast.patient
    return {
        "full_name": f"{patient.first_name} {patient.last_name}",
        "date_of_birth": patient.date_of_birth.isoformat(),
    }


def test_the_practitioner_starts_the_chart_from_the_appointment(client, world, cast):
    appointment = visit(world, cast)
    url = chart(client, cast, appointment)
    page = client.get(url)
    assert page.status_code == 200
    assert b"Pre-care checklist" in page.content
    assert b"PRP chain of custody" in page.content
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(appointment.treatment_record.public_id)
    ).exists()
    # Starting it again opens the same record.
    assert chart(client, cast, appointment) == url
    assert TreatmentRecord.objects.count() == 1


def test_the_front_desk_cannot_open_a_chart(client, world, cast):
    record, _ = treatment_record_start(appointment=visit(world, cast), staff=world.ana)
    sign_in(client, cast.frontdesk)
    assert client.get(f"/staff/clinical/records/{record.public_id}/").status_code == 403


def test_another_clinics_chart_is_a_404(client, world, cast):
    """A clinician of another clinic, who may open charts in their own, finds nothing: the
    role check passes, so only the organization scope can answer (a 403 would hide a leak)."""
    record, _ = treatment_record_start(appointment=visit(world, cast), staff=world.ana)
    elsewhere = make_staff(cast.outsider_clinic, Role.PRACTITIONER, "elsewhere-rn")
    sign_in(client, elsewhere)
    assert client.get(f"/staff/clinical/records/{record.public_id}/").status_code == 404
    assert client.post(f"/staff/clinical/records/{record.public_id}/sign/").status_code == 404


def test_identifiers_that_do_not_match_stop_and_record_an_incident(client, world, cast):
    url = chart(client, cast, visit(world, cast), identified=False)
    response = act(client, url, "identity", full_name="Someone Else", date_of_birth="1990-01-01")
    assert response.status_code == 409
    assert b"do not match" in response.content
    assert Incident.objects.get().kind == IncidentKind.PATIENT_MISMATCH
    assert TreatmentRecord.objects.get().identity_checked_at is None
    ok = act(client, url, "identity", full_name=patient_says(cast)["full_name"],
             record_number=cast.patient.record_number)  # fmt: skip
    assert ok.status_code == 302
    assert TreatmentRecord.objects.get().identity_checked_at is not None


def test_a_depth_above_the_default_needs_the_directors_order(client, world, cast):
    appointment = visit(world, cast)
    url = chart(client, cast, appointment)
    cheeks = TreatmentArea.objects.get(code="cheeks")
    act(client, url, "device", device=world.pen.pk)
    line = {"area": cheeks.pk, "depth_mm": "1.50", "passes": 3, "technique": "glide"}
    refused = act(client, url, "line", **line)
    assert refused.status_code == 409
    assert b"medical director" in refused.content
    assert not TreatmentLine.objects.exists()
    # The practitioner cannot write the order; the director can.
    order = {"area": cheeks.pk, "max_depth_mm": "1.50", "valid_until": "2027-06-30",
             "reason": "Rolling acne scars"}  # fmt: skip
    assert act(client, url, "order", **order).status_code == 409
    sign_in(client, cast.director)
    assert act(client, url, "order", **order).status_code == 302
    sign_in(client, cast.practitioner)
    assert act(client, url, "line", **line).status_code == 302
    charted = TreatmentLine.objects.get()
    assert charted.order is not None and charted.depth_mm == Decimal("1.50")


def test_the_pen_maximum_is_a_hard_limit(client, world, cast):
    url = chart(client, cast, visit(world, cast))
    cheeks = TreatmentArea.objects.get(code="cheeks")
    assert (
        act(
            client, url, "line", area=cheeks.pk, depth_mm="0.5", passes=3, technique="glide"
        ).status_code
        == 409
    )  # fmt: skip  (no pen chosen yet)
    act(client, url, "device", device=world.pen.pk)
    response = act(client, url, "line", area=cheeks.pk, depth_mm="3.00", passes=3,
                   technique="glide")  # fmt: skip
    assert response.status_code == 409
    assert b"maximum of 2.50 mm" in response.content


def test_a_scanned_cartridge_is_recorded_and_never_used_again(client, world, cast, time_machine):
    first = visit(world, cast)
    url = chart(client, cast, first)
    scan = "(01)00812345678905(17)271231(10)L2401(21)C000123"
    assert act(client, url, "cartridge", scan=scan).status_code == 302
    use = CartridgeUse.objects.get()
    assert (use.lot.lot, use.serial, use.lot.expires_on) == ("L2401", "C000123", date(2027, 12, 31))
    time_machine.move_to(at(2027, 2, 15, 9, 30), tick=False)
    other = visit(world, cast, service=world.face, start=at(2027, 2, 15, 10))
    again = act(client, chart(client, cast, other), "cartridge", scan=scan)
    assert again.status_code == 409
    assert b"single-use" in again.content
    assert CartridgeUse.objects.count() == 1


def test_a_recalled_product_lot_is_refused_and_mn27_is_flagged(client, world, cast):
    url = chart(client, cast, visit(world, cast))
    refused = act(client, url, "product", product=world.serum.pk, lot_number="HA-9")
    assert refused.status_code == 409
    assert b"recalled" in refused.content
    new_lot = act(client, url, "product", product=world.serum.pk, lot_number="HA-10",
                  expires_on="2027-09-01")  # fmt: skip
    assert new_lot.status_code == 302
    page = client.get(url)
    assert b"MN27" in page.content
    assert ProductLot.objects.filter(lot_number="HA-10", product=world.serum).exists()


def test_the_tube_is_scanned_at_each_step_and_applied_to_its_own_patient(
    client, world, cast, time_machine
):
    mine = visit(world, cast)
    url = chart(client, cast, mine)
    act(client, url, "identity", **patient_says(cast))
    drawn = act(client, url, "draw", **patient_says(cast))
    assert drawn.status_code == 302 and "?label=" in drawn["Location"]
    sample = PrpSample.objects.get()
    assert client.get(f"/staff/clinical/prp-samples/{sample.public_id}/label/").status_code == 200
    assert act(client, url, "step", code=sample.code.lower(), step="spin", g_force=300,
               minutes=10).status_code == 302  # fmt: skip
    early = act(client, url, "step", code=sample.code, step="extract", volume_ml="4.0")
    assert early.status_code == 409 and early["X-Refusal-Code"] == "spin_not_finished"
    time_machine.shift(timedelta(minutes=10))
    assert (
        act(client, url, "step", code=sample.code, step="extract", volume_ml="4.0").status_code
        == 302
    )
    unchecked = act(client, url, "step", code=sample.code, step="apply", area="Cheeks")
    assert unchecked.status_code == 400  # the patient's word is asked for first
    applied = act(client, url, "step", code=sample.code, step="apply", area="Cheeks",
                  identity_confirmed="on")  # fmt: skip
    assert applied.status_code == 302
    sample.refresh_from_db()
    assert sample.state == "applied"
    assert sample.events.last().identity_check == "scan"


def test_another_patients_tube_is_a_hard_stop(client, world, cast):
    from tests.support.factories import PatientFactory

    theirs = visit(world, cast, patient=PatientFactory(organization=cast.clinic),
                   start=at(2027, 1, 11, 13))  # fmt: skip
    their_url = chart(client, cast, theirs)
    patient = theirs.patient
    act(client, their_url, "draw", full_name=f"{patient.first_name} {patient.last_name}",
        date_of_birth=patient.date_of_birth.isoformat())  # fmt: skip
    tube = PrpSample.objects.get()
    url = chart(client, cast, visit(world, cast))
    act(client, url, "identity", **patient_says(cast))
    response = act(client, url, "step", code=tube.code, step="apply", area="Cheeks",
                   identity_confirmed="on")  # fmt: skip
    assert response.status_code == 409
    assert b"STOP" in response.content
    assert Incident.objects.get(sample=tube).kind == IncidentKind.WRONG_TUBE
    assert not tube.events.exists()


def _fill(client, world, cast, url):
    cheeks = TreatmentArea.objects.get(code="cheeks")
    act(client, url, "identity", **patient_says(cast))
    act(client, url, "anaesthetic", product=world.numbing.pk, lot_number="BLT-1",
        applied="09:10", removed="09:40")  # fmt: skip
    act(client, url, "device", device=world.pen.pk, sheath_used="on")
    act(client, url, "cartridge", lot="L1", serial=f"S-{url[-13:-1]}", expires_on="2027-12-31")
    act(client, url, "line", area=cheeks.pk, depth_mm="1.00", passes=3, technique="glide",
        endpoint_reached="on")  # fmt: skip
    act(client, url, "postcare", pain_vas=3, immediate_response="Even erythema",
        waste_disposed="on", aftercare_given="on")  # fmt: skip
    record = TreatmentRecord.objects.get(public_id=url.rstrip("/").rsplit("/", 1)[1])
    Photo.objects.create(
        organization=record.organization, record=record, patient=record.patient,
        view="frontal", stage="before", image="photos/test.jpg", width=10, height=10,
        sha256="0" * 64, taken_at=record.started_at, taken_by=world.ana,
    )  # fmt: skip
    return record


def test_sign_lock_addendum_and_cosign(client, world, cast):
    appointment = visit(world, cast, service=world.face)
    url = chart(client, cast, appointment)
    blocked = act(client, url, "sign")
    assert blocked.status_code == 409
    record = _fill(client, world, cast, url)
    assert act(client, url, "sign").status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.SIGNED and record.cosign_required
    # Locked: the chart refuses changes; an addendum is the way.
    late = act(client, url, "postcare", pain_vas=5, waste_disposed="on")
    assert late.status_code == 409
    assert act(client, url, "addendum", text="Called next day: redness fading.").status_code == 302
    assert Addendum.objects.filter(record=record).count() == 1
    # The performer cannot co-sign; the director sees it in her queue and co-signs.
    assert act(client, url, "cosign").status_code == 409
    sign_in(client, cast.director)
    queue = client.get("/staff/clinical/cosign/")
    assert cast.patient.last_name.encode() in queue.content
    assert act(client, url, "cosign").status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.COSIGNED
    assert record.cosigned_by == cast.director.staff_profile


def test_copy_forward_brings_last_sessions_areas_and_highlights_changes(
    client, world, cast, time_machine
):
    first = visit(world, cast, service=world.face)
    url = chart(client, cast, first)
    _fill(client, world, cast, url)
    act(client, url, "sign")
    time_machine.move_to(at(2027, 2, 15, 9, 30), tick=False)
    later = visit(world, cast, service=world.face, start=at(2027, 2, 15, 10))
    next_url = chart(client, cast, later)
    act(client, next_url, "device", device=world.pen.pk)
    assert act(client, next_url, "copy_forward").status_code == 302
    line = TreatmentLine.objects.get(record__appointment=later)
    assert line.depth_mm == Decimal("1.00")
    # Striking it through and charting a different depth shows what changed.
    act(client, next_url, "line_void", line=line.pk)
    cheeks = TreatmentArea.objects.get(code="cheeks")
    act(client, next_url, "line", area=cheeks.pk, depth_mm="0.75", passes=3, technique="stamp")
    page = client.get(next_url).content.decode()
    assert "<mark>0.75 mm</mark>" in page
    assert "was 1.00" in page
    assert TreatmentLine.objects.filter(record__appointment=later).count() == 2  # kept, struck


def test_bad_input_is_a_4xx_with_the_form_again(client, world, cast):
    url = chart(client, cast, visit(world, cast))
    assert act(client, url, "line", area="nope", depth_mm="deep").status_code == 400
    assert act(client, url, "nonsense").status_code == 404  # every write has its own URL
    assert act(client, url, "postcare", pain_vas=11).status_code == 400


def test_the_appointment_page_offers_the_chart_to_clinicians_only(client, world, cast):
    appointment = visit(world, cast)
    sign_in(client, cast.practitioner)
    assert b"Start chart" in client.get(f"/staff/appointments/{appointment.public_id}/").content
    sign_in(client, cast.frontdesk)
    assert b"Start chart" not in client.get(f"/staff/appointments/{appointment.public_id}/").content


def test_a_cancelled_visit_cannot_be_charted(client, world, cast):
    from needlepoint.scheduling.services import appointment_cancel

    appointment = visit(world, cast)
    appointment_cancel(appointment=appointment, reason="Ill")
    sign_in(client, cast.practitioner)
    response = client.post(f"/staff/clinical/appointments/{appointment.public_id}/chart/")
    assert response.status_code == 302 and "/staff/appointments/" in response["Location"]
    assert not TreatmentRecord.objects.exists()


def test_the_director_may_sign_without_a_cosignature(client, world, cast):
    appointment = visit(world, cast, service=world.face)
    url = chart(client, cast, appointment, persona="director")
    _fill(client, world, cast, url)
    assert act(client, url, "sign").status_code == 302
    record = TreatmentRecord.objects.get()
    assert record.status == RecordStatus.SIGNED and not record.cosign_required
    assert record.signed_at is not None
    assert timedelta(0) <= record.signed_at - ON_THE_DAY < timedelta(minutes=1)


def test_a_signed_record_takes_no_cartridge_or_blood_from_any_door(client, world, cast):
    """The services refuse, so the API (cartridges, PRP draw) is closed as the page is."""
    from needlepoint.clinical.custody import CustodyRefused, Identity
    from needlepoint.clinical.services import cartridge_use, prp_sample_draw

    appointment = visit(world, cast, service=world.face)
    url = chart(client, cast, appointment)
    record = _fill(client, world, cast, url)
    act(client, url, "sign")
    record.refresh_from_db()
    with pytest.raises(CustodyRefused) as refused:
        cartridge_use(record=record, lot="L9", serial="S-AFTER", staff=world.ana)
    assert refused.value.code == "record_locked"
    identity = Identity(patient_says(cast)["full_name"], cast.patient.date_of_birth)
    with pytest.raises(CustodyRefused) as refused:
        prp_sample_draw(appointment=appointment, identity=identity, staff=world.ana)
    assert refused.value.code == "record_locked"
    assert not CartridgeUse.objects.filter(serial="S-AFTER").exists()
    assert not PrpSample.objects.exists()


def test_the_anaesthetic_and_its_times_are_saved_together_or_not_at_all(client, world, cast):
    url = chart(client, cast, visit(world, cast))
    # Removed before it was applied: refused, and the product line is not kept either.
    refused = act(client, url, "anaesthetic", product=world.numbing.pk, lot_number="BLT-1",
                  applied="09:40", removed="09:10")  # fmt: skip
    assert refused.status_code == 400 and refused["X-Refusal-Code"] == "invalid"
    record = TreatmentRecord.objects.get()
    assert not record.products.exists() and record.anaesthetic_applied_at is None
    saved = act(client, url, "anaesthetic", product=world.numbing.pk, lot_number="BLT-1",
                applied="09:10", removed="09:40")  # fmt: skip
    assert saved.status_code == 302
    assert record.products.count() == 1


def test_a_witness_confirms_with_their_own_password_not_a_pick(client, world, cast, time_machine):
    from tests.support.factories import TEST_PASSWORD

    url = chart(client, cast, visit(world, cast))
    act(client, url, "draw", **patient_says(cast))
    sample = PrpSample.objects.get()
    act(client, url, "step", code=sample.code, step="spin", g_force=300, minutes=10)
    time_machine.shift(timedelta(minutes=10))
    act(client, url, "step", code=sample.code, step="extract", volume_ml="4.0")
    apply = {"code": sample.code, "step": "apply", "area": "Cheeks",
             "witness_username": cast.director.username}  # fmt: skip
    wrong = act(client, url, "step", witness_password="guess", **apply)
    assert wrong.status_code == 403 and wrong["X-Refusal-Code"] == "witness_not_verified"
    assert act(client, url, "step", witness_password=TEST_PASSWORD, **apply).status_code == 302
    event = sample.events.get(step="apply")
    assert (event.identity_check, event.witness) == ("witness", cast.director.staff_profile)
