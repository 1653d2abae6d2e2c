"""Writes for intake: seeding a clinic's rules and questionnaire, recording answers,
screening appointments against the rules, and the medical director's decisions.

Order inside each write (STYLE.md): lock, check, validate, save, audit, side effects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Service, ServiceKind, TreatmentArea
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction, Organization
from needlepoint.intake.answers import parse_answers
from needlepoint.intake.models import (
    AnswerChannel,
    Questionnaire,
    QuestionnaireResponse,
    ReviewScope,
    Screening,
    ScreeningRule,
    ScreeningStatus,
)
from needlepoint.intake.rules import (
    Area,
    Outcome,
    evaluate,
    load_default_rules,
)
from needlepoint.intake.rules import (
    Screening as Verdict,
)
from needlepoint.intake.selectors import screening_current, screening_rules, screens_needed
from needlepoint.patients.models import Patient
from needlepoint.patients.services import UNPROVEN_REFUSAL
from needlepoint.resources.models import Device, DeviceKind
from needlepoint.scheduling.availability import DEVICE
from needlepoint.scheduling.models import Appointment, AppointmentStatus

ROW_FIELDS = ("code", "title", "applies", "source_ids")
# Answers the treatment record gives, not the patient (DOMAIN.md §10.7).
CHARTING_ANSWERS = frozenset({"topical_product_not_for_intradermal_use"})
QUESTIONNAIRE_FILE = Path(__file__).parent / "data" / "questionnaire.json"


class ReviewError(Exception):
    """A decision that cannot be taken (not awaiting review, no reason given…)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@cache
def default_questionnaire() -> dict[str, Any]:
    return json.loads(QUESTIONNAIRE_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def intake_seed_rules(*, organization: Organization) -> int:
    """Give an organization its own copy of the shipped screening rules; returns how many
    were added. Rules it has already are left alone: they belong to its medical director."""
    added = 0
    for position, data in enumerate(load_default_rules()):
        _, created = ScreeningRule.objects.get_or_create(
            organization=organization,
            code=data["code"],
            defaults={
                "title": data["title"],
                "applies": data["applies"],
                "source_ids": data["source_ids"],
                "definition": {k: v for k, v in data.items() if k not in ROW_FIELDS},
                "sort_order": position,
            },
        )
        added += created
    return added


@transaction.atomic
def intake_seed_questionnaire(*, organization: Organization) -> Questionnaire:
    """The organization's first questionnaire version, published; an existing one is kept."""
    data = default_questionnaire()
    questionnaire, _ = Questionnaire.objects.get_or_create(
        organization=organization,
        version=1,
        defaults={
            "title": data["title"],
            "questions": {"sections": data["sections"], "clinician": data["clinician"]},
            "published_at": timezone.now(),
        },
    )
    return questionnaire


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
    """Screen answers (DOMAIN.md §12 codes) for `service` on the planned date `on`, with the
    organization's active rules. The treated areas are `area_codes` when given, else the
    service's. `before_charting` leaves out the rules about what the chart decides (the
    product applied, MN27): an intake cannot know it, and the chart checks it when the
    product is recorded. Raises `AnswerError` for an unknown code or an unusable value,
    and `TreatmentArea.DoesNotExist` for an area code the clinic does not have."""
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


def _screening_answers(response: QuestionnaireResponse) -> dict[str, object]:
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


def _earliest_date(verdict: Verdict) -> date | None:
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
    request: HttpRequest | None = None,
) -> Screening:
    """Screen one appointment with one set of answers and keep the verdict (audited). A
    medical director's decision carries over when it covered the same findings from the
    same answers: the same visit moved or answered again, or the series of its service."""
    now = now or timezone.now()
    organization = appointment.organization
    on = appointment.starts_at.astimezone(appointment.location.zone).date()
    verdict = screening_evaluate(
        organization=organization,
        service=appointment.service,
        on=on,
        answers=_screening_answers(response),
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
    blocked_until = _earliest_date(verdict)
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
        request=request,
        organization=organization,
        obj=screening,
        patient=appointment.patient,
        detail={"status": status, "carried": bool(carried)},
    )
    return screening


def upcoming_appointments(patient: Patient, *, now: datetime) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            patient=patient, status=AppointmentStatus.BOOKED, ends_at__gt=now
        )
        .select_related("service", "location", "organization")
        .order_by("starts_at")
    )


