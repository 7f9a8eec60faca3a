from django.http import FileResponse
from drf_yasg.utils import no_body, swagger_auto_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.status import HTTP_202_ACCEPTED

from api.accounts.roles import Action, Resource
from api.common.throttling import ExportThrottle
from api.common.uploads import safe_name
from api.common.viewsets import ReadOnlyViewSet, ResourceViewSet
from api.reports import selectors, services
from api.reports.filters import ReportJobFilter
from api.reports.serializers import ExportRequestSerializer, ReportJobSerializer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportJobViewSet(ReadOnlyViewSet):
    """Report jobs: follow an export (status), download its file, retry a failed one.

    Global admins see every job, scheduled runs included; others their own."""

    resource = Resource.REPORTS
    permission_actions = {"download": Action.VIEW, "retry": Action.CREATE}
    bodyless_actions = ("retry",)
    serializer_class = ReportJobSerializer
    filterset_class = ReportJobFilter
    ordering_fields = ("created_at", "status", "period_start")
    ordering = ("-created_at", "-id")

    def visible_queryset(self, user):
        return selectors.report_jobs_visible_to(user=user)

    @swagger_auto_schema(responses={200: "The .xlsx file", 404: "Not built, or removed"})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        path = services.report_local_path(job)
        if path is None:
            raise NotFound(
                "No local file for this report: not built yet, or removed after upload "
                f"(it is on the share at '{job.smb_path}')."
                if job.smb_path
                else "No local file for this report yet."
            )
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=safe_name(job.file_name),
            content_type=XLSX,
        )

    @swagger_auto_schema(request_body=no_body, responses={202: ReportJobSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        job = services.report_job_retry(job=self.get_object(), by=request.user)
        # Re-read: the job was queued at commit, and an eager run may already have
        # moved it on (even failed it); the answer says where it is now.
        job.refresh_from_db()
        return Response(ReportJobSerializer(job).data, status=202)


class OvertimeExportViewSet(ResourceViewSet):
    """`POST /api/v1/overtime-requests/export/`: an export of overtime requests, asked
    for beside them and allowed by their `export` permission; the job is the reports'."""

    resource = Resource.OVERTIME_REQUESTS
    permission_actions = {"export": Action.EXPORT}
    throttle_classes = [ExportThrottle]
    serializer_class = ReportJobSerializer

    def visible_queryset(self, user):
        return selectors.report_jobs_visible_to(user=user)

    @swagger_auto_schema(request_body=ExportRequestSerializer, responses={202: ReportJobSerializer})
    def export(self, request):
        """Queues an Excel report of a day or a month; follow it at the returned URL.

        Department admins export their own department only."""
        body = ExportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = services.report_export_request(
            kind=body.validated_data["kind"],
            day=body.validated_data["date"],
            filters=body.filters(),
            by=request.user,
        )
        job.refresh_from_db()  # queued at commit: an eager run may already have moved it on
        response = Response(ReportJobSerializer(job).data, status=HTTP_202_ACCEPTED)
        response["Location"] = f"/api/v1/report-jobs/{job.pk}/"
        return response
