"""Needlepoint's URLs plus the two HTTP-ceiling views (bench/views.py)."""

from django.urls import path

from bench import views
from needlepoint.urls import urlpatterns as needlepoint_urlpatterns

urlpatterns = [
    path("bench/constant", views.constant),
    path("bench/one-query", views.one_query),
    *needlepoint_urlpatterns,
]
