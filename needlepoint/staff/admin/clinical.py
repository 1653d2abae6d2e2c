from django.contrib import admin

from needlepoint.clinical.models import CartridgeLot
from needlepoint.staff.admin.core import ScopedAdmin


@admin.register(CartridgeLot)
class CartridgeLotAdmin(ScopedAdmin):
    """Cartridge lots seen at the chair. Recording a recall date refuses the lot's
    cartridges from that day on (every change audited)."""

    list_display = ["lot", "expires_on", "recalled_on"]
    search_fields = ["lot"]
    fields = ["lot", "expires_on", "recalled_on", "recall_reason"]
