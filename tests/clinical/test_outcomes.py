"""Outcome scores (docs/clinical-rules.md §7): the service, the chart's outcome panel, the patient's
progress page and its follow-up form."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from needlepoint.catalog.models import Indication
from needlepoint.clinical.models import Outcome, RecordStatus, TreatmentLine, TreatmentRecord
from needlepoint.clinical.selectors import outcome_list
from needlepoint.clinical.services import outcome_record
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.staff.views.outcomes import record_outcomes_context
from tests.support import factories
from tests.support.clinical_support import VISIT, record_charted
from tests.support.personas import sign_in
from tests.support.scheduling_world import at


def _indication(clinic, code: str, name: str) -> Indication:
    return Indication.objects.create(
        organization=clinic, code=code, name=name, series_min=3, series_max=6, source_ids="S7"
    )


@pytest.fixture
def record(cast, time_machine):
    """Paloma's chart of Monday 11 January 2027 at 10:00 (Denver), an hour later."""
    time_machine.move_to(at(2027, 1, 11, 11), tick=False)
    return record_charted(cast.clinic, cast.patient, VISIT, cast.practitioner.staff_profile)


@pytest.fixture
def acne(cast):
    return _indication(cast.clinic, "acne_scars", "Acne scars")


@pytest.fixture
def lines(cast):
    return _indication(cast.clinic, "fine_lines", "Fine lines")


def record_outcome(cast, **given) -> Outcome:
    fields = {
        "patient": cast.patient,
        "staff": cast.practitioner.staff_profile,
        "assessed_on": date(2027, 1, 11),
    }
    return outcome_record(**(fields | given))


def form(**fields) -> dict[str, object]:
    return {f"outcome-{name}": value for name, value in fields.items()}


def add_url(record: TreatmentRecord) -> str:
    return reverse("clinical:record-outcome-add", kwargs={"public_id": record.public_id})


def progress_url(patient, **query) -> str:
    url = reverse("clinical:patient-progress", kwargs={"public_id": patient.public_id})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def follow_up_url(patient) -> str:
    return reverse("clinical:patient-outcome-add", kwargs={"public_id": patient.public_id})


# --- The service --------------------------------------------------------------------------


def test_it_records_scores_at_a_visit_and_audits_it(cast, record, acne):
    outcome = record_outcome(
        cast, record=record, indication=acne, gais_clinician=2, satisfaction=8, note="  Happy. "
    )
    outcome.refresh_from_db()
    assert (outcome.record, outcome.indication, outcome.note) == (record, acne, "Happy.")
    assert (outcome.gais_clinician, outcome.gais_subject, outcome.satisfaction) == (2, None, 8)
    assert outcome.organization == cast.clinic
    assert outcome.recorded_by == cast.practitioner.staff_profile
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(outcome.public_id))
    assert event.object_type == "clinical.outcome"
    assert event.patient_ref == str(cast.patient.public_id)
    assert event.detail == {"record": str(record.public_id)}
    assert "Happy" not in str(event.detail)


def test_a_signed_record_still_takes_outcomes(cast, record):
    TreatmentRecord.objects.filter(pk=record.pk).update(status=RecordStatus.SIGNED)
    record.refresh_from_db()
    assert record.is_locked
    outcome = record_outcome(cast, record=record, goodman_baron=3)
    assert outcome.record == record
    record.refresh_from_db()
    assert record.status == RecordStatus.SIGNED  # the record itself is untouched


def test_at_least_one_score_is_required_and_a_refusal_writes_nothing(cast, record):
    with pytest.raises(ValidationError) as refused:
        record_outcome(cast, record=record, note="nothing scored")
    assert refused.value.message_dict == {NON_FIELD_ERRORS: ["Give at least one score."]}
    assert not Outcome.objects.exists()
    assert not AuditEvent.objects.filter(object_type="clinical.outcome").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("gais_clinician", 0, "GAIS (clinician) runs from 1 — very much improved to 5 — worse."),
        ("gais_subject", 6, "GAIS (patient) runs from 1 — very much improved to 5 — worse."),
        ("goodman_baron", 5, "Goodman & Baron grade runs from 1 — macular to 4 — severe."),
        ("satisfaction", 11, "runs from 0 — not at all satisfied to 10 — completely satisfied"),
        ("satisfaction", -1, "Satisfaction (0–10) runs from"),
        ("gais_clinician", True, "GAIS (clinician) runs from"),
    ],
)
def test_each_score_stays_within_its_scale(cast, record, field, value, message):
    with pytest.raises(ValidationError) as refused:
        record_outcome(cast, record=record, **{field: value})
    assert message in refused.value.message_dict[field][0]
    assert not Outcome.objects.exists()


