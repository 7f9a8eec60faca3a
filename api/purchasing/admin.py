from django.contrib import admin

from api.purchasing.models import Asset, PurchaseRequest


@admin.register(PurchaseRequest)
class PurchaseRequestAdmin(admin.ModelAdmin):
    """Purchase requests are created and decided through the API.

    The service numbers them, computes the total from the items and notifies the
    requester, so the items, total, status and decision are read-only here.
    """

    list_display = (
        "number",
        "title",
        "requester",
        "department",
        "total_amount",
        "currency",
        "status",
        "needed_by",
        "decided_by",
        "created_at",
    )
    list_filter = ("status", "currency", "department")
    search_fields = ("number", "title", "description", "requester__username")
    list_select_related = ("requester", "department", "decided_by")
    date_hierarchy = "created_at"
    readonly_fields = (
        "number",
        "requester",
        "department",
        "items",
        "total_amount",
        "currency",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request):
        return False


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = (
        "asset_tag",
        "name",
        "category",
        "status",
        "assigned_to",
        "department",
        "purchase_date",
        "warranty_until",
    )
    list_filter = ("status", "category", "department")
    search_fields = (
        "asset_tag",
        "serial_number",
        "name",
        "assigned_to__employee_code",
        "assigned_to__last_name",
    )
    list_select_related = ("assigned_to", "department")
    autocomplete_fields = ("assigned_to", "department", "purchase_request")
    readonly_fields = ("created_at", "updated_at")
