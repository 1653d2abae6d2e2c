from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from needlepoint.accounts.views import totp_deactivate_view
from needlepoint.api.api import api

urlpatterns = [
    path("", include("needlepoint.site.urls")),
    path("staff/", include("needlepoint.core.urls")),
    path("staff/patients/", include("needlepoint.patients.urls")),
    path("staff/", include("needlepoint.scheduling.urls")),
    path("", include("needlepoint.intake.urls")),
    path("staff/clinical/", include("needlepoint.clinical.urls")),
    path("staff/", include("needlepoint.accounts.urls")),
    path("api/v1/", api.urls),
    path("", include("needlepoint.messaging.urls")),
    # Before allauth's own: staff may not remove their authenticator (SECURITY.md B6).
    path("accounts/2fa/totp/deactivate/", totp_deactivate_view),
    path("accounts/", include("allauth.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "needlepoint.core.errors.bad_request"
handler403 = "needlepoint.core.errors.permission_denied"
handler404 = "needlepoint.core.errors.not_found"
handler500 = "needlepoint.core.errors.server_error"
