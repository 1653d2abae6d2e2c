"""The configuration site (Django's admin, behind MFA and the role table), one module per
domain app. Django's autodiscovery imports this package; importing the modules registers
their model admins on `admin_site.NeedlepointAdminSite`."""

from needlepoint.staff.admin import (  # noqa: F401
    accounts,
    billing,
    catalog,
    clinical,
    core,
    intake,
    messaging,
    patients,
    resources,
    scheduling,
)
