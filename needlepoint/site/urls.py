from django.urls import path

from needlepoint.site import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("book/", views.booking_services, name="booking-services"),
    path("book/manage/<str:token>/", views.booking_manage, name="booking-manage"),
    path("book/manage/<str:token>/move/", views.booking_reschedule, name="booking-reschedule"),
    path("book/this-was-me/<str:token>/", views.booking_claim, name="booking-claim"),
    path("book/confirmed/<str:token>/", views.booking_confirmed, name="booking-confirmed"),
    path("book/<slug:service_slug>/", views.booking_locations, name="booking-locations"),
    path(
        "book/<slug:service_slug>/<slug:location_slug>/", views.booking_slots, name="booking-slots"
    ),
    path(
        "book/<slug:service_slug>/<slug:location_slug>/details/",
        views.booking_details,
        name="booking-details",
    ),
    path(
        "book/<slug:service_slug>/<slug:location_slug>/waitlist/",
        views.booking_waitlist,
        name="booking-waitlist",
    ),
]
