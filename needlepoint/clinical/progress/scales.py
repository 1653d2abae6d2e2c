"""The outcome scales (docs/clinical-rules.md §7): GAIS, rated by the clinician and by the patient
(1 very much improved … 5 worse, S5); Goodman & Baron qualitative grade (1 macular … 4 severe, S31);
satisfaction on a 0–10 visual analogue scale (anchors are the clinic's wording,
docs/clinical-rules.md marks them U). Lower is better for GAIS and Goodman & Baron, higher for
satisfaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

BETTER, WORSE, SAME = "better", "worse", "same"


@dataclass(frozen=True)
class Scale:
    """One outcome scale: its range, the words for its values and which way is better."""

    code: str
    name: str
    low: int
    high: int
    lower_is_better: bool
    words: Mapping[int, str]
    hints: Mapping[int, str] = field(default_factory=dict)
    source_ids: str = ""

    @property
    def values(self) -> range:
        return range(self.low, self.high + 1)

    @property
    def best(self) -> int:
        return self.low if self.lower_is_better else self.high

    @property
    def worst(self) -> int:
        return self.high if self.lower_is_better else self.low

    def contains(self, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value in self.values

    def label(self, value: int) -> str:
        """ "2 — much improved"; a bare number where the scale has no words for it."""
        words = self.words.get(value)
        return f"{value} — {words}" if words else str(value)

    def choices(self) -> list[tuple[int, str]]:
        return [(value, self.label(value)) for value in self.values]

    def compare(self, before: int, after: int) -> str:
        """Whether `after` is better, worse or the same as `before` on this scale."""
        if after == before:
            return SAME
        return BETTER if (after < before) == self.lower_is_better else WORSE

    @property
    def direction(self) -> str:
        return "Lower is better." if self.lower_is_better else "Higher is better."


_GAIS_WORDS = {
    1: "very much improved",
    2: "much improved",
    3: "improved",
    4: "no change",
    5: "worse",
}
GAIS_CLINICIAN = Scale(
    code="gais_clinician",
    name="GAIS (clinician)",
    low=1,
    high=5,
    lower_is_better=True,
    words=_GAIS_WORDS,
    source_ids="S5",
)
GAIS_SUBJECT = Scale(
    code="gais_subject",
    name="GAIS (patient)",
    low=1,
    high=5,
    lower_is_better=True,
    words=_GAIS_WORDS,
    source_ids="S5",
)
GOODMAN_BARON = Scale(
    code="goodman_baron",
    name="Goodman & Baron grade",
    low=1,
    high=4,
    lower_is_better=True,
    words={1: "macular", 2: "mild", 3: "moderate", 4: "severe"},
    hints={
        1: "Colour change only.",
        2: "Not obvious at 50 cm or more; covered by make-up or a beard.",
        3: "Obvious at 50 cm or more; not easily covered; flattens on stretching.",
        4: "Obvious at 50 cm or more; does not flatten on stretching.",
    },
    source_ids="S31",
)
SATISFACTION = Scale(
    code="satisfaction",
    name="Satisfaction (0–10)",
    low=0,
    high=10,
    lower_is_better=False,
    words={0: "not at all satisfied", 10: "completely satisfied"},
    source_ids="U",
)
SCALES: tuple[Scale, ...] = (GAIS_CLINICIAN, GAIS_SUBJECT, GOODMAN_BARON, SATISFACTION)
SCALES_BY_CODE: dict[str, Scale] = {scale.code: scale for scale in SCALES}


def score_cells(scores: Mapping[str, int | None], scales: Sequence[Scale] = SCALES) -> list[str]:
    """Each scale's labelled value ("2 — much improved"), or "—" where not assessed."""
    cells = []
    for scale in scales:
        value = scores.get(scale.code)
        cells.append("—" if value is None else scale.label(value))
    return cells
