"""The contraindication and skin-type rule engine (docs/clinical-rules.md §3, §4 and §12).

Pure computation: rules, answers, the planned treatment date and the treated areas in; a
`Screening` out. No ORM, no Django, no clock. The rules themselves are data
(``data/screening_rules.json``, seeded into editable rows by the ORM layer), so a medical
director can change an outcome, a wait or a wording without a code change.

**Rule.** ``code`` (MN01…, PRP01…, FST1…), ``title``, ``applies`` (``"MN"``: every micro-needling
service, including the "MN+PRP" rows of §3; ``"PRP"``: only services that use PRP), ``area_scoped``
(the question is about the treated areas), optional ``areas`` (only for area-scoped rules: selectors
``"face"``, ``"perioral"`` or an area code such as ``"neck"``; the rule applies when a treated area
matches one of them), ``cases``, ``unknown`` (the outcome of an unanswered question, default
``"review"``; never ``"allow"``), ``source_ids`` (docs/clinical-rules.md §0) and an optional
``note`` (the evidence behind the numbers).

**Case.** ``when`` (conditions that must all hold), ``outcome``, ``instruction`` (staff-facing)
and ``patient_message`` (kind and non-revealing). A rule with several cases yields one finding:
its most severe case that holds (the first listed on a tie).

**Conditions** read a patient answer (``"answer": code``) or a fact of the clinic's plan
(``"context": key``):

=================  =====================================================================
``true``           bool answer is true
``false``          bool answer is false
``equals``         choice/phototype answer equals ``value``
``in``             choice/phototype answer is one of ``values``
``below``          number answer is strictly below ``limit``
``within``         date answer is less than ``days`` and/or ``months`` before ``on``;
                   ``"never"`` does not hold
``age_below``      ``date_of_birth`` gives an age under ``years`` on ``on``
``context_true``   ``context[key]`` is true
``context_in``     ``context[key]`` (a string or a list of them) is one of ``values``,
                   case-insensitively
``context_above``  ``context[key]`` is greater than ``context[than]``
=================  =====================================================================

**Unknowns.** An absent or ``None`` answer makes its condition unknown (three-valued AND: a
false condition still makes the case false). When a case that cannot be decided could be more
severe than every case that holds, the rule yields its ``unknown`` outcome (REVIEW by default,
never ALLOW) and names the missing answers. Context is the clinic's plan, not a patient
answer: a missing context key makes its condition *false*, so FST2 (device and indication),
FST3 (planned depth, checked at charting) and FST4 (first full session) are skipped until the
plan is known, instead of turning every intake into REVIEW.

**Dates.** Waits are measured from the answer's date to ``on``, the planned treatment date:
``within`` holds while ``on < date + period`` and the finding's ``until`` is ``date + period``,
the first day it no longer applies (likewise the birthday for ``age_below``), whatever the
finding's outcome; a BLOCK_UNTIL finding also tells the patient that date. A case without a
date condition has ``until`` None ("until resolved"). Months are calendar months; a day the
target month lacks rolls to the 1st of the next month, so a wait is never shortened.

**Areas.** With no areas given (not known yet), area-filtered rules apply: an unknown area
cannot rule out the face. Answers are per screening, not per area, so "BLOCK area" rows block
the screening; staff rebook without the area and screen again.

**Judgement calls** (ambiguous rows of §3–§4): MN05 is REVIEW (lesion area blocked; needle
around it only after LIP review); MN11 is BLOCK for either allergy; MN13 (CAUTION + REVIEW)
emits REVIEW with the prophylaxis instruction; MN14 active is BLOCK_UNTIL quiescent (its
"history only → CAUTION" branch has no §12 answer code); MN16 ongoing is BLOCK, past within
3 months or with an unknown date is REVIEW; MN17 controlled is CAUTION, uncontrolled REVIEW;
MN22 is BLOCK; MN23 is REVIEW under 22 and REVIEW with a guardian-consent note under 18;
PRP12 is BLOCK when false; PRP03/PRP07 (lab values) turn unknown into REVIEW like all others.
FST4 ("optional") ships active; a clinic turns it off by deactivating the rule.

**Modules.** `conditions`: the outcomes, areas, conditions and cases; `parsing`: a rule's
data, checked; `engine`: a rule's finding, the screening, the shipped rule set.
"""

from needlepoint.intake.rules.conditions import Area, Case, Condition, Outcome, RuleError
from needlepoint.intake.rules.engine import (
    DEFAULT_RULES_PATH,
    UNANSWERED_PATIENT_MESSAGE,
    Finding,
    Rule,
    Screening,
    evaluate,
    load_default_rules,
)

__all__ = [
    "DEFAULT_RULES_PATH",
    "UNANSWERED_PATIENT_MESSAGE",
    "Area",
    "Case",
    "Condition",
    "Finding",
    "Outcome",
    "Rule",
    "RuleError",
    "Screening",
    "evaluate",
    "load_default_rules",
]
