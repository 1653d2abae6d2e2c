"""The demo clinic's charts: today's visits at each open location and months of signed
sessions before them, made by the same services the chair uses. Every visit takes the
honest path through the readiness gate (answers → consents → check-in → chart → identity
→ … → sign), each step at its own moment (`now`), so the rows are what the product makes.

- **Today**, at each location open today: a visit checked in and ready to chart (PRP when
  someone trained for it works there today), one whose screening waits for the medical
  director's review (not checked in), and one charted and signed earlier in the day.
- **History**: a few patients' series, sessions about four weeks apart, with photos,
  outcomes, cartridge and product lots, co-signatures (the latest RN-signed session of each
  series still waits for one), and the incidents a clinic meets: identifiers that did not
  match, a tube of an earlier visit scanned at a chart, adverse events, and the medical
  director's approval of a screening that needed review.

Loaded by `demo.loader`, which gives the clinic, its staff and patients first. One module
per concern:

- `common`: the seed, the demo staff by username, a visit's local start
- `readiness`: health answers, consents, the director's review, check-in
- `photos`: the drawn face photos
- `lots`: cartridge and product lots on the shelf on a given day
- `records`: one session charted at the chair, from identity check to signature
- `booking`: booking a visit the evening before
- `history`: months of signed series
- `today`: today's three visits at each open location
"""

from needlepoint.demo.charts.booking import book
from needlepoint.demo.charts.history import load_history
from needlepoint.demo.charts.photos import face_photo
from needlepoint.demo.charts.readiness import check_in, healthy_answers, screening_ready, scribble
from needlepoint.demo.charts.records import Adverse, Session, chart_session
from needlepoint.demo.charts.today import demo_now, load_today

__all__ = [
    "Adverse",
    "Session",
    "book",
    "chart_session",
    "check_in",
    "demo_now",
    "face_photo",
    "healthy_answers",
    "load_history",
    "load_today",
    "screening_ready",
    "scribble",
]
