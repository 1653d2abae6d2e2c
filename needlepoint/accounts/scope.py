"""Scope of practice (docs/clinical-rules.md §8): which licence may do which procedure. Pure: the
clinic's table and a staff member's licence in, a refusal sentence (or None) out.

The table itself is data (`ScopeRule`, seeded from `data/scope_of_practice.json` with the
New Mexico defaults and their source ids); only the medical director changes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db import models


class LicenceType(models.TextChoices):
    MD = "md", "Physician (MD)"
    DO = "do", "Physician (DO)"
    PA = "pa", "Physician assistant (PA)"
    APRN = "aprn", "Advanced practice nurse (APRN/NP)"
    RN = "rn", "Registered nurse (RN)"
    LPN = "lpn", "Licensed practical nurse (LPN)"
    ESTHETICIAN = "esthetician", "Licensed esthetician"
    MEDICAL_ASSISTANT = "medical_assistant", "Medical assistant"
    NONE = "none", "No clinical licence"


UNLICENSED_FOR_NEEDLING = frozenset(
    {LicenceType.ESTHETICIAN, LicenceType.MEDICAL_ASSISTANT, LicenceType.NONE}
)
"""Licences denied micro-needling by default (S29, S30): the medical director may enable
it only with a documented legal basis."""


class Procedure(StrEnum):
    MICRONEEDLING = "microneedling"
    PRP_PHLEBOTOMY = "prp_phlebotomy"
    ORDER_DEPTH = "order_depth"
    SIGN_ALONE = "sign_alone"


PROCEDURE_WORDS = {
    Procedure.MICRONEEDLING: "perform micro-needling",
    Procedure.PRP_PHLEBOTOMY: "draw blood for PRP",
    Procedure.ORDER_DEPTH: "order depths above an area's default",
    Procedure.SIGN_ALONE: "sign a treatment record without a co-signature",
}

PROCEDURE_COMPETENCY = {
    Procedure.MICRONEEDLING: "micro_needling",
    Procedure.PRP_PHLEBOTOMY: "prp_phlebotomy",
}
"""The recorded competency a procedure also needs (§8: phlebotomy only with a recorded
competency), by competency code."""


@dataclass(frozen=True)
class Licence:
    """What the table needs to know about one staff member."""

    name: str
    licence_type: str
    expires_on: date | None
    competencies: frozenset[str]


def scope_refusal(
    licence: Licence,
    procedures: Iterable[Procedure],
    *,
    permitted: Mapping[str, frozenset[Procedure]],
    on: date,
) -> str | None:
    """Why `licence` may not do `procedures` on `on`, in one sentence, or None.

    `permitted` is the clinic's table: licence type → the procedures it allows. An expired
    licence allows nothing clinical; a licence type missing from the table allows nothing
    (fails closed)."""
    wanted = list(dict.fromkeys(procedures))
    if not wanted:
        return None
    if licence.expires_on is not None and licence.expires_on < on:
        return (
            f"{licence.name}'s licence expired on {licence.expires_on:%B} "
            f"{licence.expires_on.day}, {licence.expires_on.year}: no clinical work until it "
            "is renewed."
        )
    allowed = permitted.get(licence.licence_type, frozenset())
    label = LicenceType(licence.licence_type).label if licence.licence_type else "No licence"
    for procedure in wanted:
        if procedure not in allowed:
            return (
                f"{licence.name} ({label}) may not {PROCEDURE_WORDS[procedure]} under the "
                "clinic's scope-of-practice table."
            )
        needed = PROCEDURE_COMPETENCY.get(procedure)
        if needed and needed not in licence.competencies:
            return f"{licence.name} has no recorded competency to {PROCEDURE_WORDS[procedure]}."
    return None


def licence_types_permitting(
    procedures: Iterable[Procedure], *, permitted: Mapping[str, frozenset[Procedure]]
) -> list[str]:
    """The licence types whose row allows every one of `procedures`."""
    wanted = set(procedures)
    return sorted(kind for kind, allowed in permitted.items() if wanted <= allowed)


def service_procedures(*, kind: str, uses_prp: bool) -> list[Procedure]:
    """What giving a service involves: every treatment and add-on is micro-needling (the
    add-on serum goes on during needling); a PRP service also draws blood. A consultation
    needs no procedure of the table."""
    if kind == "consultation":
        return []
    return [Procedure.MICRONEEDLING, *([Procedure.PRP_PHLEBOTOMY] if uses_prp else [])]