def questionnaire_submit(
    *,
    patient: Patient,
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    channel: AnswerChannel | str,
    appointment: Appointment | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> tuple[QuestionnaireResponse, list[Screening]]:
    """Record a patient's answers (validated against the §12 codes; a clinic's own `x_`
    questions are kept as given) and screen every upcoming treatment of theirs."""
    now = now or timezone.now()
    known = {k: v for k, v in answers.items() if not k.startswith("x_")}
    parsed = parse_answers(known)  # raises AnswerError before anything is written
    stored = {
        code: value.isoformat() if isinstance(value, date) else value
        for code, value in parsed.items()
    }
    stored.update({k: v for k, v in answers.items() if k.startswith("x_")})
    with transaction.atomic():
        response = QuestionnaireResponse.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            questionnaire=questionnaire,
            appointment=appointment,
            answers=stored,
            channel=channel,
            submitted_at=now,
        )
        audit_record(
            action=AuditAction.CREATE,
            request=request,
            organization=patient.organization,
            obj=response,
            patient=patient,
            detail={"channel": str(channel), "questionnaire_version": questionnaire.version},
        )
        screenings = [
            appointment_screen(appointment=visit, response=response, now=now)
            for visit in upcoming_appointments(patient, now=now)
            if screens_needed(visit)
        ]
    return response, screenings


