from django.urls import path

from needlepoint.clinical.views import labels, recall

app_name = "clinical"

urlpatterns = [
    path("prp-samples/<uuid:public_id>/label/", labels.prp_label, name="prp-label"),
    path("recall/", recall.cartridge_recall, name="recall"),
]
