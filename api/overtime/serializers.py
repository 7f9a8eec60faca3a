from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from api.common import representation as r
from api.common.fields import EmployeeBriefSerializer, ProjectBriefSerializer, UserBriefSerializer
from api.org.models import Employee, Project
from api.overtime.models import (
    OvertimeBreak,
    OvertimeRegulation,
    OvertimeRegulationDocument,
    OvertimeRequest,
)
from api.overtime.services import BreakInput


class OvertimeBreakSerializer(serializers.ModelSerializer):
    class Meta:
        model = OvertimeBreak
        fields = ("start_at", "end_at", "note")


class OvertimeRequestSerializer(serializers.ModelSerializer):
    """What clients read: the request, its breaks, the regulation verdict, decisions."""

    employee = EmployeeBriefSerializer(read_only=True)
    project = ProjectBriefSerializer(read_only=True, allow_null=True)
    breaks = OvertimeBreakSerializer(many=True, read_only=True)
    first_approved_by = UserBriefSerializer(read_only=True, allow_null=True)
    second_approved_by = UserBriefSerializer(read_only=True, allow_null=True)
    rejected_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = OvertimeRequest
        fields = (
            "id",
            "employee",
            "project",
            "start_at",
            "end_at",
            "reason",
            "status",
            "total_hours",
            "break_hours",
            "net_hours",
            "is_weekend",
            "is_holiday",
            "requires_second_approval",
            "regulation",
            "regulation_check",
            "breaks",
            "submitted_at",
            "first_approved_by",
            "first_approved_at",
            "first_approval_note",
            "second_approved_by",
            "second_approved_at",
            "second_approval_note",
            "rejected_by",
            "rejected_at",
            "rejection_reason",
            "cancelled_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def to_representation(self, obj: OvertimeRequest) -> dict:
        # The hot path of the busiest list: built directly instead of field by field
        # (a test pins this to DRF's rendering of the fields declared above).
        return {
            "id": obj.pk,
            "employee": r.employee_brief(obj.employee),
            "project": r.project_brief(obj.project),
            "start_at": r.iso(obj.start_at),
            "end_at": r.iso(obj.end_at),
            "reason": obj.reason,
            "status": obj.status,
            "total_hours": r.decimal(obj.total_hours),
            "break_hours": r.decimal(obj.break_hours),
            "net_hours": r.decimal(obj.net_hours),
            "is_weekend": obj.is_weekend,
            "is_holiday": obj.is_holiday,
            "requires_second_approval": obj.requires_second_approval,
            "regulation": obj.regulation_id,
            "regulation_check": obj.regulation_check,
            "breaks": [
                {"start_at": r.iso(b.start_at), "end_at": r.iso(b.end_at), "note": b.note}
                for b in obj.breaks.all()
            ],
            "submitted_at": r.iso(obj.submitted_at),
            "first_approved_by": r.user_brief(obj.first_approved_by),
            "first_approved_at": r.iso(obj.first_approved_at),
            "first_approval_note": obj.first_approval_note,
            "second_approved_by": r.user_brief(obj.second_approved_by),
            "second_approved_at": r.iso(obj.second_approved_at),
            "second_approval_note": obj.second_approval_note,
            "rejected_by": r.user_brief(obj.rejected_by),
            "rejected_at": r.iso(obj.rejected_at),
            "rejection_reason": obj.rejection_reason,
            "cancelled_at": r.iso(obj.cancelled_at),
            "created_at": r.iso(obj.created_at),
            "updated_at": r.iso(obj.updated_at),
        }


def _user_brief_from_values(user: dict | None) -> dict | None:
    if user is None:
        return None
    full_name = f"{user['first_name']} {user['last_name']}".strip()
    return {"id": user["id"], "username": user["username"], "full_name": full_name}


def overtime_request_rows(rows: list[dict], breaks: dict, users: dict) -> list[dict]:
    """The list representation built from `.values()` rows (no model instances).

    Same output as OvertimeRequestSerializer for the same requests (a test pins
    it): a 50-row page costs a few milliseconds instead of instantiating ~200
    models and their prefetch managers.
    """
    tz = timezone.get_current_timezone()
    out = []
    for row in rows:
        employee_name = f"{row['employee__first_name']} {row['employee__last_name']}".strip()
        out.append(
            {
                "id": row["id"],
                "employee": {
                    "id": row["employee_id"],
                    "employee_code": row["employee__employee_code"],
                    "full_name": employee_name,
                    "department": {
                        "id": row["employee__department_id"],
                        "code": row["employee__department__code"],
                        "name": row["employee__department__name"],
                    },
                },
                "project": (
                    {
                        "id": row["project_id"],
                        "code": row["project__code"],
                        "name": row["project__name"],
                    }
                    if row["project_id"]
                    else None
                ),
                "start_at": r.iso(row["start_at"], tz),
                "end_at": r.iso(row["end_at"], tz),
                "reason": row["reason"],
                "status": row["status"],
                "total_hours": r.decimal(row["total_hours"]),
                "break_hours": r.decimal(row["break_hours"]),
                "net_hours": r.decimal(row["net_hours"]),
                "is_weekend": row["is_weekend"],
                "is_holiday": row["is_holiday"],
                "requires_second_approval": row["requires_second_approval"],
                "regulation": row["regulation_id"],
                "regulation_check": row["regulation_check"],
                "breaks": [
                    {
                        "start_at": r.iso(b["start_at"], tz),
                        "end_at": r.iso(b["end_at"], tz),
                        "note": b["note"],
                    }
                    for b in breaks.get(row["id"], ())
                ],
                "submitted_at": r.iso(row["submitted_at"], tz),
                "first_approved_by": _user_brief_from_values(
                    users.get(row["first_approved_by_id"])
                ),
                "first_approved_at": r.iso(row["first_approved_at"], tz),
                "first_approval_note": row["first_approval_note"],
                "second_approved_by": _user_brief_from_values(
                    users.get(row["second_approved_by_id"])
                ),
                "second_approved_at": r.iso(row["second_approved_at"], tz),
                "second_approval_note": row["second_approval_note"],
                "rejected_by": _user_brief_from_values(users.get(row["rejected_by_id"])),
                "rejected_at": r.iso(row["rejected_at"], tz),
                "rejection_reason": row["rejection_reason"],
                "cancelled_at": r.iso(row["cancelled_at"], tz),
                "created_at": r.iso(row["created_at"], tz),
                "updated_at": r.iso(row["updated_at"], tz),
            }
        )
    return out


class OvertimeRequestWriteSerializer(serializers.Serializer):
    """What clients send to create or edit a draft."""

    employee = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.all(),
        required=False,
        allow_null=True,
        help_text="Defaults to your own employee record; admins may name one of theirs.",
    )
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.filter(is_active=True), required=False, allow_null=True
    )
    start_at = serializers.DateTimeField()
    end_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=2000, trim_whitespace=True)
    breaks = OvertimeBreakSerializer(many=True, required=False)
    submit = serializers.BooleanField(
        required=False, default=False, help_text="Submit right away instead of keeping a draft."
    )

    def validate(self, attrs):
        start, end = attrs.get("start_at"), attrs.get("end_at")
        if start and end and end <= start:
            raise serializers.ValidationError({"end_at": ["The end must be after the start."]})
        return attrs

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        if "breaks" in data:
            data["breaks"] = [BreakInput(**pause) for pause in data["breaks"]]
        return data


