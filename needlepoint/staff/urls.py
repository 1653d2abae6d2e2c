"""Every staff page, mounted at /staff/.

The URL names keep the namespace of the subject they show (`scheduling:appointment-detail`,
`clinical:record-detail`, `intake:review-list`…), so a name says what the page is about; the
views all live here, in the staff interface, and call the domain apps' services and selectors.
"""

from django.urls import include, path

from needlepoint.staff.views import (
    appointments,
    chart,
    chart_writes,
    consents,
    feeds,
    home,
    incidents,
    labels,
    outcomes,
    patients,
    photos,
    recall,
    screening,
    team,
)

home_urls = [
    path("", home.dashboard, name="dashboard"),
    path("audit/", home.audit_log, name="audit-log"),
]

patient_urls = [
    path("", patients.patient_list_view, name="patient-list"),
    path("<uuid:public_id>/", patients.patient_detail, name="patient-detail"),
    path("duplicates/", patients.duplicate_list_view, name="duplicate-list"),
    path("duplicates/<uuid:public_id>/merge/", patients.duplicate_merge, name="duplicate-merge"),
    path(
        "duplicates/<uuid:public_id>/dismiss/",
        patients.duplicate_dismiss_view,
        name="duplicate-dismiss",
    ),
]

scheduling_urls = [
    path("calendar/", appointments.calendar_today, name="calendar-today"),
    path(
        "calendar/<slug:location_slug>/new/", appointments.appointment_new, name="appointment-new"
    ),
    path(
        "calendar/<slug:location_slug>/<str:day>/",
        appointments.calendar_day_view,
        name="calendar-day",
    ),
    path(
        "calendar/<slug:location_slug>/<str:day>/week/",
        appointments.calendar_week_view,
        name="calendar-week",
    ),
    path(
        "appointments/<uuid:public_id>/",
        appointments.appointment_detail,
        name="appointment-detail",
    ),
    path(
        "appointments/<uuid:public_id>/check-in/",
        appointments.appointment_check_in_view,
        name="appointment-check-in",
    ),
    path(
        "appointments/<uuid:public_id>/no-show/",
        appointments.appointment_no_show_view,
        name="appointment-no-show",
    ),
    path(
        "appointments/<uuid:public_id>/cancel/",
        appointments.appointment_cancel_view,
        name="appointment-cancel",
    ),
    path(
        "appointments/<uuid:public_id>/move/",
        appointments.appointment_move,
        name="appointment-move",
    ),
]

CONSENTS = "patients/<uuid:public_id>/consents/"

intake_urls = [
    path("screening/", screening.review_list, name="review-list"),
    path("screening/<uuid:public_id>/", screening.review_detail, name="review-detail"),
    path(
        "screening/<uuid:public_id>/clinician-answers/",
        screening.review_clinician_answers,
        name="review-clinician-answers",
    ),
    path("screening/<uuid:public_id>/decision/", screening.review_decision, name="review-decision"),
    path(CONSENTS, consents.patient_consents, name="patient-consents"),
    path(f"{CONSENTS}<uuid:signature_id>/pdf/", consents.consent_pdf_download, name="consent-pdf"),
    path(
        f"{CONSENTS}<uuid:signature_id>/withdraw/",
        consents.consent_withdraw_by_staff,
        name="consent-withdraw",
    ),
]

clinical_urls = [
    path("prp-samples/<uuid:public_id>/label/", labels.prp_label, name="prp-label"),
    path("recall/", recall.cartridge_recall, name="recall"),
    path("appointments/<uuid:public_id>/chart/", chart.record_open, name="record-open"),
    path("records/<uuid:public_id>/", chart.record_detail, name="record-detail"),
    # One POST URL per chart write: records/<id>/identity/, …/draw/, …/sign/ and so on.
    *[
        path(f"records/<uuid:public_id>/{action}/", view, name=f"record-{action}")
        for action, view in chart_writes.ACTIONS.items()
    ],
    path("cosign/", chart.cosign_list, name="cosign-list"),
    path("incidents/", incidents.incident_list_view, name="incident-list"),
    # Photos are served only through this permission-checked view (docs/security-targets.md D5).
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

account_urls = [
    path("api-tokens/", team.api_token_list_view, name="api-token-list"),
    path(
        "api-tokens/<uuid:public_id>/revoke/",
        team.api_token_revoke_view,
        name="api-token-revoke",
    ),
    path("team/", team.staff_list_view, name="staff-list"),
    path(
        "team/<uuid:public_id>/reset-authenticator/",
        team.staff_authenticator_reset_view,
        name="staff-authenticator-reset",
    ),
]

messaging_urls = [
    path("calendar-feed/", feeds.calendar_feed_manage, name="calendar-feed-manage"),
    path("calendar-feed/new/", feeds.calendar_feed_new, name="calendar-feed-new"),
    path("calendar-feed/off/", feeds.calendar_feed_off, name="calendar-feed-off"),
]

urlpatterns = [
    path("", include((home_urls, "core"))),
    path("patients/", include((patient_urls, "patients"))),
    path("", include((scheduling_urls, "scheduling"))),
    path("", include((intake_urls, "intake"))),
    path("clinical/", include((clinical_urls, "clinical"))),
    path("", include((account_urls, "accounts"))),
    path("", include((messaging_urls, "messaging"))),
]
