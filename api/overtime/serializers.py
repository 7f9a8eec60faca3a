from decimal import Decimal

from rest_framework import serializers

from api.accounts.models import User
from api.common import representation as r
from api.common.fields import (
    EmployeeBriefSerializer,
    ProjectBriefSerializer,
    UserBriefSerializer,
)
from api.common.serializers import ModelSerializer, OffsetDateTimeField, Serializer
from api.org.models import Department, Employee, Project
from api.overtime.models import (
    OvertimeBreak,
    OvertimeRegulation,
    OvertimeRegulationDocument,
    OvertimeRequest,
)
from api.overtime.rules import PERIODS, DayCategory
from api.overtime.services import BULK_ACTIONS, BULK_DECIDE_MAX, BreakInput


class OvertimeBreakSerializer(ModelSerializer):
    class Meta:
        model = OvertimeBreak
        fields = ("start_at", "end_at", "note")


USER_BRIEF = (
    r.Field("id"),
    r.Field("username"),
    r.Field("full_name", ("first_name", "last_name"), r.full_name),
)
DEPARTMENT_BRIEF = (r.Field("id"), r.Field("code"), r.Field("name"))
EMPLOYEE_BRIEF = (
    r.Field("id"),
    r.Field("employee_code"),
    r.Field("full_name", ("first_name", "last_name"), r.full_name),
    r.Brief("department", Department, DEPARTMENT_BRIEF),
)
PROJECT_BRIEF = (r.Field("id"), r.Field("code"), r.Field("name"))

# The one declaration of what clients read of an overtime request, in order: the
# detail, the answers to writes and every list row are rendered from it. The three
# decision makers are looked up by id, not joined: planning the 7-table join cost
# PostgreSQL ~5 ms per page against ~0.5 ms for one small lookup.
OVERTIME_REQUEST = r.Rendering(
    OvertimeRequest,
    (
        r.Field("id"),
        r.Brief("employee", Employee, EMPLOYEE_BRIEF),
        r.Brief("project", Project, PROJECT_BRIEF),
        r.datetime_field("start_at"),
        r.datetime_field("end_at"),
        r.Field("reason"),
        r.Field("status"),
        r.decimal_field("total_hours"),
        r.decimal_field("break_hours"),
        r.decimal_field("net_hours"),
        r.Field("is_weekend"),
        r.Field("is_holiday"),
        r.Field("requires_second_approval"),
        r.Field("day_category"),
        r.decimal_field("compensation_hours"),
        r.Field("meal_due"),
        r.Field("regulation", "regulation_id"),
        r.Field("regulation_check"),
        r.Many(
            "breaks",
            OvertimeBreak,
            "request",
            (r.datetime_field("start_at"), r.datetime_field("end_at"), r.Field("note")),
            order=("start_at", "id"),
        ),
        r.datetime_field("submitted_at"),
        r.Brief("first_approved_by", User, USER_BRIEF, joined=False),
        r.datetime_field("first_approved_at"),
        r.Field("first_approval_note"),
        r.Brief("second_approved_by", User, USER_BRIEF, joined=False),
        r.datetime_field("second_approved_at"),
        r.Field("second_approval_note"),
        r.Brief("rejected_by", User, USER_BRIEF, joined=False),
        r.datetime_field("rejected_at"),
        r.Field("rejection_reason"),
        r.datetime_field("cancelled_at"),
        r.datetime_field("created_at"),
        r.datetime_field("updated_at"),
    ),
)


class OvertimeRequestSerializer(ModelSerializer):
    """What clients read: the request, its breaks, the regulation verdict, decisions.

    The declared fields document the shape (OpenAPI); the output is OVERTIME_REQUEST's
    (a test pins the two to each other)."""

    employee = EmployeeBriefSerializer(read_only=True)
    project = ProjectBriefSerializer(read_only=True, allow_null=True)
    breaks = OvertimeBreakSerializer(many=True, read_only=True)
    first_approved_by = UserBriefSerializer(read_only=True, allow_null=True)
    second_approved_by = UserBriefSerializer(read_only=True, allow_null=True)
    rejected_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = OvertimeRequest
        fields = OVERTIME_REQUEST.names()
        read_only_fields = fields

    def to_representation(self, obj: OvertimeRequest) -> dict:
        return OVERTIME_REQUEST.render(obj)


