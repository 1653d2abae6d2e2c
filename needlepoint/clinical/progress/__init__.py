"""Outcome scales (docs/clinical-rules.md §7) and the geometry of a patient's progress charts.

Pure computation: plain outcome points (a date and the scores given on it) in; for each
scale a series per group (one line per indication) and everything a template needs to draw
a small inline SVG line chart: x by date, y by value, axis ticks, session markers, a title
and a description for screen readers. No ORM, no Django, no clock.

- `scales`: the four scales, their words, and which way is better
- `series`: the input points and a series per group
- `charts`: the SVG geometry, on one date axis per patient
- `dates`: how dates are written, and the axis's date ticks
- `follow_ups`: the assessments due after the last session
"""

from needlepoint.clinical.progress.charts import (
    LINE_STYLES,
    Chart,
    Frame,
    Line,
    LineStyle,
    PlotPoint,
    SessionMarker,
    Tick,
    date_domain,
    progress_chart,
    progress_charts,
)
from needlepoint.clinical.progress.dates import MONTHS, date_ticks, long_date
from needlepoint.clinical.progress.follow_ups import FollowUp, follow_up_windows
from needlepoint.clinical.progress.scales import (
    BETTER,
    GAIS_CLINICIAN,
    GAIS_SUBJECT,
    GOODMAN_BARON,
    SAME,
    SATISFACTION,
    SCALES,
    SCALES_BY_CODE,
    WORSE,
    Scale,
    score_cells,
)
from needlepoint.clinical.progress.series import OutcomePoint, progress_series, progress_summary

__all__ = [
    "BETTER",
    "GAIS_CLINICIAN",
    "GAIS_SUBJECT",
    "GOODMAN_BARON",
    "LINE_STYLES",
    "MONTHS",
    "SAME",
    "SATISFACTION",
    "SCALES",
    "SCALES_BY_CODE",
    "WORSE",
    "Chart",
    "FollowUp",
    "Frame",
    "Line",
    "LineStyle",
    "OutcomePoint",
    "PlotPoint",
    "Scale",
    "SessionMarker",
    "Tick",
    "date_domain",
    "date_ticks",
    "follow_up_windows",
    "long_date",
    "progress_chart",
    "progress_charts",
    "progress_series",
    "progress_summary",
    "score_cells",
]
