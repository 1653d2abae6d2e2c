from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "needlepoint.billing"
    label = "billing"
    verbose_name = "Billing"
