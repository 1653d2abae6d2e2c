from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "needlepoint.demo"
    label = "demo"
    verbose_name = "Demo clinic"