class OvertimeRequestWriteSerializer(Serializer):
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
    start_at = OffsetDateTimeField()
    end_at = OffsetDateTimeField()
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
    start_at = OffsetDateTimeField(required=False)
    end_at = OffsetDateTimeField(required=False)
    reason = serializers.CharField(max_length=2000, required=False)


class ApproveSerializer(Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectSerializer(Serializer):
    reason = serializers.CharField(max_length=2000)


class AllowanceQuerySerializer(Serializer):
    employee = serializers.IntegerField(
        required=False, min_value=1, help_text="Defaults to your own employee record."
    )
    date = serializers.DateField(help_text="Any day of the periods wanted, YYYY-MM-DD.")


class AllowancePeriodSerializer(Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    limit = serializers.DecimalField(max_digits=7, decimal_places=2)
    approved = serializers.DecimalField(max_digits=7, decimal_places=2)
    pending = serializers.DecimalField(
        max_digits=7, decimal_places=2, help_text="Submitted or awaiting the second approval."
    )
    remaining = serializers.DecimalField(
        max_digits=7, decimal_places=2, help_text="limit - approved - pending, never below 0."
    )


class AllowancePeriodsSerializer(Serializer):
    day = AllowancePeriodSerializer()
    week = AllowancePeriodSerializer(help_text="The ISO week, Monday to Sunday.")
    month = AllowancePeriodSerializer()
    year = AllowancePeriodSerializer()


class RestDayRuleSerializer(Serializer):
    rest_day_counts_toward_limits = serializers.BooleanField()
    work_days_per_week = serializers.IntegerField()
    rest_weekdays = serializers.ListField(child=serializers.IntegerField())
    counts_toward_limits = serializers.BooleanField(
        help_text="Whether overtime on `date` counts toward the daily and weekly limits."
    )
    exemptible_periods = serializers.ListField(child=serializers.CharField())


class AllowanceSerializer(Serializer):
    """The answer of the allowance endpoint (periods empty without a regulation)."""

    employee = serializers.IntegerField()
    date = serializers.DateField()
    regulation_id = serializers.IntegerField(allow_null=True)
    day_category = serializers.ChoiceField(choices=[c.value for c in DayCategory], required=False)
    rest_day_rule = RestDayRuleSerializer(required=False)
    periods = AllowancePeriodsSerializer()


class LimitViolationSerializer(Serializer):
    limit = serializers.ChoiceField(choices=["daily", "weekly", "monthly", "yearly"])
    period = serializers.ChoiceField(choices=list(PERIODS))
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    limit_hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    booked_hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    requested_hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    total_hours = serializers.DecimalField(max_digits=7, decimal_places=2)


class OvertimeCheckSerializer(Serializer):
    """What submitting the body would do; nothing is written."""

    violations = LimitViolationSerializer(
        many=True, help_text="What a submit's 400 regulation_limit_exceeded would list."
    )
    requires_second_approval = serializers.BooleanField()
    is_weekend = serializers.BooleanField()
    is_holiday = serializers.BooleanField()
    day_category = serializers.ChoiceField(choices=[c.value for c in DayCategory])
    compensation_hours = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    meal_due = serializers.BooleanField()
    net_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    regulation = serializers.IntegerField(allow_null=True)
    overlaps = serializers.ListField(
        child=serializers.IntegerField(), help_text="Active requests of the employee it overlaps."
    )


class BulkDecideSerializer(Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=BULK_DECIDE_MAX
    )
    action = serializers.ChoiceField(choices=BULK_ACTIONS)
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The approval note, or the reason of a rejection (required then).",
    )

    def validate(self, attrs):
        if attrs["action"] == "reject" and not attrs["note"].strip():
            raise serializers.ValidationError({"note": ["Say why the requests are rejected."]})
        return attrs


class BulkErrorSerializer(Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()


class BulkOutcomeSerializer(Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(required=False, help_text="The new status, when decided.")
    error = BulkErrorSerializer(required=False, help_text="What a single call would answer.")


class BulkDecideResultSerializer(Serializer):
    results = BulkOutcomeSerializer(many=True)


class OvertimeRegulationSerializer(ModelSerializer):
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


class RegulationDocumentSerializer(ModelSerializer):
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
