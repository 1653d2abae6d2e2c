from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "needlepoint.intake"
    label = "intake"
    verbose_name = "Intake and screening"
