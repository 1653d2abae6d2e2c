from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "needlepoint.catalog"
    label = "catalog"
    verbose_name = "Services and clinical reference data"
