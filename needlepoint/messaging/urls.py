"""Mounted at the site root: the feed and the webhook need short, fixed paths."""

from django.urls import path, re_path

from needlepoint.messaging import views

app_name = "messaging"
urlpatterns = [
    re_path(
        r"^calendar/(?P<token>[A-Za-z0-9_-]{1,100})\.ics$",
        views.calendar_feed,
        name="calendar-feed",
    ),
    path("staff/calendar-feed/", views.calendar_feed_manage, name="calendar-feed-manage"),
    path("messaging/sms/inbound", views.sms_inbound, name="sms-inbound"),
]
