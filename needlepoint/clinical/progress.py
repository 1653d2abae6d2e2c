"""Outcome scales (DOMAIN.md §7) and the geometry of a patient's progress charts.

Pure computation: plain outcome points (a date and the scores given on it) in; for each
scale a series per group (one line per indication) and everything a template needs to draw
a small inline SVG line chart: x by date, y by value, axis ticks, session markers, a title
and a description for screen readers. No ORM, no Django, no clock.

**Scales.** GAIS, rated by the clinician and by the patient (1 very much improved … 5 worse,
S5); Goodman & Baron qualitative grade (1 macular … 4 severe, S31); satisfaction on a 0–10
visual analogue scale (anchors are the clinic's wording, DOMAIN.md marks them U). Lower is
better for GAIS and Goodman & Baron, higher for satisfaction.

**Orientation.** Every chart puts *better* at the top, whichever way its numbers run, so a
line going up always means improvement; the axis shows the scale's own numbers, and the
chart says which end is better.

**Dates.** Charts drawn for the same patient share one date axis (`progress_charts`), so
their points line up under each other; sessions are drawn as vertical markers on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from needlepoint.core.dates import add_months, month_start

BETTER, WORSE, SAME = "better", "worse", "same"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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


# --- Input and series ------------------------------------------------------------------


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


# --- Geometry --------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """The SVG's size and the plot area inside it, in user units (the viewBox)."""

    width: int = 480
    height: int = 210
    left: int = 32
    right: int = 10
    top: int = 12
    bottom: int = 34
    inset: int = 10  # keeps points off the axes

    @property
    def plot_left(self) -> int:
        return self.left

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_top(self) -> int:
        return self.top

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def plot_width(self) -> int:
        return self.plot_right - self.plot_left

    @property
    def plot_height(self) -> int:
        return self.plot_bottom - self.plot_top

    @property
    def y_label_x(self) -> int:
        """Where the value labels end, left of the plot."""
        return self.plot_left - 6

    @property
    def x_label_y(self) -> int:
        """The baseline of the date labels, under the plot."""
        return self.plot_bottom + 18


@dataclass(frozen=True)
class Tick:
    at: float  # position along its axis (x for dates, y for values)
    label: str


@dataclass(frozen=True)
class PlotPoint:
    on: date
    value: int
    label: str
    x: float
    y: float
    change: str  # better / worse / same than the line's previous point; "" for its first
    group: str = ""

    @property
    def title(self) -> str:
        return f"{long_date(self.on)}: {self.label}"


@dataclass(frozen=True)
class LineStyle:
    """Lines differ by dash pattern and marker fill as well as colour (WCAG 1.4.1)."""

    color: str
    dash: str
    hollow: bool


LINE_STYLES = (
    LineStyle("#0f6e6e", "", False),
    LineStyle("#8a4a00", "6 4", True),
    LineStyle("#4b3b8f", "2 3", False),
    LineStyle("#1d2a2f", "8 3 2 3", True),
)


@dataclass(frozen=True)
class Line:
    group: str
    points: tuple[PlotPoint, ...]
    path: str  # "M x y L x y …"; "" for a single point
    style: LineStyle
    summary: str


@dataclass(frozen=True)
class SessionMarker:
    on: date
    x: float
    title: str
    mark: str  # a small triangle on the plot's floor


@dataclass(frozen=True)
class Chart:
    scale: Scale
    frame: Frame
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    sessions: tuple[SessionMarker, ...]
    title: str
    desc: str

    @property
    def empty(self) -> bool:
        return not self.lines

    @property
    def rows(self) -> list[PlotPoint]:
        """Every point, by date then line, for the data table under the chart."""
        order = {line.group: n for n, line in enumerate(self.lines)}
        every = [point for line in self.lines for point in line.points]
        return sorted(every, key=lambda point: (point.on, order[point.group]))

    @property
    def orientation(self) -> str:
        best, worst = self.scale.label(self.scale.best), self.scale.label(self.scale.worst)
        return f"Better is up: {best} at the top, {worst} at the bottom."


def date_domain(
    points: Sequence[OutcomePoint],
    *,
    sessions: Sequence[date] = (),
    scales: Sequence[Scale] = SCALES,
    pad_days: int = 14,
) -> tuple[date, date] | None:
    """The dates a set of charts spans: every scored point and every session. A single
    day is padded on both sides so it sits in the middle. None when there is nothing."""
    dates = [
        point.on
        for point in points
        if any(point.scores.get(scale.code) is not None for scale in scales)
    ]
    dates += list(sessions)
    if not dates:
        return None
    start, end = min(dates), max(dates)
    if start == end:
        return start - timedelta(days=pad_days), end + timedelta(days=pad_days)
    return start, end


