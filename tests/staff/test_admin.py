"""The configuration site (Django admin): scoped to the user's clinic, audited, no deletes."""

import json
from decimal import Decimal

from django.urls import reverse

from needlepoint.catalog.models import TreatmentArea
from needlepoint.catalog.services import catalog_seed_defaults
from needlepoint.core.models import AuditAction, AuditEvent
from tests.support.personas import sign_in


def _area_form(area: TreatmentArea, **changes) -> dict:
    data = {
        "code": area.code,
        "name": area.name,
        "min_depth_mm": area.min_depth_mm,
        "max_default_mm": area.max_default_mm,
        "order_max_mm": area.order_max_mm or "",
        "note": area.note,
        "source_ids": area.source_ids,
        "sort_order": area.sort_order,
    }
    if area.is_face:
        data["is_face"] = "on"
    data.update(changes)
    return data


def test_medical_director_edits_an_area_default_and_it_is_audited(client, cast):
    catalog_seed_defaults(organization=cast.clinic)
    area = TreatmentArea.objects.get(organization=cast.clinic, code="neck")
    sign_in(client, cast.director)
    url = reverse("admin:catalog_treatmentarea_change", args=[area.pk])
    response = client.post(url, _area_form(area, max_default_mm="0.75"))
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.max_default_mm == Decimal("0.75")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(area.public_id))
    assert event.actor == cast.director
    assert event.detail["fields"] == ["max_default_mm"]


def test_an_impossible_depth_range_is_refused_with_a_message(client, cast):
    catalog_seed_defaults(organization=cast.clinic)
    area = TreatmentArea.objects.get(organization=cast.clinic, code="neck")
    sign_in(client, cast.director)
    url = reverse("admin:catalog_treatmentarea_change", args=[area.pk])
    response = client.post(url, _area_form(area, min_depth_mm="2.00", max_default_mm="0.50"))
    assert response.status_code == 200
    assert "area_depth_order" in response.content.decode() or "errornote" in (
        response.content.decode()
    )
    area.refresh_from_db()
    assert area.max_default_mm == Decimal("0.50")


def test_the_configuration_site_never_offers_delete(client, cast):
    sign_in(client, cast.owner)
    url = reverse("admin:patients_patient_delete", args=[cast.patient.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert cast.patient.__class__.objects.filter(pk=cast.patient.pk).exists()


def test_viewing_a_patient_in_the_configuration_site_is_audited(client, cast):
    sign_in(client, cast.owner)
    url = reverse("admin:patients_patient_change", args=[cast.patient.pk])
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, patient_ref=str(cast.patient.public_id)
    ).exists()


def test_foreign_choices_are_not_offered(client, cast):
    """A location's room form must not list another clinic's locations."""
    from tests.support import factories

    factories.LocationFactory(organization=cast.outsider_clinic, name="Elsewhere Downtown")
    sign_in(client, cast.owner)
    body = client.get(reverse("admin:resources_device_add")).content.decode()
    assert "Nob Hill" in body
    assert "Elsewhere Downtown" not in body


def test_password_only_session_cannot_reach_configuration(client, cast):
    sign_in(client, cast.owner, mfa=False)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_the_owner_sets_working_hours_and_time_off(client, cast):
    from needlepoint.scheduling.models import TimeOff

    sign_in(client, cast.owner)
    profile = cast.practitioner.staff_profile
    page = client.get(reverse("admin:accounts_staffprofile_change", args=[profile.pk]))
    assert "Working hours" in page.content.decode()
    response = client.post(
        reverse("admin:scheduling_timeoff_add"),
        {
            "staff": profile.pk,
            "starts_at_0": "2027-01-11",
            "starts_at_1": "09:00",
            "ends_at_0": "2027-01-11",
            "ends_at_1": "12:00",
            "reason": "Training",
        },
    )
    assert response.status_code == 302
    assert TimeOff.objects.filter(staff=profile, reason="Training").exists()
    outsider = cast.outsider.staff_profile
    body = client.get(reverse("admin:scheduling_timeoff_add")).content.decode()
    assert outsider.display_name not in body


def _rule_form(rule, **changes):
    form = {
        "title": rule.title,
        "applies": rule.applies,
        "is_active": "on" if rule.is_active else "",
        "source_ids": rule.source_ids,
        "definition": json.dumps(rule.definition),
        "sort_order": rule.sort_order,
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v != ""}


def test_the_medical_director_edits_a_screening_rule_and_it_is_audited(client, cast):
    from needlepoint.intake.models import ScreeningRule
    from needlepoint.intake.services import intake_seed_rules

    intake_seed_rules(organization=cast.clinic)
    rule = ScreeningRule.objects.get(organization=cast.clinic, code="MN20")
    url = reverse("admin:intake_screeningrule_change", args=[rule.pk])
    sign_in(client, cast.director)
    definition = {**rule.definition}
    definition["cases"][0]["when"][0]["days"] = 30
    assert client.post(url, _rule_form(rule, definition=json.dumps(definition))).status_code == 302
    rule.refresh_from_db()
    assert rule.definition["cases"][0]["when"][0]["days"] == 30
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(rule.public_id))
    assert (event.actor, event.detail["fields"]) == (cast.director, ["definition"])

    broken = {**definition, "cases": [{"when": [{"kind": "sometimes"}], "outcome": "review"}]}
    response = client.post(url, _rule_form(rule, definition=json.dumps(broken)))
    assert response.status_code == 200
    assert "Rule MN20" in response.content.decode()
    rule.refresh_from_db()
    assert rule.definition["cases"][0]["when"][0]["days"] == 30


def test_the_owner_reads_the_screening_rules_but_cannot_change_them(client, cast):
    from needlepoint.intake.models import ScreeningRule
    from needlepoint.intake.services import intake_seed_rules

    intake_seed_rules(organization=cast.clinic)
    rule = ScreeningRule.objects.get(organization=cast.clinic, code="MN09")
    sign_in(client, cast.owner)
    url = reverse("admin:intake_screeningrule_change", args=[rule.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _rule_form(rule, is_active=""))
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.is_active


def test_the_medical_director_drafts_and_publishes_a_consent_version(client, cast):
    from needlepoint.intake.consents import consent_documents_current, intake_seed_consents
    from needlepoint.intake.models import ConsentDocument, ConsentKind

    intake_seed_consents(organization=cast.clinic)
    first = ConsentDocument.objects.get(organization=cast.clinic, kind=ConsentKind.PRP)
    sign_in(client, cast.director)
    response = client.post(
        reverse("admin:intake_consentdocument_add"),
        {
            "kind": ConsentKind.PRP,
            "version": 2,
            "title": first.title,
            "body": first.body + "\\n\\nA new paragraph.",
            "valid_months": 12,
            "source_ids": first.source_ids,
        },
    )
    assert response.status_code == 302
    draft = ConsentDocument.objects.get(organization=cast.clinic, kind=ConsentKind.PRP, version=2)
    assert draft.published_at is None
    kinds = [ConsentKind.PRP]
    assert (
        consent_documents_current(organization_id=cast.clinic.pk, kinds=kinds)[ConsentKind.PRP]
        == first
    )
    client.post(
        reverse("admin:intake_consentdocument_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert (
        consent_documents_current(organization_id=cast.clinic.pk, kinds=kinds)[ConsentKind.PRP]
        == draft
    )
    page = client.get(reverse("admin:intake_consentdocument_change", args=[draft.pk]))
    assert b'name="body"' not in page.content  # published: read only
