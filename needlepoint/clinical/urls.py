from django.urls import path

from needlepoint.clinical import views

app_name = "clinical"

urlpatterns = [
    path("prp-samples/<uuid:public_id>/label/", views.prp_label, name="prp-label"),
    path("recall/", views.cartridge_recall, name="recall"),
]
