from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    name = "needlepoint.clinical"
    label = "clinical"
    verbose_name = "Clinical records"
