"""The geometry of a progress chart: a small inline SVG line chart per scale, x by date,
y by value, axis ticks, session markers, a title and a description for screen readers.

**Orientation.** Every chart puts *better* at the top, whichever way its numbers run, so a
line going up always means improvement; the axis shows the scale's own numbers, and the
chart says which end is better.

**Dates.** Charts drawn for the same patient share one date axis (`progress_charts`), so
their points line up under each other; sessions are drawn as vertical markers on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from needlepoint.clinical.progress.dates import date_ticks, long_date
from needlepoint.clinical.progress.scales import SCALES, Scale
from needlepoint.clinical.progress.series import OutcomePoint, progress_series, progress_summary


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
