from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from api.common.models import TimestampedModel


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class PurchaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    ORDERED = "ordered", "Ordered"
    RECEIVED = "received", "Received"
    CANCELLED = "cancelled", "Cancelled"


class PurchaseRequest(TimestampedModel):
    """A request to buy things; `items` is a list of {name, quantity, unit_price}.

    The total is computed by the service from the items and stored, so lists and
    reports need not re-add them.
    """

    number = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchase_requests"
    )
    department = models.ForeignKey(
        "api.Department", on_delete=models.PROTECT, related_name="purchase_requests"
    )
    items = models.JSONField(default=list)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(
        max_length=3, default=default_currency, validators=[RegexValidator(r"^[A-Z]{3}$")]
    )
    status = models.CharField(
        max_length=16, choices=PurchaseStatus.choices, default=PurchaseStatus.DRAFT
    )
    needed_by = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["department", "status"], name="purchase_dept_status_idx"),
            models.Index(fields=["requester", "status"], name="purchase_requester_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_amount__gte=0), name="purchase_total_not_negative"
            ),
            models.CheckConstraint(condition=~Q(number=""), name="purchase_number_not_blank"),
            models.CheckConstraint(
                condition=Q(status__in=PurchaseStatus.values), name="purchase_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class AssetStatus(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    ASSIGNED = "assigned", "Assigned"
    MAINTENANCE = "maintenance", "In maintenance"
    RETIRED = "retired", "Retired"
    LOST = "lost", "Lost"


class Asset(TimestampedModel):
    asset_tag = models.CharField(max_length=64, unique=True)
    serial_number = models.CharField(max_length=128, blank=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=16, choices=AssetStatus.choices, default=AssetStatus.IN_STOCK
    )
    assigned_to = models.ForeignKey(
        "api.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="assets"
    )
    department = models.ForeignKey(
        "api.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="assets"
    )
    purchase_request = models.ForeignKey(
        PurchaseRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="assets"
    )
    purchase_date = models.DateField(null=True, blank=True)
    purchase_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    warranty_until = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ("asset_tag",)
        indexes = [models.Index(fields=["status", "department"], name="asset_status_dept_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(asset_tag=""), name="asset_tag_not_blank"),
            models.UniqueConstraint(
                fields=["serial_number"],
                condition=~Q(serial_number=""),
                name="asset_unique_serial_when_set",
            ),
            models.CheckConstraint(
                condition=Q(purchase_cost__isnull=True) | Q(purchase_cost__gte=0),
                name="asset_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="assigned") | Q(assigned_to__isnull=False),
                name="asset_assigned_has_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_tag} {self.name}"
