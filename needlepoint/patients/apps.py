from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "needlepoint.patients"
    label = "patients"
    verbose_name = "Patients"
