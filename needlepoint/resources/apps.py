from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "needlepoint.resources"
    label = "resources"
    verbose_name = "Locations, rooms and devices"
