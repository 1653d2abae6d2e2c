"""A patient's scores as input (one `OutcomePoint` per date) and, per scale, one series
of (date, value) pairs per group, with the words that sum a series up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from needlepoint.clinical.progress.dates import long_date
from needlepoint.clinical.progress.scales import Scale


@dataclass(frozen=True)
class OutcomePoint:
    """The scores given on one date, by scale code (None or absent: not assessed). Points
    of the same `group` (an indication's name; "" for none) are joined by one line."""

    on: date
    scores: Mapping[str, int | None]
    group: str = ""


def progress_series(
    points: Sequence[OutcomePoint], scale: Scale
) -> dict[str, list[tuple[date, int]]]:
    """Per group, the (date, value) pairs of one scale, oldest first (ties keep their input
    order). Groups come in the order their first point appears. A value outside the scale
    is a ValueError: the database refuses them, so one here is a bug to hear about."""
    series: dict[str, list[tuple[date, int]]] = {}
    for point in points:
        value = point.scores.get(scale.code)
        if value is None:
            continue
        if not scale.contains(value):
            raise ValueError(f"{scale.code}: {value!r} is outside {scale.low}–{scale.high}.")
        series.setdefault(point.group, []).append((point.on, value))
    for values in series.values():
        values.sort(key=lambda pair: pair[0])  # stable: same-day scores keep their order
    return series


def progress_summary(scale: Scale, values: Sequence[tuple[date, int]]) -> str:
    """ "From 3 — improved on Jan 4, 2027 to 1 — very much improved on Jun 1, 2027: better."""
    if not values:
        return "No scores."
    (first_on, first), (last_on, last) = values[0], values[-1]
    if len(values) == 1:
        return f"{scale.label(first)} on {long_date(first_on)}."
    return (
        f"From {scale.label(first)} on {long_date(first_on)} to {scale.label(last)} on "
        f"{long_date(last_on)}: {scale.compare(first, last)}."
    )
