from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "needlepoint.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from needlepoint.scheduling import checks, signals  # noqa: F401

        signals.connect()
