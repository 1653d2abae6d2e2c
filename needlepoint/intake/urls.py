from django.urls import include, path

from needlepoint.intake import kiosk, views

app_name = "intake"

urlpatterns = [
    path("health/<str:token>/", views.questionnaire, name="questionnaire"),
    path("health/<str:token>/done/", views.questionnaire_done, name="questionnaire-done"),
    path("staff/screening/", views.review_list, name="review-list"),
    path("staff/screening/<uuid:public_id>/", views.review_detail, name="review-detail"),
    path("kiosk/unlock/", kiosk.kiosk_unlock, name="kiosk-unlock"),
    path("", include("needlepoint.intake.consent_urls")),
]
