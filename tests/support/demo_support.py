"""Reading the demo's day: the three visits `demo.charts.load_today` books at a
location, and what each must be."""

from datetime import datetime, time

from needlepoint.accounts.models import StaffProfile
from needlepoint.clinical.gate import visit_readiness
from needlepoint.clinical.models import RecordStatus, TreatmentRecord
from needlepoint.intake.models import ScreeningStatus
from needlepoint.intake.selectors import screening_current
from needlepoint.scheduling.models import Appointment, AppointmentStatus


def visits_on(location, day):
    zone = location.zone
    return Appointment.objects.filter(
        location=location,
        starts_at__gte=datetime.combine(day, time.min, tzinfo=zone),
        starts_at__lte=datetime.combine(day, time.max, tzinfo=zone),
    ).select_related("service", "practitioner__user")


def the_three(location, day):
    """Today's visits at a location by state: signed, ready to chart, waiting for review."""
    visits = list(visits_on(location, day))
    assert len(visits) == 3, visits
    by_status = {visit.status: visit for visit in visits}
    assert set(by_status) == {
        AppointmentStatus.COMPLETED,
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.BOOKED,
    }
    return (
        by_status[AppointmentStatus.COMPLETED],
        by_status[AppointmentStatus.CHECKED_IN],
        by_status[AppointmentStatus.BOOKED],
    )


def assert_today(location, day, *, prp: bool):
    signed, ready, waiting = the_three(location, day)
    # Signed earlier today, the way the chair does it.
    record = TreatmentRecord.objects.get(appointment=signed)
    assert record.status != RecordStatus.OPEN and record.identity_checked_at is not None
    assert record.photos.filter(stage="before").exists() and record.cartridges.exists()
    assert record.signed_by == signed.practitioner
    # Checked in, cleared and consented, its chart not started: the gate lets a clinician
    # (the demo's `practitioner`) chart it at its time.
    assert not TreatmentRecord.objects.filter(appointment=ready).exists()
    assert ready.service.uses_prp is prp
    assert ready.checked_in_at is not None
    elena = StaffProfile.objects.get(user__username="practitioner")
    at = ready.starts_at
    readiness = visit_readiness(appointment=ready, performer=elena, now=at)
    assert readiness.checked_in and [b.code for b in readiness.blockers] == [
        "identity_not_confirmed"
    ]
    # Waiting for the medical director's review, not checked in.
    assert screening_current(appointment=waiting).status == ScreeningStatus.NEEDS_REVIEW
    assert waiting.checked_in_at is None
