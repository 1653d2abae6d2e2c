"""Webhooks from outside services, mounted at the site root: their paths are configured at
the provider and must not move."""

from django.urls import path

from needlepoint.api import webhooks

app_name = "webhooks"
urlpatterns = [
    path("messaging/sms/inbound", webhooks.sms_inbound, name="sms-inbound"),
]
