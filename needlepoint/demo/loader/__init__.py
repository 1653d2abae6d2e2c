"""The demo clinic: Sandia Skin Studio, two Albuquerque locations, staff, catalogue and
about fifty made-up patients.

`demo_load()` is idempotent: every row is found by its natural key before it is created,
children (opening hours, phases, maintenance records, many-to-many links) are added only
when their parent is new, and the whole load runs in one transaction. Dates that must look
"current" (maintenance due, lot expiry, licence expiry, patients' ages and sign-up dates)
are computed from today's date in America/Denver when the row is first created.

Everything here is fictional: phone numbers use the reserved 555-01xx range and e-mail
addresses the reserved example domains. Demo credentials (`DEMO_PASSWORD`,
`DEMO_TOTP_SECRETS`) are public; `manage.py load_demo` refuses to run outside DEBUG.

One module per concern, in the order `demo_load` (in `load`) runs them:

- `clinic`: the clinic's name, slug, time zone and random seed; reference-row lookup
- `credentials`: the demo logins' password and TOTP secrets, and their codes
- `locations`: locations, opening hours, closures and rooms
- `devices`: pens and centrifuges, with their maintenance
- `staff`: staff logins, profiles and licences, and clinical staff's working hours
- `services`: the service menu and its phases
- `products`: products and their lots
- `patients`: the patients, the portal login, and a possible duplicate
- `appointments`: months of visits behind today and a fortnight ahead
- `intake`: the screening-rule choice, and answers and consents for visits ahead

The charts (signed sessions, today's visits) are `needlepoint.demo.charts`.
"""

from needlepoint.demo.loader.clinic import (
    DEMO_ORGANIZATION_NAME,
    DEMO_ORGANIZATION_SLUG,
    DEMO_TIMEZONE,
)
from needlepoint.demo.loader.credentials import (
    DEMO_PASSWORD,
    DEMO_PATIENT_USERNAME,
    DEMO_TOTP_SECRETS,
    MAIN_DEMO_USERNAMES,
    demo_totp_code,
    demo_totp_seconds_left,
)
from needlepoint.demo.loader.load import DemoSummary, demo_load
from needlepoint.demo.loader.patients import demo_patient_specs

__all__ = [
    "DEMO_ORGANIZATION_NAME",
    "DEMO_ORGANIZATION_SLUG",
    "DEMO_PASSWORD",
    "DEMO_PATIENT_USERNAME",
    "DEMO_TIMEZONE",
    "DEMO_TOTP_SECRETS",
    "MAIN_DEMO_USERNAMES",
    "DemoSummary",
    "demo_load",
    "demo_patient_specs",
    "demo_totp_code",
    "demo_totp_seconds_left",
]
