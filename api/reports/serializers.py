from rest_framework import serializers

from api.common.limits import date_problem
from api.common.representation import user_brief
from api.common.serializers import ModelSerializer, Serializer
from api.org.models import Department, Employee, Project
from api.overtime.models import OvertimeStatus
from api.reports.models import ReportJob, ReportKind


class ReportJobSerializer(ModelSerializer):
    requested_by = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = (
            "id",
            "kind",
            "period_start",
            "period_end",
            "filters",
            "status",
            "file_name",
            "file_size",
            "row_count",
            "smb_path",
            "error",
            "attempts",
            "upload_attempts",
            "requested_by",
            "queued_at",
            "started_at",
            "built_at",
            "finished_at",
            "download_url",
        )
        read_only_fields = fields

    def get_requested_by(self, job) -> dict | None:
        return user_brief(job.requested_by)

    def get_download_url(self, job) -> str | None:
        if not job.file:
            return None
        return f"/api/v1/report-jobs/{job.pk}/download/"


class ExportRequestSerializer(Serializer):
    """What to export: a day's or a month's requests, optionally narrowed."""

    kind = serializers.ChoiceField(choices=ReportKind.choices)
    date = serializers.DateField(
        help_text="A day of the period: the day itself, or its month (2000-01-01..2100-12-31)."
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(), required=False, allow_null=True
    )
    employee = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.all(), required=False, allow_null=True
    )
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=OvertimeStatus.choices),
        required=False,
        allow_empty=False,
        max_length=len(OvertimeStatus.choices),
    )

    def validate_date(self, value):
        if problem := date_problem(value):
            raise serializers.ValidationError(problem)
        return value

    def filters(self) -> dict:
        data = self.validated_data
        filters = {
            name: data[name].pk for name in ("department", "project", "employee") if data.get(name)
        }
        if data.get("status"):
            filters["status"] = sorted(set(data["status"]))
        return filters
