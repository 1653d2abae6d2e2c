from django.urls import path, re_path

from needlepoint.site import kiosk
from needlepoint.site.views import booking, consents, feeds, questionnaire

app_name = "site"
urlpatterns = [
    path("", booking.home, name="home"),
    path("healthz", booking.health, name="health"),
    path("book/", booking.booking_services, name="booking-services"),
    path("book/manage/<str:token>/", booking.booking_manage, name="booking-manage"),
    path("book/manage/<str:token>/move/", booking.booking_reschedule, name="booking-reschedule"),
    path("book/this-was-me/<str:token>/", booking.booking_claim, name="booking-claim"),
    path("book/confirmed/<str:token>/", booking.booking_confirmed, name="booking-confirmed"),
    path("book/<slug:service_slug>/", booking.booking_locations, name="booking-locations"),
    path(
        "book/<slug:service_slug>/<slug:location_slug>/",
        booking.booking_slots,
        name="booking-slots",
    ),
    path(
        "book/<slug:service_slug>/<slug:location_slug>/details/",
        booking.booking_details,
        name="booking-details",
    ),
    path(
        "book/<slug:service_slug>/<slug:location_slug>/waitlist/",
        booking.booking_waitlist,
        name="booking-waitlist",
    ),
    # The health questionnaire and consent pages, reached by a signed link or at the kiosk.
    path("health/<str:token>/", questionnaire.questionnaire, name="questionnaire"),
    path("health/<str:token>/done/", questionnaire.questionnaire_done, name="questionnaire-done"),
    path("kiosk/unlock/", kiosk.kiosk_unlock, name="kiosk-unlock"),
    # Before the token patterns, which would otherwise read "withdraw" as a token.
    path("consent/withdraw/<str:token>/", consents.marketing_withdraw, name="marketing-withdraw"),
    path("consent/<str:token>/", consents.consent_overview_view, name="consent-overview"),
    path("consent/<str:token>/<slug:kind>/", consents.consent_sign_view, name="consent-sign"),
    path("consent/<str:token>/<slug:kind>/done/", consents.consent_done, name="consent-done"),
    # A practitioner's calendar subscription: the secret token is the credential.
    re_path(
        r"^calendar/(?P<token>[A-Za-z0-9_-]{1,100})\.ics$",
        feeds.calendar_feed,
        name="calendar-feed",
    ),
]
