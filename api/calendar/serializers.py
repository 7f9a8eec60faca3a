from rest_framework import serializers

from api.calendar.models import CalendarEvent, EmployeeLeave, Holiday
from api.common.fields import (
    BlankableText,
    DepartmentBriefSerializer,
    EmployeeBriefSerializer,
    UserBriefSerializer,
)
from api.common.serializers import ModelSerializer, Serializer
from api.org.models import Employee


class HolidaySerializer(ModelSerializer):
    class Meta:
        model = Holiday
        fields = ("id", "date", "name", "is_recurring", "description", "created_at", "updated_at")
        read_only_fields = ("id", "created_at", "updated_at")


class CalendarEventSerializer(ModelSerializer):
    """What clients read: the event with its department, creator and attendees."""

    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    created_by = UserBriefSerializer(read_only=True)
    attendees = EmployeeBriefSerializer(many=True, read_only=True)
    description = BlankableText()
    location = BlankableText()

    class Meta:
        model = CalendarEvent
        fields = (
            "id",
            "title",
            "description",
            "event_type",
            "start_at",
            "end_at",
            "all_day",
            "location",
            "visibility",
            "department",
            "created_by",
            "attendees",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class CalendarEventWriteSerializer(ModelSerializer):
    """What clients send. The creator is the signed-in user; a department event without
    a department belongs to the creator's."""

    attendees = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.filter(is_active=True), many=True, required=False
    )

    class Meta:
        model = CalendarEvent
        fields = (
            "title",
            "description",
            "event_type",
            "start_at",
            "end_at",
            "all_day",
            "location",
            "visibility",
            "department",
            "attendees",
        )


class EmployeeLeaveSerializer(ModelSerializer):
    """What clients read: the leave, its length in calendar days and the decision."""

    employee = EmployeeBriefSerializer(read_only=True)
    decided_by = UserBriefSerializer(read_only=True, allow_null=True)
    days = serializers.SerializerMethodField()
    reason = BlankableText()
    decision_note = BlankableText()

    class Meta:
        model = EmployeeLeave
        fields = (
            "id",
            "employee",
            "leave_type",
            "start_date",
            "end_date",
            "days",
            "status",
            "reason",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_days(self, leave: EmployeeLeave) -> int:
        return (leave.end_date - leave.start_date).days + 1


class EmployeeLeaveWriteSerializer(ModelSerializer):
    employee = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.all(),
        required=False,
        allow_null=True,
        help_text="Defaults to your own employee record; approvers may name one of theirs.",
    )

    class Meta:
        model = EmployeeLeave
        fields = ("employee", "leave_type", "start_date", "end_date", "reason")

    def validate(self, attrs):
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": ["The last day must not be before the first day."]}
            )
        return attrs


class EmployeeLeaveUpdateSerializer(EmployeeLeaveWriteSerializer):
    """Edits of pending leave: every field optional; whose leave it is stays fixed."""

    employee = None

    class Meta(EmployeeLeaveWriteSerializer.Meta):
        fields = ("leave_type", "start_date", "end_date", "reason")
        extra_kwargs = {name: {"required": False} for name in fields}


class LeaveApproveSerializer(Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class LeaveRejectSerializer(Serializer):
    reason = serializers.CharField(max_length=2000)