def test_a_future_date_is_refused_in_the_clinics_zone(cast, record, time_machine):
    # 23:30 in Denver is already the 12th in UTC: the 12th is still tomorrow here.
    time_machine.move_to(at(2027, 1, 11, 23, 30), tick=False)
    for visit in (record, None):
        with pytest.raises(ValidationError) as refused:
            record_outcome(cast, record=visit, assessed_on=date(2027, 1, 12), gais_subject=2)
        assert refused.value.message_dict["assessed_on"] == [
            "That date is in the future: today is Jan 11, 2027."
        ]
        assert record_outcome(cast, record=visit, assessed_on=date(2027, 1, 11), gais_subject=2)
    assert record_outcome(cast, assessed_on=date(2026, 1, 11), gais_subject=2)  # long ago: fine


def test_another_patients_visit_or_another_clinics_indication_is_refused(cast, record):
    foreign = _indication(cast.outsider_clinic, "acne_scars", "Acne scars")
    with pytest.raises(ValidationError) as refused:
        record_outcome(
            cast, patient=cast.other_patient, record=record, indication=foreign, satisfaction=5
        )
    assert refused.value.message_dict == {
        NON_FIELD_ERRORS: ["That visit is not this patient's."],
        "indication": ["Choose one of this clinic's indications."],
    }


@pytest.mark.parametrize("who", ["frontdesk", "owner", "outsider"])
def test_only_the_clinics_clinicians_record_outcomes(cast, record, who):
    with pytest.raises(PermissionDenied):
        record_outcome(cast, staff=getattr(cast, who).staff_profile, gais_clinician=1)


def test_the_outcome_list_is_one_query(cast, record, acne, lines, django_assert_num_queries):
    record_outcome(cast, record=record, indication=acne, gais_clinician=3)
    record_outcome(cast, indication=lines, gais_clinician=2)
    record_outcome(cast, patient=cast.other_patient, gais_clinician=2)
    with django_assert_num_queries(1):
        outcomes = list(outcome_list(patient=cast.patient))
        shown = [
            (o.indication.name, o.record and o.record.appointment.location.name) for o in outcomes
        ]
        assert [o.recorded_by.display_name for o in outcomes]
    assert [name for name, _ in shown] == ["Acne scars", "Fine lines"]
    assert [o.indication for o in outcome_list(patient=cast.patient, indication=lines)] == [lines]


# --- The chart's outcome panel ------------------------------------------------------------


def test_the_panel_posts_to_the_outcome_view_with_the_visits_indication(cast, record, acne):
    TreatmentLine.objects.create(
        record=record,
        area=_area(cast),
        indication=acne,
        depth_mm="1.00",
        passes=3,
        technique="stamp",
    )
    record_outcome(cast, record=record, gais_clinician=2)
    context = record_outcomes_context(record)
    assert context["outcome_add_url"] == add_url(record)
    assert context["outcome_progress_url"] == progress_url(cast.patient)
    assert [cells[0] for _, cells in context["outcome_rows"]] == ["2 — much improved"]
    bound = context["outcome_form"]
    assert bound.initial == {"assessed_on": date(2027, 1, 11), "indication": acne.pk}
    assert bound["assessed_on"].field.widget.attrs["max"] == "2027-01-11"


def _area(cast):
    from needlepoint.catalog.models import TreatmentArea

    return TreatmentArea.objects.get(organization=cast.clinic, code="cheeks")


