"""Screening a visit against the clinic's rules: the answers and plan the rules read, the
verdict kept on the appointment, and a medical director's decision carried over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from needlepoint.catalog.models import Service, ServiceKind, TreatmentArea
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_day
from needlepoint.core.models import AuditAction, Organization
from needlepoint.intake.models import QuestionnaireResponse, ReviewScope, Screening, ScreeningStatus
from needlepoint.intake.rules import Area, Outcome, evaluate
from needlepoint.intake.rules import Screening as Verdict
from needlepoint.intake.selectors import screening_rules
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Device, DeviceKind
from needlepoint.scheduling.availability import DEVICE
from needlepoint.scheduling.models import Appointment, AppointmentStatus

# Answers the treatment record gives, not the patient (docs/clinical-rules.md §10.7).
CHARTING_ANSWERS = frozenset({"topical_product_not_for_intradermal_use"})


def _areas(service: Service, area_codes: Sequence[str] | None, organization) -> list[Area]:
    if area_codes is None:
        rows = list(service.areas.all())
    else:
        found = {
            a.code: a
            for a in TreatmentArea.objects.filter(organization=organization, code__in=area_codes)
        }
        missing = [code for code in area_codes if code not in found]
        if missing:
            raise TreatmentArea.DoesNotExist(f"Unknown treatment area: {', '.join(missing)}.")
        rows = [found[code] for code in dict.fromkeys(area_codes)]
    return [Area(a.code, is_face=a.is_face, is_perioral=a.is_perioral) for a in rows]


def screening_evaluate(
    *,
    organization: Organization,
    service: Service,
    on: date,
    answers: Mapping[str, object],
    area_codes: Sequence[str] | None = None,
    context: Mapping[str, object] | None = None,
    before_charting: bool = False,
) -> Verdict:
    """Screen answers (docs/clinical-rules.md §12 codes) for `service` on the planned date `on`,
    with the organization's active rules. The treated areas are `area_codes` when given, else the
    service's. `before_charting` leaves out the rules about what the chart decides (the product
    applied, MN27): an intake cannot know it, and the chart checks it when the product is recorded.
    Raises `AnswerError` for an unknown code or an unusable value, and `TreatmentArea.DoesNotExist`
    for an area code the clinic does not have."""
    rules = screening_rules(organization=organization)
    if before_charting:
        rules = [rule for rule in rules if not rule.answers_read & CHARTING_ANSWERS]
    return evaluate(
        rules,
        answers,
        on=on,
        uses_prp=service.uses_prp,
        areas=_areas(service, area_codes, organization),
        context=context,
    )


def clinic_facts(*, patient: Patient) -> dict[str, object]:
    """Answers the clinic knows without asking: the date of birth on the record."""
    return {"date_of_birth": patient.date_of_birth} if patient.date_of_birth else {}


def _status(verdict: Verdict) -> ScreeningStatus:
    return {
        Outcome.ALLOW: ScreeningStatus.CLEAR,
        Outcome.CAUTION: ScreeningStatus.CAUTION,
        Outcome.REVIEW: ScreeningStatus.NEEDS_REVIEW,
        Outcome.BLOCK_UNTIL: ScreeningStatus.BLOCKED,
        Outcome.BLOCK: ScreeningStatus.BLOCKED,
    }[verdict.outcome]


def _findings_json(verdict: Verdict) -> list[dict[str, Any]]:
    return [
        {
            "rule": f.rule,
            "outcome": str(f.outcome),
            "until": f.until.isoformat() if f.until else None,
            "message": f.message,
            "patient_message": f.patient_message,
        }
        for f in verdict.findings
    ]


def screening_answers(response: QuestionnaireResponse) -> dict[str, object]:
    """What the rules read: what the clinic knows, then the patient's answers (unanswered
    and the clinic's own x_ questions left out)."""
    answers = {**clinic_facts(patient=response.patient)}
    answers.update(
        {k: v for k, v in response.answers.items() if v is not None and not k.startswith("x_")}
    )
    return answers


