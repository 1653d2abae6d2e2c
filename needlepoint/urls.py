from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from needlepoint.api.api import api
from needlepoint.staff.views.team import totp_deactivate_view

urlpatterns = [
    path("", include("needlepoint.site.urls")),
    path("staff/", include("needlepoint.staff.urls")),
    path("api/v1/", api.urls),
    path("", include("needlepoint.api.webhook_urls")),
    # Before allauth's own: staff may not remove their authenticator (docs/security-targets.md B6).
    path("accounts/2fa/totp/deactivate/", totp_deactivate_view),
    path("accounts/", include("allauth.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "needlepoint.core.errors.bad_request"
handler403 = "needlepoint.core.errors.permission_denied"
handler404 = "needlepoint.core.errors.not_found"
handler500 = "needlepoint.core.errors.server_error"
