from django.contrib import admin

from needlepoint.catalog.models import (
    Competency,
    Indication,
    Product,
    ProductLot,
    Service,
    ServicePhase,
    TreatmentArea,
)
from needlepoint.staff.admin.core import ScopedAdmin, ScopedTabularInline


@admin.register(TreatmentArea)
class TreatmentAreaAdmin(ScopedAdmin):
    list_display = ["name", "min_depth_mm", "max_default_mm", "order_max_mm", "source_ids"]
    search_fields = ["name", "code"]


@admin.register(Indication)
class IndicationAdmin(ScopedAdmin):
    list_display = [
        "name",
        "series_min",
        "series_max",
        "interval_default_days",
        "interval_min_days",
        "source_ids",
    ]


@admin.register(Competency)
class CompetencyAdmin(ScopedAdmin):
    list_display = ["name", "code"]


class ServicePhaseInline(ScopedTabularInline):
    model = ServicePhase


@admin.register(Service)
class ServiceAdmin(ScopedAdmin):
    list_display = ["name", "kind", "price", "duration_minutes", "uses_prp", "is_active"]
    list_filter = ["kind", "uses_prp", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["areas", "indications", "required_competencies"]
    inlines = [ServicePhaseInline]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("phases")


class ProductLotInline(ScopedTabularInline):
    model = ProductLot

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Product)
class ProductAdmin(ScopedAdmin):
    list_display = ["name", "kind", "manufacturer", "labelled_for_intradermal_use", "is_active"]
    list_filter = ["kind"]
    inlines = [ProductLotInline]
