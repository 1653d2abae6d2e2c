"""Background jobs for intake: a copy of each signed consent for the patient.

The task lives next to the signing that enqueues it (`intake.consents.signing`), so the
consents need not import this module back. It stays importable here: jobs queued under
`needlepoint.intake.tasks.consent_copy_send` still find it.
"""

from needlepoint.intake.consents.signing import consent_copy_send

__all__ = ["consent_copy_send"]
