"""Consent pages: patients' signed links at /consent/…, staff pages under a patient."""

from django.urls import path

from needlepoint.intake import consent_views as views

STAFF = "staff/patients/<uuid:public_id>/consents/"

urlpatterns = [
    # Before the token patterns, which would otherwise read "withdraw" as a token.
    path("consent/withdraw/<str:token>/", views.marketing_withdraw, name="marketing-withdraw"),
    path("consent/<str:token>/", views.consent_overview_view, name="consent-overview"),
    path("consent/<str:token>/<slug:kind>/", views.consent_sign_view, name="consent-sign"),
    path("consent/<str:token>/<slug:kind>/done/", views.consent_done, name="consent-done"),
    path(STAFF, views.patient_consents, name="patient-consents"),
    path(f"{STAFF}<uuid:signature_id>/pdf/", views.consent_pdf_download, name="consent-pdf"),
    path(
        f"{STAFF}<uuid:signature_id>/withdraw/",
        views.consent_withdraw_by_staff,
        name="consent-withdraw",
    ),
]
