import re
from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from api.common.fields import (
    BlankableText,
    DepartmentBriefSerializer,
    EmployeeBriefSerializer,
    UserBriefSerializer,
)
from api.common.serializers import ModelSerializer, Serializer
from api.org.models import Employee
from api.purchasing.models import Asset, PurchaseRequest
from api.purchasing.services import PurchaseItem

MAX_ITEMS = 200
CURRENCY = re.compile(r"^[A-Z]{3}$")


class PurchaseItemSerializer(Serializer):
    """One line of a purchase request. Unknown keys are refused, not silently dropped,
    so a misspelt `unit_prise` cannot turn into a free item."""

    name = serializers.CharField(min_length=1, max_length=200)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def to_internal_value(self, data):
        if isinstance(data, dict) and (unknown := set(data) - set(self.fields)):
            raise serializers.ValidationError({key: ["Unknown field."] for key in sorted(unknown)})
        return super().to_internal_value(data)

    def validate_quantity(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError("The quantity must be greater than zero.")
        return value


class PurchaseRequestSerializer(ModelSerializer):
    """What clients read: the request, its items and total, and the decision."""

    requester = UserBriefSerializer(read_only=True)
    department = DepartmentBriefSerializer(read_only=True)
    decided_by = UserBriefSerializer(read_only=True, allow_null=True)
    items = PurchaseItemSerializer(many=True, read_only=True)
    description = BlankableText()
    decision_note = BlankableText()

    class Meta:
        model = PurchaseRequest
        fields = (
            "id",
            "number",
            "title",
            "description",
            "requester",
            "department",
            "items",
            "total_amount",
            "currency",
            "status",
            "needed_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class PurchaseRequestWriteSerializer(Serializer):
    """What clients send. The number, total, requester and department are the
    server's: anything sent for them is ignored."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    # A ListField rather than many=True: list-level errors then name `items` itself,
    # and item errors `items.<index>.<field>`.
    items = serializers.ListField(
        child=PurchaseItemSerializer(), allow_empty=False, max_length=MAX_ITEMS
    )
    currency = serializers.CharField(
        required=False, help_text="ISO 4217 code; defaults to the configured currency."
    )
    needed_by = serializers.DateField(required=False, allow_null=True)

    def validate_currency(self, value: str) -> str:
        if not CURRENCY.match(value):
            raise serializers.ValidationError(
                "Use an ISO 4217 code of three upper-case letters, e.g. IDR."
            )
        return value

    def validate_needed_by(self, value):
        if value is not None and value < timezone.localdate():
            raise serializers.ValidationError("The date must not be in the past.")
        return value

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        if "items" in data:
            data["items"] = [PurchaseItem(**item) for item in data["items"]]
        return data


class PurchaseRequestUpdateSerializer(PurchaseRequestWriteSerializer):
    """Edits of a draft: every field optional; `items` replaces the whole list."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    items = serializers.ListField(
        child=PurchaseItemSerializer(), allow_empty=False, max_length=MAX_ITEMS, required=False
    )


class PurchaseApproveSerializer(Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PurchaseRejectSerializer(Serializer):
    reason = serializers.CharField(max_length=2000)


class PurchaseRequestBriefSerializer(Serializer):
    class Meta:
        ref_name = None  # inlined, so the schema can say the link may be null

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)


class AssetSerializer(ModelSerializer):
    """What clients read: the asset with its holder, department and origin."""

    assigned_to = EmployeeBriefSerializer(read_only=True, allow_null=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    purchase_request = PurchaseRequestBriefSerializer(read_only=True, allow_null=True)
    serial_number = BlankableText()
    category = BlankableText()
    notes = BlankableText()

    class Meta:
        model = Asset
        fields = (
            "id",
            "asset_tag",
            "serial_number",
            "name",
            "category",
            "status",
            "assigned_to",
            "department",
            "purchase_request",
            "purchase_date",
            "purchase_cost",
            "warranty_until",
            "notes",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class AssetWriteSerializer(ModelSerializer):
    """What clients send; related rows by id. Status and holder are reconciled by the
    service (see api.purchasing.services.assets)."""

    class Meta:
        model = Asset
        fields = (
            "asset_tag",
            "serial_number",
            "name",
            "category",
            "status",
            "assigned_to",
            "department",
            "purchase_request",
            "purchase_date",
            "purchase_cost",
            "warranty_until",
            "notes",
        )
        extra_kwargs = {
            "purchase_cost": {"min_value": Decimal("0")},
            "assigned_to": {"queryset": Employee.objects.filter(is_active=True)},
        }

    def validate(self, attrs):
        merged = {**self._current(), **attrs}
        start, end = merged.get("purchase_date"), merged.get("warranty_until")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"warranty_until": ["The warranty cannot end before the purchase date."]}
            )
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        return {
            "purchase_date": self.instance.purchase_date,
            "warranty_until": self.instance.warranty_until,
        }
