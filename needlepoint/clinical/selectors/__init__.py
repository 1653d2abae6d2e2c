"""Reads for the chart, one module per concern:

- `records`: treatment records and PRP samples, the previous session, the co-sign queue
- `signing`: the pre-care state outside the chart, and the facts signing checks
- `chart_photos`: photos, the chart's photo panel, progress pairs, marketing
- `outcomes`: outcome scores and the progress page
- `recall`: who received a recalled lot
- `incidents`: the clinic's safety events
"""

from needlepoint.clinical.selectors.chart_photos import (
    AFTER_STAGES,
    PhotoPair,
    PhotoPanel,
    PhotoSlot,
    patient_photo_pairs,
    photo_baseline,
    photo_facts,
    photo_get,
    photo_marketing_list,
    record_photo_list,
    record_photo_panel,
    record_photos_context,
)
from needlepoint.clinical.selectors.incidents import (
    IncidentListKind,
    IncidentRow,
    incident_count,
    incident_list,
    incident_rows_merge,
)
from needlepoint.clinical.selectors.outcomes import (
    outcome_indications,
    outcome_list,
    outcome_rows,
    patient_session_dates,
    patient_zone,
)
from needlepoint.clinical.selectors.recall import (
    RecallHit,
    cartridge_recall_list,
    product_recall_list,
    recall_hits,
)
from needlepoint.clinical.selectors.records import (
    cosign_queue,
    depth_orders_active,
    line_values,
    patient_records,
    prp_sample_get,
    record_chart_get,
    record_lines,
    record_previous,
    record_samples,
    treatment_record_get,
)
from needlepoint.clinical.selectors.signing import Readiness, record_readiness, record_sign_facts

__all__ = [
    "AFTER_STAGES",
    "IncidentListKind",
    "IncidentRow",
    "PhotoPair",
    "PhotoPanel",
    "PhotoSlot",
    "Readiness",
    "RecallHit",
    "cartridge_recall_list",
    "cosign_queue",
    "depth_orders_active",
    "incident_count",
    "incident_list",
    "incident_rows_merge",
    "line_values",
    "outcome_indications",
    "outcome_list",
    "outcome_rows",
    "patient_photo_pairs",
    "patient_records",
    "patient_session_dates",
    "patient_zone",
    "photo_baseline",
    "photo_facts",
    "photo_get",
    "photo_marketing_list",
    "product_recall_list",
    "prp_sample_get",
    "recall_hits",
    "record_chart_get",
    "record_lines",
    "record_photo_list",
    "record_photo_panel",
    "record_photos_context",
    "record_previous",
    "record_readiness",
    "record_samples",
    "record_sign_facts",
    "treatment_record_get",
]