def screening_context(appointment: Appointment) -> dict[str, object]:
    """The plan's facts some skin-type rules read (FST2, FST4): the service's indications,
    the pen held for the visit, and whether it is the patient's first full session.
    Depth (FST3) is planned at the chair and checked by the chart."""

    pens = Device.objects.filter(
        kind=DeviceKind.PEN,
        pk__in=[
            int(key.split(":", 1)[1])
            for key in appointment.holds.filter(
                is_active=True, resource_key__startswith=f"{DEVICE}:"
            ).values_list("resource_key", flat=True)
        ],
    ).values_list("model", flat=True)
    context: dict[str, object] = {
        "indication": list(appointment.service.indications.values_list("code", flat=True)),
        "first_full_session": not Appointment.objects.filter(
            patient=appointment.patient,
            service__kind=ServiceKind.TREATMENT,
            status=AppointmentStatus.COMPLETED,
        ).exists(),
    }
    if pens:
        context["device_model"] = list(pens)
    return context


def earliest_date(verdict: Verdict) -> date | None:
    """The first date every BLOCK_UNTIL finding has passed; None when one has no date
    ("until resolved") or there is none."""
    waits = [f.until for f in verdict.findings if f.outcome is Outcome.BLOCK_UNTIL]
    dated = [until for until in waits if until is not None]
    return max(dated) if waits and len(dated) == len(waits) else None


def _decision_to_carry(
    appointment: Appointment, response: QuestionnaireResponse, reviewed: set[str]
) -> Screening | None:
    """The latest decision on this visit (before it moved or was answered again), or on the
    series of this service, that covered the same review findings from the same answers."""
    earlier = (
        Screening.objects.filter(
            Q(appointment=appointment)
            | Q(
                scope=ReviewScope.SERIES,
                appointment__patient=appointment.patient,
                appointment__service=appointment.service,
            ),
            organization_id=appointment.organization_id,
            status__in=[ScreeningStatus.APPROVED, ScreeningStatus.DECLINED],
        )
        .select_related("response", "decided_by")
        .order_by("-decided_at")
        .first()
    )
    if earlier is None:
        return None
    covered = {f["rule"] for f in earlier.findings if f["outcome"] == Outcome.REVIEW}
    if not reviewed <= covered:
        return None
    read = {
        code
        for rule in screening_rules(organization=appointment.organization)
        if rule.code in reviewed
        for code in rule.answers_read
    }
    before, now = earlier.response.answers, response.answers
    return earlier if all(before.get(c) == now.get(c) for c in read) else None


def appointment_screen(
    *,
    appointment: Appointment,
    response: QuestionnaireResponse,
    now: datetime | None = None,
    by: Actor | None = None,
) -> Screening:
    """Screen one appointment with one set of answers and keep the verdict (audited). A
    medical director's decision carries over when it covered the same findings from the
    same answers: the same visit moved or answered again, or the series of its service."""
    now = now or timezone.now()
    organization = appointment.organization
    on = local_day(appointment.starts_at, appointment.location.zone)
    verdict = screening_evaluate(
        organization=organization,
        service=appointment.service,
        on=on,
        answers=screening_answers(response),
        context=screening_context(appointment),
        before_charting=True,
    )
    status = _status(verdict)
    carried = None
    if status == ScreeningStatus.NEEDS_REVIEW:
        reviewed = {f.rule for f in verdict.findings if f.outcome is Outcome.REVIEW}
        carried = _decision_to_carry(appointment, response, reviewed)
        if carried is not None:
            status = ScreeningStatus(carried.status)
    blocked_until = earliest_date(verdict)
    screening = Screening.objects.create(
        organization=organization,
        appointment=appointment,
        response=response,
        outcome=str(verdict.outcome),
        findings=_findings_json(verdict),
        status=status,
        blocked_until=blocked_until,
        evaluated_at=now,
        carried_from=carried,
        decided_by=carried.decided_by if carried else None,
        decided_at=carried.decided_at if carried else None,
        decision_reason=carried.decision_reason if carried else "",
        scope=carried.scope if carried else "",
    )
    audit_record(
        action=AuditAction.CREATE,
        by=by,
        organization=organization,
        obj=screening,
        patient=appointment.patient,
        detail={"status": status, "carried": bool(carried)},
    )
    return screening
