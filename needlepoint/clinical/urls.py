from django.urls import path

from needlepoint.clinical.views import chart, incidents, labels, outcomes, photos, recall

app_name = "clinical"

urlpatterns = [
    path("prp-samples/<uuid:public_id>/label/", labels.prp_label, name="prp-label"),
    path("recall/", recall.cartridge_recall, name="recall"),
    path("appointments/<uuid:public_id>/chart/", chart.record_open, name="record-open"),
    path("records/<uuid:public_id>/", chart.record_detail, name="record-detail"),
    path("cosign/", chart.cosign_list, name="cosign-list"),
    path("incidents/", incidents.incident_list_view, name="incident-list"),
    # Photos (DOMAIN.md §7): served only through the permission-checked view (D5).
    path("photos/<uuid:public_id>/", photos.photo_image, name="photo-image"),
    path("photos/<uuid:public_id>/retire/", photos.photo_retire_view, name="photo-retire"),
    path(
        "photos/<uuid:public_id>/marketing/",
        photos.photo_marketing_approve_view,
        name="photo-marketing-approve",
    ),
    path("records/<uuid:public_id>/photos/capture/", photos.photo_capture, name="photo-capture"),
    path("patients/<uuid:public_id>/photos/", photos.patient_photos, name="patient-photos"),
    path(
        "records/<uuid:public_id>/outcomes/",
        outcomes.record_outcome_add,
        name="record-outcome-add",
    ),
    path("patients/<uuid:public_id>/progress/", outcomes.patient_progress, name="patient-progress"),
    path(
        "patients/<uuid:public_id>/outcomes/",
        outcomes.patient_outcome_add,
        name="patient-outcome-add",
    ),
]
