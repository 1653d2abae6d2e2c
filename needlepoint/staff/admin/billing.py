from django.contrib import admin

from needlepoint.billing.models import TaxRate
from needlepoint.staff.admin.core import ScopedAdmin


@admin.register(TaxRate)
class TaxRateAdmin(ScopedAdmin):
    """Tax per kind of line and location (New Mexico's gross receipts tax). A rate applies
    to lines added from then on: a sale keeps the rate it was charged."""

    list_display = ["name", "line_kind", "location", "rate"]
    list_filter = ["line_kind", "location"]
