from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "needlepoint.core"
    label = "core"
    verbose_name = "Organization and audit"
