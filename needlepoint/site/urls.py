from django.urls import path

from needlepoint.site import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
]