def progress_chart(
    points: Sequence[OutcomePoint],
    scale: Scale,
    *,
    sessions: Sequence[date] = (),
    domain: tuple[date, date] | None = None,
    frame: Frame | None = None,
    groups: Sequence[str] = (),
) -> Chart:
    """One scale's chart. `domain` defaults to this scale's points and the sessions;
    `groups` fixes which line style each group takes (else: the order they appear in)."""
    frame = frame or Frame()
    series = progress_series(points, scale)
    order = list(groups) + [group for group in series if group not in groups]
    domain = domain or date_domain(points, sessions=sessions, scales=(scale,))
    if domain is None or not series:
        return Chart(scale, frame, (), (), _y_ticks(scale, frame), (), _title(scale), "No scores.")
    start, end = domain
    span = max((end - start).days, 1)
    x_from = frame.plot_left + frame.inset
    x_width = frame.plot_right - frame.inset - x_from

    def x_of(day: date) -> float:
        return _round(x_from + x_width * (day - start).days / span)

    lines = []
    for group, values in series.items():
        plotted = []
        previous: int | None = None
        for on, value in values:
            change = "" if previous is None else scale.compare(previous, value)
            plotted.append(
                PlotPoint(
                    on=on,
                    value=value,
                    label=scale.label(value),
                    x=x_of(on),
                    y=_y_of(scale, frame, value),
                    change=change,
                    group=group,
                )
            )
            previous = value
        path = (
            " ".join(f"{'M' if i == 0 else 'L'}{p.x:g} {p.y:g}" for i, p in enumerate(plotted))
            if len(plotted) > 1
            else ""
        )
        lines.append(
            Line(
                group=group,
                points=tuple(plotted),
                path=path,
                style=LINE_STYLES[order.index(group) % len(LINE_STYLES)],
                summary=progress_summary(scale, values),
            )
        )
    floor = frame.plot_bottom
    markers = tuple(
        SessionMarker(
            on=day,
            x=x_of(day),
            title=f"Session {n}, {long_date(day)}",
            mark=_triangle(x_of(day), floor),
        )
        for n, day in enumerate(sorted(d for d in sessions if start <= d <= end), start=1)
    )
    x_ticks = tuple(Tick(x_of(day), label) for day, label in date_ticks(start, end))
    return Chart(
        scale=scale,
        frame=frame,
        lines=tuple(lines),
        x_ticks=x_ticks,
        y_ticks=_y_ticks(scale, frame),
        sessions=markers,
        title=_title(scale),
        desc=_desc(scale, lines, markers),
    )


def progress_charts(
    points: Sequence[OutcomePoint],
    *,
    sessions: Sequence[date] = (),
    scales: Sequence[Scale] = SCALES,
    frame: Frame | None = None,
) -> list[Chart]:
    """A chart for every scale that has at least one score, on one shared date axis,
    each group drawn in the same style on every chart."""
    domain = date_domain(points, sessions=sessions, scales=scales)
    groups = list(dict.fromkeys(point.group for point in sorted(points, key=lambda p: p.on)))
    charts = [
        progress_chart(points, scale, sessions=sessions, domain=domain, frame=frame, groups=groups)
        for scale in scales
    ]
    return [chart for chart in charts if not chart.empty]


def _triangle(x: float, floor: int) -> str:
    return f"M{_round(x - 5):g} {floor} L{_round(x + 5):g} {floor} L{x:g} {floor - 8} Z"


def _round(value: float) -> float:
    return round(value, 1)


def _y_of(scale: Scale, frame: Frame, value: int) -> float:
    top = frame.plot_top + frame.inset
    height = frame.plot_bottom - frame.inset - top
    from_best = abs(value - scale.best) / (scale.high - scale.low)
    return _round(top + height * from_best)


def _y_ticks(scale: Scale, frame: Frame) -> tuple[Tick, ...]:
    step = 1 if scale.high - scale.low <= 5 else 2
    return tuple(
        Tick(_y_of(scale, frame, value), str(value))
        for value in range(scale.low, scale.high + 1, step)
    )


def _title(scale: Scale) -> str:
    return f"{scale.name} over time"


def _desc(scale: Scale, lines: Sequence[Line], markers: Sequence[SessionMarker]) -> str:
    count = sum(len(line.points) for line in lines)
    parts = [f"{count} score{'s' if count != 1 else ''}. {scale.direction}"]
    for line in lines:
        parts.append(f"{line.group}: {line.summary}" if line.group else line.summary)
    if markers:
        parts.append("Sessions: " + ", ".join(long_date(m.on) for m in markers) + ".")
    return " ".join(parts)


def long_date(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


# --- Follow-ups ------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    label: str
    when: str
    start: date
    end: date
    done: bool


def follow_up_windows(last_session: date, *, assessed: Sequence[date] = ()) -> list[FollowUp]:
    """DOMAIN.md §2: assess 1 month and 3–6 months after the last session (S7 used 1 and
    6 months). The first counts as done with an assessment within two weeks either side of
    its date, the second with one from 3 to 6 months after the session."""
    one, three, six = (add_months(last_session, n) for n in (1, 3, 6))
    windows = [
        ("1 month", f"around {long_date(one)}", one - timedelta(days=14), one + timedelta(days=14)),
        ("3–6 months", f"{long_date(three)} to {long_date(six)}", three, six),
    ]
    return [
        FollowUp(label, when, start, end, any(start <= day <= end for day in assessed))
        for label, when, start, end in windows
    ]


def date_ticks(start: date, end: date, *, most: int = 6) -> list[tuple[date, str]]:
    """Dates to label along [start, end], at most `most` of them: weekly or fortnightly
    from `start` for short spans, else the first of every 1, 2, 3, 6 or 12 months (months
    whose number is a multiple of the step, so quarters fall on Jan/Apr/Jul/Oct)."""
    span = (end - start).days
    for days in (7, 14):
        if span // days + 1 <= most:
            count = span // days + 1
            return [
                (start + timedelta(days=days * k), _day_label(start + timedelta(days=days * k)))
                for k in range(count)
            ]
    for months in (1, 2, 3, 6, 12):
        ticks = []
        day = month_start(start, 0 if start.day == 1 else 1)
        while day <= end:
            if (day.month - 1) % months == 0:
                ticks.append(day)
            day = month_start(day, 1)
        if 0 < len(ticks) <= most:
            return [(tick, _month_label(tick, first=n == 0)) for n, tick in enumerate(ticks)]
    return [(start, long_date(start)), (end, long_date(end))]


def _day_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}"


def _month_label(day: date, *, first: bool) -> str:
    name = MONTHS[day.month - 1]
    return f"{name} {day.year}" if first or day.month == 1 else name
