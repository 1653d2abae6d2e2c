from django.contrib.admin.apps import AdminConfig


class NeedlepointAdminConfig(AdminConfig):
    """Django's admin, on Needlepoint's MFA- and role-gated admin site."""

    default_site = "needlepoint.staff.admin_site.NeedlepointAdminSite"
