"""Writes for the chart: starting a visit's record, and each step of a PRP sample.

Every write is atomic and audited; a refused step writes nothing but, for a patient
mismatch, the incident that ID8 asks for.

One module per family of writes:

- `records`: starting a record, its own fields, the anaesthetic, adverse events
- `lines`: depth orders, the treated areas, copy-forward
- `supplies`: cartridges and products, by lot
- `prp`: a PRP sample's draw and steps
- `identity`: the identity check at the chair, and the incidents of a mismatch
- `signing`: signature, co-signature, addenda
- `outcomes`: outcome scores
- `chart_photos`: photos on a record
- `guards`: what every chart write checks first, and its audit line
"""

from needlepoint.clinical.services.chart_photos import (
    photo_add,
    photo_marketing_approve,
    photo_retire,
)
from needlepoint.clinical.services.guards import OPEN_VISIT
from needlepoint.clinical.services.identity import record_identity_check
from needlepoint.clinical.services.lines import (
    CopiedForward,
    depth_order_add,
    record_copy_forward,
    treatment_line_add,
    treatment_line_void,
)
from needlepoint.clinical.services.outcomes import OUTCOME_NOTE_MAX, outcome_record
from needlepoint.clinical.services.prp import (
    CODE_ALPHABET,
    Drawn,
    prp_sample_draw,
    prp_sample_step,
    prp_step_by_scan,
)
from needlepoint.clinical.services.records import (
    NEEDLING_DEVICES,
    RECORD_FIELDS,
    adverse_event_add,
    anaesthetic_record,
    record_update,
    treatment_record_start,
)
from needlepoint.clinical.services.signing import addendum_add, record_cosign, record_sign
from needlepoint.clinical.services.supplies import (
    ProductCharted,
    cartridge_use,
    product_use_add,
    product_use_void,
)

__all__ = [
    "CODE_ALPHABET",
    "NEEDLING_DEVICES",
    "OPEN_VISIT",
    "OUTCOME_NOTE_MAX",
    "RECORD_FIELDS",
    "CopiedForward",
    "Drawn",
    "ProductCharted",
    "addendum_add",
    "adverse_event_add",
    "anaesthetic_record",
    "cartridge_use",
    "depth_order_add",
    "outcome_record",
    "photo_add",
    "photo_marketing_approve",
    "photo_retire",
    "product_use_add",
    "product_use_void",
    "prp_sample_draw",
    "prp_sample_step",
    "prp_step_by_scan",
    "record_copy_forward",
    "record_cosign",
    "record_identity_check",
    "record_sign",
    "record_update",
    "treatment_line_add",
    "treatment_line_void",
    "treatment_record_start",
]
