from django.urls import path

from needlepoint.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list_view, name="patient-list"),
    path("<uuid:public_id>/", views.patient_detail, name="patient-detail"),
]
