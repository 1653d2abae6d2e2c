from django.apps import AppConfig


class StaffConfig(AppConfig):
    """The staff interface: every back-office page and the configuration site. It calls the
    domain apps' services and selectors and holds no rule of its own."""

    name = "needlepoint.staff"
    label = "staff"
    verbose_name = "Staff pages"