def test_an_outcome_added_at_the_chair_returns_to_the_chart(client, cast, record, acne):
    sign_in(client, cast.practitioner)
    response = client.post(
        add_url(record),
        form(
            assessed_on="2027-01-11",
            indication=acne.pk,
            gais_clinician=2,
            gais_subject=1,
            goodman_baron=3,
            satisfaction=9,
            note="Pleased with the cheeks.",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/staff/clinical/records/{record.public_id}/#outcomes"
    outcome = Outcome.objects.get()
    assert (outcome.record, outcome.indication, outcome.goodman_baron) == (record, acne, 3)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(outcome.public_id)
    ).exists()
    chart = client.get(response["Location"].split("#")[0])
    assert chart.status_code == 200
    body = chart.content.decode()
    panel = body[body.index('id="outcomes"') :]
    assert "2 — much improved" in panel and "1 — very much improved" in panel
    assert "3 — moderate" in panel and "Pleased with the cheeks." in panel
    assert f'action="{add_url(record)}"' in panel


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"assessed_on": "2027-01-11"}, "Give at least one score."),
        ({"assessed_on": "2027-01-11", "gais_clinician": "9"}, "Select a valid choice."),
        ({"assessed_on": "2027-01-11", "satisfaction": "ten"}, "Select a valid choice."),
        ({"assessed_on": "2027-01-12", "gais_clinician": "2"}, "That date is in the future"),
        ({"assessed_on": "yesterday", "gais_clinician": "2"}, "Enter a valid date."),
        ({"gais_clinician": "2"}, "This field is required."),
        ({"assessed_on": "2027-01-11", "gais_clinician": "2", "indication": "99999"}, "valid"),
        ({"assessed_on": "2027-01-11", "gais_clinician": "2", "note": "x" * 301}, "at most 300"),
    ],
)
def test_bad_input_is_a_400_with_the_reason(client, cast, record, fields, message):
    sign_in(client, cast.practitioner)
    response = client.post(add_url(record), form(**fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Back to the chart" in response.content.decode()
    assert not Outcome.objects.exists()


def test_another_clinics_indication_is_not_on_offer(client, cast, record):
    foreign = _indication(cast.outsider_clinic, "acne_scars", "Acne scars")
    sign_in(client, cast.practitioner)
    data = form(assessed_on="2027-01-11", gais_clinician="2", indication=foreign.pk)
    response = client.post(add_url(record), data)
    assert response.status_code == 400
    assert not Outcome.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("frontdesk", 403), ("owner", 403)])