def response_add_clinician_answers(
    *,
    response: QuestionnaireResponse,
    answers: Mapping[str, object],
    staff: StaffProfile,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> tuple[QuestionnaireResponse, list[Screening]]:
    """What the clinic knows that the patient could not answer (latest lab values): a new
    response with the patient's answers and these, screening every upcoming treatment
    again. The patient's own response stays as it was."""
    given = {code: value for code, value in answers.items() if value is not None}
    if not given:
        raise ReviewError("Enter at least one value.")
    return questionnaire_submit(
        patient=response.patient,
        questionnaire=response.questionnaire,
        answers={**response.answers, **given},
        channel=AnswerChannel.STAFF,
        appointment=response.appointment,
        request=request,
        now=now,
    )


def screening_decide(
    *,
    screening: Screening,
    staff: StaffProfile,
    approve: bool,
    reason: str,
    scope: ReviewScope | str = ReviewScope.APPOINTMENT,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Screening:
    """The medical director approves or declines a screening that needs review, with a
    reason, for that appointment or for the series (later sessions of the same service
    screened with the same answers)."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ReviewError("Give a reason: it goes into the chart with your decision.")
    if scope not in ReviewScope.values:
        raise ReviewError("Choose whether the decision covers this appointment or the series.")
    with transaction.atomic():
        locked = Screening.objects.select_for_update().get(pk=screening.pk)
        current = screening_current(appointment=locked.appointment)
        if current is None or current.pk != locked.pk:
            raise ReviewError("Newer answers replaced this screening: review the current one.")
        if locked.status != ScreeningStatus.NEEDS_REVIEW:
            raise ReviewError(f"This screening is {locked.get_status_display().lower()} already.")
        locked.status = ScreeningStatus.APPROVED if approve else ScreeningStatus.DECLINED
        locked.decided_by, locked.decided_at = staff, now
        locked.decision_reason, locked.scope = reason, scope
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "decision_reason", "scope"]
        )
        audit_record(
            action=AuditAction.UPDATE,
            request=request,
            organization=locked.organization,
            obj=locked,
            patient=locked.appointment.patient,
            detail={"status": locked.status, "scope": str(scope)},
        )
        if scope == ReviewScope.SERIES:
            # Later visits of the service waiting on the same answers take the decision.
            for visit in Appointment.objects.filter(
                patient=locked.appointment.patient,
                service=locked.appointment.service,
                status=AppointmentStatus.BOOKED,
                starts_at__gt=now,
            ).exclude(pk=locked.appointment_id):
                latest = screening_current(appointment=visit)
                if (
                    latest is not None
                    and latest.status == ScreeningStatus.NEEDS_REVIEW
                    and latest.response_id == locked.response_id
                ):
                    appointment_screen(
                        appointment=visit, response=locked.response, now=now, request=request
                    )
    return locked


ANSWERS_KEPT_DAYS = 90
"""A new booking reuses health answers this recent; older ones are asked again."""


def response_on_file(*, patient: Patient, now: datetime) -> QuestionnaireResponse | None:
    """The patient's latest answers, if recent enough to screen a new booking with."""
    latest = QuestionnaireResponse.objects.filter(patient=patient).order_by("-submitted_at").first()
    if latest is None or latest.submitted_at < now - timedelta(days=ANSWERS_KEPT_DAYS):
        return None
    return latest


def screening_refusal(
    *,
    patient: Patient,
    service: Service,
    on: date,
    now: datetime,
    group: set[int] | None = None,
) -> str | None:
    """Why the answers on file rule out booking `service` on `on`, in words fit for
    anyone who typed the patient's details (no medical detail), or None.

    `group` is every record that counts as the same person (open or merged duplicates):
    the latest answers of any of them count. When those answers are another record's,
    the words say nothing of them, not even a date (SECURITY.md A8)."""
    if service.kind != ServiceKind.TREATMENT:
        return None
    response = _answers_on_file(patient_ids=group or {patient.pk}, now=now)
    if response is None:
        return None
    verdict = screening_evaluate(
        organization=patient.organization,
        service=service,
        on=on,
        answers=_screening_answers(response),
        before_charting=True,
    )
    if verdict.outcome not in (Outcome.BLOCK, Outcome.BLOCK_UNTIL):
        return None
    if response.patient_id != patient.pk:
        return UNPROVEN_REFUSAL
    if verdict.outcome is Outcome.BLOCK:
        return (
            "From the health answers we have on file, we need to talk with you before "
            "booking this treatment. Please call us and we will find what suits you."
        )
    earliest = _earliest_date(verdict)
    if earliest is not None:
        return (
            "From the health answers we have on file, this treatment has to wait a "
            f"little: the earliest date we can offer is {earliest:%B} {earliest.day}, "
            f"{earliest.year}. Please choose a day from then, or call us."
        )
    return (
        "From the health answers we have on file, this treatment has to wait for now. "
        "Please call us and we will find the right time together."
    )


def _answers_on_file(*, patient_ids: set[int], now: datetime) -> QuestionnaireResponse | None:
    latest = (
        QuestionnaireResponse.objects.filter(patient_id__in=patient_ids)
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if latest is None or latest.submitted_at < now - timedelta(days=ANSWERS_KEPT_DAYS):
        return None
    return latest


def appointment_screen_on_file(*, appointment: Appointment, now: datetime) -> None:
    """Screen a new or moved visit with the patient's recent answers, if any, so it needs
    no new questionnaire (check-in still asks whether anything has changed)."""
    if not screens_needed(appointment):
        return
    response = response_on_file(patient=appointment.patient, now=now)
    if response is not None:
        appointment_screen(appointment=appointment, response=response, now=now)


def appointment_screen_again(*, appointment: Appointment, now: datetime) -> None:
    """A moved visit: its waits are measured to the new date, so screen it again with the
    answers its current screening used (or recent ones on file)."""
    if not screens_needed(appointment):
        return
    current = screening_current(appointment=appointment)
    if current is None:
        appointment_screen_on_file(appointment=appointment, now=now)
    else:
        appointment_screen(appointment=appointment, response=current.response, now=now)


def response_confirm(
    *,
    response: QuestionnaireResponse,
    staff: StaffProfile,
    appointment: Appointment,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> None:
    """At check-in the patient says nothing has changed since they answered: the latest
    confirmation is kept on the answers, and each one in the audit log with its visit."""
    now = now or timezone.now()
    QuestionnaireResponse.objects.filter(pk=response.pk).update(
        confirmed_at=now, confirmed_by=staff
    )
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        organization=appointment.organization,
        obj=response,
        patient=appointment.patient,
        detail={"confirmed_unchanged_for": str(appointment.public_id)},
    )


def screening_problem_now(*, appointment: Appointment, now: datetime) -> str | None:
    """Why this visit's screening does not let it go ahead at this moment, in words fit
    for the front desk (no medical detail), or None when it does.

    Re-evaluated now from the patient's current answers (the latest on file, if newer than
    the ones screened) and the clinic's current rules for the visit's date: a rule changed
    since, or new answers, count. A medical director's approval stands only for the same
    review findings from the same answers; a decline always stands."""
    if not screens_needed(appointment):
        return None
    current = screening_current(appointment=appointment)
    if current is None:
        return "The health questionnaire has not been completed for this visit."
    if current.status == ScreeningStatus.DECLINED:
        return "The medical director declined this treatment after review."
    latest = (
        QuestionnaireResponse.objects.filter(patient_id=appointment.patient_id)
        .order_by("-submitted_at", "-pk")
        .first()
    )
    screened = current.response
    newer = latest is not None and (latest.submitted_at, latest.pk) > (
        screened.submitted_at,
        screened.pk,
    )
    response = latest if newer and latest is not None else screened
    verdict = screening_evaluate(
        organization=appointment.organization,
        service=appointment.service,
        on=appointment.starts_at.astimezone(appointment.location.zone).date(),
        answers=_screening_answers(response),
        context=screening_context(appointment),
        before_charting=True,
    )
    if verdict.outcome in (Outcome.BLOCK, Outcome.BLOCK_UNTIL):
        until = _earliest_date(verdict) if verdict.outcome is Outcome.BLOCK_UNTIL else None
        return "The health screening rules this treatment out" + (
            f" until {until:%B} {until.day}, {until.year}." if until else "."
        )
    if verdict.outcome is Outcome.REVIEW:
        reviewed = {f.rule for f in verdict.findings if f.outcome is Outcome.REVIEW}
        covered = {f["rule"] for f in current.findings if f["outcome"] == Outcome.REVIEW}
        approved = (
            current.status == ScreeningStatus.APPROVED
            and response.pk == current.response_id
            and reviewed <= covered
        )
        if not approved:
            return "The health screening is waiting for the medical director's review."
    return None
