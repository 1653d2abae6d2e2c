"""Outcome scales and the progress chart's geometry (docs/clinical-rules.md §7): pure, no
database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.clinical.progress import (
    GAIS_CLINICIAN,
    GAIS_SUBJECT,
    GOODMAN_BARON,
    SATISFACTION,
    SCALES,
    Frame,
    OutcomePoint,
    date_ticks,
    follow_up_windows,
    progress_chart,
    progress_charts,
    progress_series,
    progress_summary,
    score_cells,
)
from needlepoint.core.dates import add_months

JAN_4 = date(2027, 1, 4)


def point(on: date, group: str = "", **scores: int | None) -> OutcomePoint:
    return OutcomePoint(on=on, scores=scores, group=group)


# --- Scales -----------------------------------------------------------------------------


def test_each_scale_has_the_domain_values_and_words():
    assert [v for v, _ in GAIS_CLINICIAN.choices()] == [1, 2, 3, 4, 5]
    assert GAIS_CLINICIAN.label(2) == "2 — much improved"
    assert GAIS_SUBJECT.label(5) == "5 — worse"
    assert [GOODMAN_BARON.label(v) for v in GOODMAN_BARON.values] == [
        "1 — macular",
        "2 — mild",
        "3 — moderate",
        "4 — severe",
    ]
    assert list(SATISFACTION.values) == list(range(11))
    assert SATISFACTION.label(7) == "7"  # only the ends have words
    assert SATISFACTION.label(10) == "10 — completely satisfied"


@pytest.mark.parametrize(
    ("scale", "before", "after", "change"),
    [
        (GAIS_CLINICIAN, 3, 1, "better"),
        (GAIS_CLINICIAN, 2, 4, "worse"),
        (GOODMAN_BARON, 4, 3, "better"),
        (SATISFACTION, 4, 8, "better"),
        (SATISFACTION, 8, 4, "worse"),
        (SATISFACTION, 6, 6, "same"),
    ],
)
def test_lower_is_better_except_for_satisfaction(scale, before, after, change):
    assert scale.compare(before, after) == change


@pytest.mark.parametrize("value", [0, 6, -1, True, 2.0, "2", None])
def test_a_gais_value_outside_one_to_five_is_not_on_the_scale(value):
    assert not GAIS_CLINICIAN.contains(value)


def test_score_cells_label_each_scale_or_show_a_dash():
    cells = score_cells({"gais_clinician": 1, "satisfaction": 9})
    assert cells == ["1 — very much improved", "—", "—", "9"]


# --- Series -----------------------------------------------------------------------------


def test_a_series_is_per_group_and_oldest_first():
    points = [
        point(date(2027, 3, 1), "Acne scars", gais_clinician=2),
        point(date(2027, 2, 1), "Acne scars", gais_clinician=3),
        point(date(2027, 2, 15), "Fine lines", gais_clinician=4, satisfaction=6),
        point(date(2027, 4, 1), "Acne scars", satisfaction=8),  # no GAIS: not in its series
    ]
    series = progress_series(points, GAIS_CLINICIAN)
    assert list(series) == ["Acne scars", "Fine lines"]
    assert series["Acne scars"] == [(date(2027, 2, 1), 3), (date(2027, 3, 1), 2)]
    assert progress_series(points, SATISFACTION) == {
        "Fine lines": [(date(2027, 2, 15), 6)],
        "Acne scars": [(date(2027, 4, 1), 8)],
    }


def test_a_value_outside_its_scale_is_a_bug_to_hear_about():
    with pytest.raises(ValueError, match="goodman_baron"):
        progress_series([point(JAN_4, goodman_baron=5)], GOODMAN_BARON)


def test_the_summary_says_from_where_to_where_and_which_way():
    values = [(date(2027, 1, 4), 3), (date(2027, 6, 1), 1)]
    assert progress_summary(GAIS_CLINICIAN, values) == (
        "From 3 — improved on Jan 4, 2027 to 1 — very much improved on Jun 1, 2027: better."
    )
    assert progress_summary(GAIS_CLINICIAN, values[:1]) == "3 — improved on Jan 4, 2027."
    assert progress_summary(GAIS_CLINICIAN, []) == "No scores."


# --- Geometry ---------------------------------------------------------------------------


def test_better_is_up_whichever_way_the_numbers_run():
    frame = Frame()
    gais = progress_chart(
        [point(JAN_4, gais_clinician=5), point(JAN_4 + timedelta(30), gais_clinician=1)],
        GAIS_CLINICIAN,
    )
    worst, best = gais.lines[0].points
    assert best.y < worst.y  # SVG y grows downwards
    assert best.y == frame.plot_top + frame.inset
    assert worst.y == frame.plot_bottom - frame.inset
    happy = progress_chart(
        [point(JAN_4, satisfaction=0), point(JAN_4 + timedelta(30), satisfaction=10)],
        SATISFACTION,
    )
    low, high = happy.lines[0].points
    assert high.y < low.y
    assert happy.orientation.startswith("Better is up: 10 — completely satisfied at the top")


def test_x_follows_the_dates_and_the_line_joins_the_points():
    frame = Frame()
    chart = progress_chart(
        [
            point(date(2027, 1, 1), gais_clinician=4),
            point(date(2027, 1, 11), gais_clinician=3),
            point(date(2027, 1, 31), gais_clinician=2),
        ],
        GAIS_CLINICIAN,
    )
    first, middle, last = chart.lines[0].points
    assert first.x == frame.plot_left + frame.inset
    assert last.x == frame.plot_right - frame.inset
    assert first.x < middle.x < last.x
    # a third of the way in time is a third of the way across
    assert middle.x == pytest.approx(first.x + (last.x - first.x) / 3, abs=0.1)
    assert chart.lines[0].path == (
        f"M{first.x:g} {first.y:g} L{middle.x:g} {middle.y:g} L{last.x:g} {last.y:g}"
    )
    assert [p.change for p in chart.lines[0].points] == ["", "better", "better"]


def test_a_single_score_sits_in_the_middle_without_a_line():
    frame = Frame()
    chart = progress_chart([point(JAN_4, goodman_baron=3)], GOODMAN_BARON)
    (only,) = chart.lines[0].points
    assert only.x == pytest.approx((frame.plot_left + frame.plot_right) / 2, abs=0.1)
    assert chart.lines[0].path == ""
    assert only.title == "Jan 4, 2027: 3 — moderate"


def test_the_value_ticks_cover_the_scale():
    assert [t.label for t in progress_chart([], GAIS_CLINICIAN).y_ticks] == list("12345")
    labels = [t.label for t in progress_chart([], SATISFACTION).y_ticks]
    assert labels == ["0", "2", "4", "6", "8", "10"]


def test_sessions_are_marked_and_widen_the_dates():
    sessions = [date(2026, 11, 2), date(2026, 11, 30), date(2026, 12, 28)]
    chart = progress_chart(
        [point(date(2027, 1, 25), gais_clinician=2), point(date(2027, 5, 28), gais_clinician=1)],
        GAIS_CLINICIAN,
        sessions=sessions,
    )
    assert [m.on for m in chart.sessions] == sessions
    assert chart.sessions[0].x == Frame().plot_left + Frame().inset
    assert chart.sessions[0].title == "Session 1, Nov 2, 2026"
    assert chart.sessions[0].mark.startswith("M") and chart.sessions[0].mark.endswith("Z")
    assert chart.sessions[-1].x < chart.lines[0].points[0].x
    assert "Sessions: Nov 2, 2026, Nov 30, 2026, Dec 28, 2026." in chart.desc


def test_charts_share_one_date_axis_and_skip_scales_without_scores():
    points = [
        point(date(2027, 1, 4), gais_clinician=3),
        point(date(2027, 3, 1), gais_clinician=2, satisfaction=7),
    ]
    charts = progress_charts(points)
    assert [c.scale for c in charts] == [GAIS_CLINICIAN, SATISFACTION]
    gais, satisfaction = charts
    # the satisfaction score of March 1 sits under GAIS's March 1, not in the middle
    assert satisfaction.lines[0].points[0].x == gais.lines[0].points[1].x
    assert gais.x_ticks == satisfaction.x_ticks


def test_one_line_per_group_each_drawn_differently():
    points = [
        point(date(2027, 1, 4), "Acne scars", gais_clinician=3),
        point(date(2027, 2, 1), "Acne scars", gais_clinician=2),
        point(date(2027, 1, 18), "Fine lines", gais_clinician=4),
        point(date(2027, 2, 15), "Fine lines", gais_clinician=4),
    ]
    chart = progress_chart(points, GAIS_CLINICIAN)
    acne, lines = chart.lines
    assert (acne.group, lines.group) == ("Acne scars", "Fine lines")
    assert acne.style.dash != lines.style.dash and acne.style.hollow != lines.style.hollow
    assert [(p.on, p.group) for p in chart.rows] == [
        (date(2027, 1, 4), "Acne scars"),
        (date(2027, 1, 18), "Fine lines"),
        (date(2027, 2, 1), "Acne scars"),
        (date(2027, 2, 15), "Fine lines"),
    ]
    assert "Acne scars: From 3 — improved" in chart.desc
    assert "Fine lines: From 4 — no change on Jan 18, 2027 to 4 — no change" in chart.desc
    assert chart.desc.startswith("4 scores. Lower is better.")


def test_a_group_keeps_its_line_style_on_every_chart():
    points = [
        point(date(2027, 1, 4), "Acne scars", gais_clinician=3),
        point(date(2027, 2, 1), "Fine lines", gais_clinician=4, satisfaction=6),
        point(date(2027, 3, 1), "Acne scars", satisfaction=8),
    ]
    gais, satisfaction = progress_charts(points)
    assert [line.group for line in satisfaction.lines] == ["Fine lines", "Acne scars"]
    styles = {line.group: line.style for line in gais.lines}
    assert all(line.style == styles[line.group] for line in satisfaction.lines)


def test_a_scale_without_scores_is_an_empty_chart():
    chart = progress_chart([point(JAN_4, gais_clinician=2)], SATISFACTION)
    assert chart.empty and chart.rows == [] and chart.desc == "No scores."


scores = st.fixed_dictionaries(
    {
        "gais_clinician": st.none() | st.integers(1, 5),
        "goodman_baron": st.none() | st.integers(1, 4),
        "satisfaction": st.none() | st.integers(0, 10),
    }
)
days = st.dates(date(2020, 1, 1), date(2035, 12, 31))


@given(
    st.lists(st.builds(OutcomePoint, on=days, scores=scores, group=st.sampled_from("ab"))),
    st.lists(days, max_size=8),
)
def test_every_point_mark_and_tick_lands_inside_the_plot(points, sessions):
    frame = Frame()
    for chart in progress_charts(points, sessions=sessions):
        for line in chart.lines:
            for p in line.points:
                assert frame.plot_left <= p.x <= frame.plot_right
                assert frame.plot_top <= p.y <= frame.plot_bottom
        for marker in chart.sessions:
            assert frame.plot_left <= marker.x <= frame.plot_right
        assert 1 <= len(chart.x_ticks) <= 6
        for tick in chart.x_ticks:
            assert frame.plot_left <= tick.at <= frame.plot_right
        assert len(chart.rows) == sum(
            1 for p in points if p.scores.get(chart.scale.code) is not None
        )


# --- Date ticks and follow-ups ----------------------------------------------------------


def test_short_spans_are_labelled_by_week():
    ticks = date_ticks(date(2026, 12, 21), date(2027, 1, 18))
    assert [label for _, label in ticks] == ["Dec 21", "Dec 28", "Jan 4", "Jan 11", "Jan 18"]


def test_months_then_quarters_with_the_year_where_it_changes():
    ticks = date_ticks(date(2026, 11, 15), date(2027, 3, 20))
    assert [label for _, label in ticks] == ["Dec 2026", "Jan 2027", "Feb", "Mar"]
    quarters = date_ticks(date(2026, 2, 10), date(2027, 6, 1))
    assert [label for _, label in quarters] == ["Apr 2026", "Jul", "Oct", "Jan 2027", "Apr"]


def test_a_very_long_span_falls_back_to_its_ends():
    ticks = date_ticks(date(2010, 1, 1), date(2030, 1, 1))
    assert [label for _, label in ticks] == ["Jan 1, 2010", "Jan 1, 2030"]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 11, 15), 3, date(2028, 2, 15)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
    ],
)
def test_calendar_months_keep_the_day_or_take_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_follow_ups_are_due_one_and_three_to_six_months_after_the_last_session():
    last = date(2027, 1, 11)
    one, later = follow_up_windows(last)
    assert (one.label, one.when, one.done) == ("1 month", "around Feb 11, 2027", False)
    assert (later.start, later.end) == (date(2027, 4, 11), date(2027, 7, 11))
    assert later.when == "Apr 11, 2027 to Jul 11, 2027"
    one, later = follow_up_windows(last, assessed=[date(2027, 2, 20), date(2027, 3, 20)])
    assert one.done and not later.done
    assert follow_up_windows(last, assessed=[date(2027, 7, 11)])[1].done


def test_every_scale_is_listed_once():
    assert [s.code for s in SCALES] == [
        "gais_clinician",
        "gais_subject",
        "goodman_baron",
        "satisfaction",
    ]