def test_only_clinicians_add_outcomes(client, cast, record, persona, status):
    sign_in(client, cast.user(persona))
    data = form(assessed_on="2027-01-11", gais_clinician="2")
    assert client.post(add_url(record), data).status_code == status
    assert client.post(follow_up_url(cast.patient), data).status_code == status
    assert not Outcome.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, record):
    response = client.post(add_url(record), form(assessed_on="2027-01-11", gais_clinician="2"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_clinics_record_or_patient_is_not_found(client, cast, time_machine):
    time_machine.move_to(at(2027, 1, 11, 11), tick=False)
    theirs = record_charted(
        cast.outsider_clinic,
        cast.outsider_patient,
        VISIT,
        factories.StaffFactory(organization=cast.outsider_clinic, role="medical_director"),
    )
    sign_in(client, cast.practitioner)
    data = form(assessed_on="2027-01-11", gais_clinician="2")
    assert client.post(add_url(theirs), data).status_code == 404
    assert client.post(follow_up_url(cast.outsider_patient), data).status_code == 404
    assert client.get(progress_url(cast.outsider_patient)).status_code == 404
    assert not Outcome.objects.exists()


def test_adding_is_post_only(client, cast, record):
    sign_in(client, cast.practitioner)
    assert client.get(add_url(record)).status_code == 405
    assert client.get(follow_up_url(cast.patient)).status_code == 405


# --- The progress page --------------------------------------------------------------------


@pytest.fixture
def history(cast, record, acne, lines, time_machine):
    """Paloma's acne-scar session on Jan 11 with scores, two follow-ups, and a fine-lines
    score; now it is June 1, 2027."""
    TreatmentLine.objects.create(
        record=record, area=_area(cast), indication=acne, depth_mm="1.00", passes=3,
        technique="stamp",
    )  # fmt: skip
    record_outcome(cast, record=record, indication=acne, gais_clinician=3, goodman_baron=3)
    time_machine.move_to(at(2027, 6, 1, 9), tick=False)
    record_outcome(cast, indication=acne, assessed_on=date(2027, 2, 11), gais_clinician=2)
    record_outcome(
        cast, indication=acne, assessed_on=date(2027, 5, 11), gais_clinician=1, satisfaction=9
    )
    record_outcome(cast, indication=lines, assessed_on=date(2027, 3, 1), gais_clinician=4)
    return record


def test_the_progress_page_draws_each_scale_with_the_sessions_marked(client, cast, history):
    sign_in(client, cast.practitioner)
    response = client.get(progress_url(cast.patient, indication="acne_scars"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<svg class="progress-svg"') == 3  # GAIS clinician, G&B, satisfaction
    assert '<title id="gais_clinician-title">GAIS (clinician) over time</title>' in body
    gais = body[body.index('id="gais_clinician-title"') : body.index('id="goodman_baron-title"')]
    assert re.findall(r'data-value="(\d+)"', gais) == ["3", "2", "1"]
    assert 'data-session="2027-01-11"' in gais
    summary = "From 3 — improved on Jan 11, 2027 to 1 — very much improved on May 11, 2027"
    assert f"{summary}: better." in gais
    assert "<td>1 — very much improved</td><td>better</td>" in gais  # the data table
    assert "Fine lines" not in body.split("Every assessment")[1].split("</table>")[0]
    assert "around Feb 11, 2027" in body and "Apr 11, 2027 to Jul 11, 2027" in body
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        patient_ref=str(cast.patient.public_id),
        detail={"progress": True},
    ).exists()


def test_without_a_filter_each_indication_is_its_own_line(client, cast, history):
    sign_in(client, cast.director)
    body = client.get(progress_url(cast.patient)).content.decode()
    gais = body[body.index('id="gais_clinician-title"') : body.index('id="goodman_baron-title"')]
    assert 'data-group="Acne scars"' in gais and 'data-group="Fine lines"' in gais
    assert '<option value="acne_scars">Acne scars</option>' in body
    unknown = client.get(progress_url(cast.patient, indication="nonsense"))
    assert unknown.status_code == 200  # an unknown filter shows everything


def test_a_patient_without_scores_gets_an_empty_page_and_the_form(client, cast):
    sign_in(client, cast.practitioner)
    body = client.get(progress_url(cast.other_patient)).content.decode()
    assert "No outcome scores yet." in body and '<svg class="progress-svg"' not in body
    assert 'name="outcome-gais_clinician"' in body


def test_a_follow_up_is_recorded_without_a_visit(client, cast, history, acne):
    sign_in(client, cast.practitioner)
    response = client.post(
        follow_up_url(cast.patient),
        form(assessed_on="2027-06-01", indication=acne.pk, gais_subject="1", satisfaction="10"),
    )
    assert response.status_code == 302
    assert response["Location"] == progress_url(cast.patient, indication="acne_scars")
    outcome = Outcome.objects.latest("pk")
    assert (outcome.record, outcome.gais_subject, outcome.satisfaction) == (None, 1, 10)
    assert AuditEvent.objects.get(object_id=str(outcome.public_id)).detail == {"follow_up": True}


def test_a_refused_follow_up_shows_the_page_again_with_the_reason(client, cast, history):
    sign_in(client, cast.practitioner)
    response = client.post(follow_up_url(cast.patient), form(assessed_on="2027-06-02"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give at least one score." in body
    assert "That date is in the future: today is Jun 1, 2027." in body
    assert "<svg" in body  # the charts are still there
    assert Outcome.objects.count() == 4


@pytest.mark.parametrize(
    ("persona", "status"), [("frontdesk", 403), ("owner", 403), ("director", 200)]
)
def test_the_progress_page_is_for_clinicians(client, cast, persona, status):
    sign_in(client, cast.user(persona))
    assert client.get(progress_url(cast.patient)).status_code == status


def test_the_progress_page_query_count_does_not_grow_with_scores(client, cast, record, acne):
    sign_in(client, cast.practitioner)
    record_outcome(cast, record=record, indication=acne, gais_clinician=3)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(progress_url(cast.patient)).status_code == 200
        return len(queries)

    few = count()
    for day in range(1, 9):
        record_outcome(cast, indication=acne, assessed_on=date(2027, 1, day), satisfaction=day)
    assert count() == few


def test_the_patient_record_links_to_progress_for_clinicians(client, cast):
    detail = reverse("patients:patient-detail", kwargs={"public_id": cast.patient.public_id})
    sign_in(client, cast.practitioner)
    assert progress_url(cast.patient) in client.get(detail).content.decode()
    sign_in(client, cast.frontdesk)
    assert progress_url(cast.patient) not in client.get(detail).content.decode()