class OvertimeRequestUpdateSerializer(OvertimeRequestWriteSerializer):
    """Edits: every field optional (PATCH semantics for PUT too); the owner is fixed."""

    employee = None
    submit = None
    start_at = serializers.DateTimeField(required=False)
    end_at = serializers.DateTimeField(required=False)
    reason = serializers.CharField(max_length=2000, required=False)


class ApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OvertimeRegulationSerializer(serializers.ModelSerializer):
    class Meta:
        model = OvertimeRegulation
        fields = (
            "id",
            "name",
            "description",
            "scope",
            "department",
            "max_hours_per_day",
            "max_hours_per_week",
            "max_hours_per_month",
            "max_hours_per_year",
            "second_approval_threshold_hours",
            "effective_from",
            "effective_to",
            "is_active",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")
        extra_kwargs = {
            "max_hours_per_day": {"min_value": Decimal("0.01"), "max_value": Decimal("24")},
            "max_hours_per_week": {"min_value": Decimal("0.01")},
            "max_hours_per_month": {"min_value": Decimal("0.01")},
            "max_hours_per_year": {"min_value": Decimal("0.01")},
            "second_approval_threshold_hours": {"min_value": Decimal("0.01")},
        }

    def validate(self, attrs):
        merged = {**self._current(), **attrs}
        errors = {}
        if merged.get("scope") == "department" and not merged.get("department"):
            errors["department"] = ["A department regulation names its department."]
        if merged.get("scope") == "global" and merged.get("department"):
            errors["department"] = ["A global regulation has no department."]
        limits = [merged.get(f"max_hours_per_{p}") for p in ("day", "week", "month", "year")]
        if all(limit is not None for limit in limits) and limits != sorted(limits):
            errors["max_hours_per_week"] = [
                "Limits must not shrink from day to week to month to year."
            ]
        start, end = merged.get("effective_from"), merged.get("effective_to")
        if start and end and end < start:
            errors["effective_to"] = ["Must not be before effective_from."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        return {field: getattr(self.instance, field) for field in self.Meta.fields}


class RegulationDocumentSerializer(serializers.ModelSerializer):
    uploaded_by = UserBriefSerializer(read_only=True)
    file = serializers.FileField(write_only=True, required=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = OvertimeRegulationDocument
        fields = (
            "id",
            "regulation",
            "title",
            "version",
            "file",
            "original_name",
            "content_type",
            "size_bytes",
            "uploaded_by",
            "download_url",
            "created_at",
        )
        read_only_fields = ("id", "original_name", "content_type", "size_bytes", "created_at")
        # Uniqueness of (regulation, version) is checked by the service, naming `version`.
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # the file and its regulation are fixed once uploaded
            fields["file"].required = False
            fields["regulation"].read_only = True
        return fields

    def get_download_url(self, obj) -> str:
        return f"/api/v1/regulation-documents/{obj.pk}/download/"
