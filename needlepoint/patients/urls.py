from django.urls import path

from needlepoint.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list_view, name="patient-list"),
    path("<uuid:public_id>/", views.patient_detail, name="patient-detail"),
    path("duplicates/", views.duplicate_list_view, name="duplicate-list"),
    path("duplicates/<uuid:public_id>/merge/", views.duplicate_merge, name="duplicate-merge"),
    path(
        "duplicates/<uuid:public_id>/dismiss/",
        views.duplicate_dismiss_view,
        name="duplicate-dismiss",
    ),
]
