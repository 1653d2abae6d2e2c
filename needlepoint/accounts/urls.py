from django.urls import path

from needlepoint.accounts import views

app_name = "accounts"
urlpatterns = [
    path("api-tokens/", views.api_token_list_view, name="api-token-list"),
    path(
        "api-tokens/<uuid:public_id>/revoke/",
        views.api_token_revoke_view,
        name="api-token-revoke",
    ),
    path("team/", views.staff_list_view, name="staff-list"),
    path(
        "team/<uuid:public_id>/reset-authenticator/",
        views.staff_authenticator_reset_view,
        name="staff-authenticator-reset",
    ),
]
