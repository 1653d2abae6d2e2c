"""Request and response shapes of the JSON API (docs/api-contract.md). Input types validate strictly
— slugs, bounded lengths, no control characters, times with a UTC offset — so that anything a client
sends is refused with a 422 before it reaches a query.

One module per audience or concern; component names in the OpenAPI document are the class names:

- `inputs`: the strict input types, and the days and starts a request may name
- `common`: the error shapes, and a practitioner and a free slot as every audience sees them
- `public`: locations, services, availability, a booking
- `staff`: appointments, cancelling and moving them, patients
- `screening`: the health screening's answers and findings
- `clinical`: PRP samples, readiness, check-in, the identity check, cartridges, photos
"""

from needlepoint.api.schemas.clinical import (
    BlockerOut,
    CartridgeIn,
    CartridgeOut,
    CheckInIn,
    CheckInOut,
    IdentityCheckIn,
    PatientIdentifiers,
    PhotoOut,
    PhotoStageName,
    PhotoViewName,
    PrpEventIn,
    PrpEventOut,
    PrpSampleIn,
    PrpSampleOut,
    ReadinessOut,
    TreatmentRecordOut,
    WitnessCredential,
)
from needlepoint.api.schemas.common import (
    Error,
    FieldError,
    PractitionerOut,
    SlotOut,
    SlotUnavailableError,
    practitioner_out,
    slot_out,
)
from needlepoint.api.schemas.inputs import (
    FIRST_DAY,
    LAST_DAY,
    SLUG_PATTERN,
    START_WINDOW,
    DateOfBirth,
    Email,
    Name,
    Phone,
    Reason,
    Slug,
    out_of_reach,
    plain_text,
)
from needlepoint.api.schemas.public import (
    AvailabilityOut,
    BookingIn,
    BookingOut,
    BookingPatientIn,
    CodeName,
    LocationOut,
    ServiceOut,
    booking_out,
)
from needlepoint.api.schemas.screening import (
    FindingOut,
    ScreeningContext,
    ScreeningIn,
    ScreeningOut,
)
from needlepoint.api.schemas.staff import (
    AppointmentOut,
    CancelIn,
    PatientListItem,
    PatientOut,
    PatientRef,
    RescheduleIn,
    RoomRef,
    ServiceRef,
    appointment_out,
    patient_list_item,
    patient_out,
)

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "SLUG_PATTERN",
    "START_WINDOW",
    "AppointmentOut",
    "AvailabilityOut",
    "BlockerOut",
    "BookingIn",
    "BookingOut",
    "BookingPatientIn",
    "CancelIn",
    "CartridgeIn",
    "CartridgeOut",
    "CheckInIn",
    "CheckInOut",
    "CodeName",
    "DateOfBirth",
    "Email",
    "Error",
    "FieldError",
    "FindingOut",
    "IdentityCheckIn",
    "LocationOut",
    "Name",
    "PatientIdentifiers",
    "PatientListItem",
    "PatientOut",
    "PatientRef",
    "Phone",
    "PhotoOut",
    "PhotoStageName",
    "PhotoViewName",
    "PractitionerOut",
    "PrpEventIn",
    "PrpEventOut",
    "PrpSampleIn",
    "PrpSampleOut",
    "ReadinessOut",
    "Reason",
    "RescheduleIn",
    "RoomRef",
    "ScreeningContext",
    "ScreeningIn",
    "ScreeningOut",
    "ServiceOut",
    "ServiceRef",
    "SlotOut",
    "SlotUnavailableError",
    "Slug",
    "TreatmentRecordOut",
    "WitnessCredential",
    "appointment_out",
    "booking_out",
    "out_of_reach",
    "patient_list_item",
    "patient_out",
    "plain_text",
    "practitioner_out",
    "slot_out",
]
