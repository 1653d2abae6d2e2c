from django.urls import path

from needlepoint.scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("calendar/", views.calendar_today, name="calendar-today"),
    path("calendar/<slug:location_slug>/new/", views.appointment_new, name="appointment-new"),
    path("calendar/<slug:location_slug>/<str:day>/", views.calendar_day_view, name="calendar-day"),
    path(
        "calendar/<slug:location_slug>/<str:day>/week/",
        views.calendar_week_view,
        name="calendar-week",
    ),
    path("appointments/<uuid:public_id>/", views.appointment_detail, name="appointment-detail"),
    path("appointments/<uuid:public_id>/move/", views.appointment_move, name="appointment-move"),
]
