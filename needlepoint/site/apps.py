from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "needlepoint.site"
    label = "site"
    verbose_name = "Public site"
