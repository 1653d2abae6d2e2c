"""Scope of practice as data (docs/clinical-rules.md §8, docs/security-targets.md A9): what each
licence may do, held in one table the medical director owns, read by availability, booking, the API
and the chart's gate alike; nobody changes their own role, licence or competencies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from needlepoint.accounts.models import ScopeRule, StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.accounts.scope import (
    Licence,
    LicenceType,
    Procedure,
    licence_types_permitting,
    scope_refusal,
)
from needlepoint.accounts.selectors import scope_table, staff_scope_refusal
from needlepoint.accounts.services import (
    StaffChangeRefused,
    scope_rule_update,
    scope_rules_seed,
    staff_profile_change,
)
from needlepoint.catalog.models import Competency
from needlepoint.clinical.chart import ChartRefused
from needlepoint.clinical.services import depth_order_add
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.scheduling.models import WorkingHours
from needlepoint.scheduling.selectors import availability_get
from needlepoint.scheduling.setup import eligible_practitioners
from tests.support import factories
from tests.support.api_support import get
from tests.support.personas import sign_in
from tests.support.scheduling_world import at, make_world

DAY = date(2027, 1, 11)
NM = {
    row: frozenset(p for p in Procedure if p.value in flags)
    for row, flags in {
        "md": {"microneedling", "prp_phlebotomy", "order_depth", "sign_alone"},
        "rn": {"microneedling", "prp_phlebotomy"},
        "esthetician": set(),
    }.items()
}


def licence(kind: str, *, expires: date | None = None, skills=("micro_needling",)) -> Licence:
    return Licence("Luz Ortega", kind, expires, frozenset(skills))


# --- The pure rule ---------------------------------------------------------------------------


def test_an_esthetician_may_not_needle_even_with_the_competency():
    refusal = scope_refusal(licence("esthetician"), [Procedure.MICRONEEDLING], permitted=NM, on=DAY)
    assert refusal and "Licensed esthetician" in refusal and "micro-needling" in refusal


def test_a_nurse_needles_but_draws_blood_only_with_the_recorded_competency():
    rn = licence("rn")
    assert scope_refusal(rn, [Procedure.MICRONEEDLING], permitted=NM, on=DAY) is None
    refusal = scope_refusal(rn, [Procedure.PRP_PHLEBOTOMY], permitted=NM, on=DAY)
    assert refusal and "no recorded competency" in refusal


def test_an_expired_licence_allows_nothing_clinical():
    md = licence("md", expires=date(2027, 1, 10))
    refusal = scope_refusal(md, [Procedure.MICRONEEDLING], permitted=NM, on=DAY)
    assert refusal and "expired on January 10, 2027" in refusal
    assert scope_refusal(licence("md", expires=DAY), [Procedure.MICRONEEDLING], permitted=NM,
                         on=DAY) is None  # fmt: skip


def test_a_licence_missing_from_the_table_fails_closed():
    assert scope_refusal(licence("pa"), [Procedure.MICRONEEDLING], permitted=NM, on=DAY)


def test_which_licences_may_needle_and_draw():
    assert licence_types_permitting(
        [Procedure.MICRONEEDLING, Procedure.PRP_PHLEBOTOMY], permitted=NM
    ) == ["md", "rn"]


def test_the_shipped_table_is_new_mexicos_with_its_sources(cast):
    scope_rules_seed(organization=cast.clinic)
    table = scope_table(organization_id=cast.clinic.pk)
    assert Procedure.MICRONEEDLING not in table["esthetician"]
    assert Procedure.MICRONEEDLING not in table["medical_assistant"]
    assert Procedure.SIGN_ALONE in table["aprn"] and Procedure.SIGN_ALONE not in table["rn"]
    rows = ScopeRule.objects.filter(organization=cast.clinic)
    assert rows.count() == len(LicenceType) and all(row.source_ids for row in rows)
    assert rows.get(licence_type="esthetician").source_ids == "S30"


# --- Who is offered and booked ---------------------------------------------------------------


@pytest.fixture
def world(cast, time_machine):
    time_machine.move_to(at(2027, 1, 4, 8), tick=False)
    world = make_world(clinic=cast.clinic)
    scope_rules_seed(organization=cast.clinic)
    return world


def _esthetician(world) -> StaffProfile:
    """Luz: an esthetician the owner once gave the micro-needling competency."""
    luz = factories.StaffFactory(organization=world.clinic, licence_type="esthetician")
    luz.locations.add(world.location)
    luz.competencies.add(*Competency.objects.filter(organization=world.clinic))
    for weekday in range(6):
        WorkingHours.objects.create(staff=luz, location=world.location, weekday=weekday,
                                    starts="09:00", ends="17:00")  # fmt: skip
    return luz


def test_an_esthetician_is_never_offered_for_micro_needling(client, cast, world):
    luz = _esthetician(world)
    for service in (world.face, world.prp):
        assert luz not in eligible_practitioners(location=world.location, service=service)
        slots = availability_get(
            location=world.location,
            service=service,
            first_day=DAY,
            last_day=DAY,
            now=at(2027, 1, 4, 8),
            one_per_start=False,
        )
        assert slots and luz.pk not in {slot.practitioner.pk for slot in slots}
    answer = get(client, "/availability", location=world.location.slug, service="face",
                 start="2027-01-11", end="2027-01-11", practitioner=str(luz.public_id))  # fmt: skip
    assert answer.status_code in (404, 422) or answer.json()["slots"] == []
    wizard = client.get(reverse("site:booking-slots", args=["face", world.location.slug]))
    assert luz.user.get_full_name() not in wizard.content.decode()


def test_the_director_may_enable_it_only_with_a_legal_basis(cast, world):
    luz = _esthetician(world)
    rule = ScopeRule.objects.get(organization=cast.clinic, licence_type="esthetician")
    director = cast.director.staff_profile
    with pytest.raises(StaffChangeRefused) as refused:
        scope_rule_update(rule=rule, actor=director, changes={"microneedling": True,
                          "legal_basis": ""}, reason="Board opinion")  # fmt: skip
    assert refused.value.code == "legal_basis_required"
    with pytest.raises(StaffChangeRefused) as refused:
        scope_rule_update(rule=rule, actor=cast.owner.staff_profile,
                          changes={"microneedling": True}, reason="Why not")  # fmt: skip
    assert refused.value.code == "director_only"
    scope_rule_update(
        rule=rule, actor=director, reason="Counsel's letter of 2027-01-02",
        changes={"microneedling": True, "legal_basis": "NM Board opinion 2026-14 (on file)."},
    )  # fmt: skip
    assert luz in eligible_practitioners(location=world.location, service=world.face)
    event = AuditEvent.objects.get(object_id=str(rule.public_id), action=AuditAction.UPDATE)
    assert event.detail["reason"] == "Counsel's letter of 2027-01-02"


def test_an_expired_licence_makes_a_practitioner_unbookable(world):
    world.ana.licence_expires_on = date(2027, 1, 3)
    world.ana.save(update_fields=["licence_expires_on"])
    assert world.ana not in eligible_practitioners(location=world.location, service=world.face)
    assert world.ben in eligible_practitioners(location=world.location, service=world.face)


def test_only_licences_that_may_order_order_a_deeper_depth(cast, world):
    from needlepoint.catalog.models import TreatmentArea

    cheeks = TreatmentArea.objects.get(organization=cast.clinic, code="cheeks")
    order = {"patient": cast.patient, "area": cheeks, "max_depth_mm": Decimal("1.50"),
             "reason": "Rolling scars", "valid_until": date(2027, 6, 30)}  # fmt: skip
    with pytest.raises(ChartRefused) as refused:
        depth_order_add(staff=cast.practitioner.staff_profile, **order)
    assert refused.value.code == "out_of_scope"
    assert depth_order_add(staff=cast.director.staff_profile, **order).max_depth_mm


def test_signing_alone_follows_the_table(cast):
    nurse, director = cast.practitioner.staff_profile, cast.director.staff_profile
    assert staff_scope_refusal(staff=nurse, procedures=[Procedure.SIGN_ALONE], on=DAY)
    assert staff_scope_refusal(staff=director, procedures=[Procedure.SIGN_ALONE], on=DAY) is None
    nurse.licence_type = "aprn"
    nurse.save(update_fields=["licence_type"])
    assert staff_scope_refusal(staff=nurse, procedures=[Procedure.SIGN_ALONE], on=DAY) is None


# --- Nobody changes their own role, licence or permissions (A9) -------------------------------


def test_nobody_changes_their_own_role(cast):
    owner = cast.owner.staff_profile
    with pytest.raises(StaffChangeRefused) as refused:
        staff_profile_change(profile=owner, actor=owner, changes={"role": Role.MEDICAL_DIRECTOR})
    assert refused.value.code == "self_change"
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_only_the_director_grants_competencies_with_a_reason(cast, world):
    nurse = cast.practitioner.staff_profile
    skills = list(Competency.objects.filter(organization=cast.clinic, code="consultation"))
    with pytest.raises(StaffChangeRefused) as refused:
        staff_profile_change(profile=nurse, actor=cast.owner.staff_profile, changes={},
                             competencies=skills)  # fmt: skip
    assert refused.value.code == "director_only"
    with pytest.raises(StaffChangeRefused) as refused:
        staff_profile_change(profile=nurse, actor=cast.director.staff_profile, changes={},
                             competencies=skills)  # fmt: skip
    assert refused.value.code == "reason_required"
    staff_profile_change(profile=nurse, actor=cast.director.staff_profile, changes={},
                         competencies=skills, reason="Consultation training done")  # fmt: skip
    assert list(nurse.competencies.values_list("code", flat=True)) == ["consultation"]
    event = AuditEvent.objects.filter(object_id=str(nurse.public_id)).latest("pk")
    assert event.detail == {"changed": ["competencies"], "reason": "Consultation training done"}


def _profile_form(profile: StaffProfile, **changes) -> dict:
    form = {
        "role": profile.role,
        "title": profile.title,
        "licence_type": profile.licence_type,
        "licence_number": profile.licence_number,
        "licence_expires_on": "",
        "competencies": [c.pk for c in profile.competencies.all()],
        "locations": [loc.pk for loc in profile.locations.all()],
        "reason": "",
        # The working-hours inline's management form, empty.
        "working_hours-TOTAL_FORMS": "0",
        "working_hours-INITIAL_FORMS": "0",
    }
    form.update(changes)
    return form


def test_the_owner_cannot_make_herself_medical_director_in_configuration(client, cast):
    owner = cast.owner.staff_profile
    sign_in(client, cast.owner)
    url = reverse("admin:accounts_staffprofile_change", args=[owner.pk])
    client.post(url, _profile_form(owner, role=Role.MEDICAL_DIRECTOR))
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert client.get(reverse("intake:review-list")).status_code == 403


def test_the_owner_sets_a_licence_but_not_competencies(client, cast, world):
    nurse = cast.practitioner.staff_profile
    sign_in(client, cast.owner)
    url = reverse("admin:accounts_staffprofile_change", args=[nurse.pk])
    everything = [c.pk for c in Competency.objects.filter(organization=cast.clinic)]
    response = client.post(url, _profile_form(nurse, licence_type="esthetician",
                                              competencies=everything))  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    nurse.refresh_from_db()
    assert nurse.licence_type == "esthetician"
    assert set(nurse.competencies.values_list("code", flat=True)) == {
        "micro_needling", "prp_phlebotomy"
    }  # as before: the owner cannot grant them  # fmt: skip


def test_the_director_grants_a_competency_in_configuration_with_a_reason(client, cast, world):
    nurse = cast.practitioner.staff_profile
    consult = Competency.objects.get(organization=cast.clinic, code="consultation")
    wanted = [*nurse.competencies.values_list("pk", flat=True), consult.pk]
    sign_in(client, cast.director)
    url = reverse("admin:accounts_staffprofile_change", args=[nurse.pk])
    refused = client.post(url, _profile_form(nurse, competencies=wanted))
    assert refused.status_code == 200 and "Give the reason" in refused.content.decode()
    granted = client.post(url, _profile_form(nurse, competencies=wanted, reason="Trained"))
    assert granted.status_code == 302
    assert nurse.competencies.filter(pk=consult.pk).exists()


def _scope_form(rule: ScopeRule, **changes) -> dict:
    form = {flag: "on" for flag in ("microneedling", "prp_phlebotomy", "order_depth",
                                    "sign_alone") if getattr(rule, flag)}  # fmt: skip
    form.update(legal_basis=rule.legal_basis, source_ids=rule.source_ids, reason="")
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_the_director_edits_the_scope_table_in_configuration(client, cast, world):
    rule = ScopeRule.objects.get(organization=cast.clinic, licence_type="esthetician")
    url = reverse("admin:accounts_scoperule_change", args=[rule.pk])
    sign_in(client, cast.owner)
    assert client.get(url).status_code == 200  # the owner reads it
    assert client.post(url, _scope_form(rule, microneedling="on", reason="x")).status_code == 403
    sign_in(client, cast.director)
    no_basis = client.post(url, _scope_form(rule, microneedling="on", legal_basis="",
                                            reason="Board opinion"))  # fmt: skip
    assert no_basis.status_code == 200 and "legal basis" in no_basis.content.decode()
    no_reason = client.post(url, _scope_form(rule, source_ids="S30, S29"))
    assert no_reason.status_code == 200
    done = client.post(url, _scope_form(rule, source_ids="S30, S29", reason="Cite S29 too"))
    assert done.status_code == 302
    rule.refresh_from_db()
    assert rule.source_ids == "S30, S29" and not rule.microneedling
