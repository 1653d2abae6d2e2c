from django.urls import path

from needlepoint.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.api_token_list_view, name="api-token-list"),
    path("<uuid:public_id>/revoke/", views.api_token_revoke_view, name="api-token-revoke"),
]
