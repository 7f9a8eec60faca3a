"""The system domain's /api/v1 resources: activity logs, personal notes, user reports,
release notes and SMB configurations. (Health and system config are in views.py.)"""

from pathlib import PurePath

from drf_yasg import openapi
from drf_yasg.utils import no_body, swagger_auto_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.accounts.roles import Action, Resource
from api.common.parsers import JSONParser
from api.common.services import instance_create
from api.common.uploads import KNOWN_TYPES, download_response
from api.common.viewsets import CRUDViewSet, ReadOnlyViewSet
from api.system import selectors, services
from api.system.filters import ActivityLogFilter, UserReportFilter
from api.system.models import ReleaseNote
from api.system.serializers import (
    ActivityLogSerializer,
    PersonalNoteSerializer,
    ReleaseNoteSerializer,
    SMBConfigurationSerializer,
    UserReportSerializer,
)


class ActivityLogViewSet(ReadOnlyViewSet):
    """The audit trail (append-only): who changed what, with the field changes."""

    resource = Resource.ACTIVITY_LOGS
    serializer_class = ActivityLogSerializer
    filterset_class = ActivityLogFilter
    search_fields = ("object_repr", "path", "request_id")
    ordering_fields = ("created_at", "action", "resource")
    ordering = ("-created_at", "-id")

    def visible_queryset(self, user):
        return selectors.activity_logs_visible_to(user=user)


class PersonalNoteViewSet(CRUDViewSet):
    """Your own notes. Nobody else, whatever their role, can see or touch them (404)."""

    resource = Resource.PERSONAL_NOTES
    serializer_class = PersonalNoteSerializer
    filterset_fields = ("is_pinned", "color")
    search_fields = ("title", "content")
    ordering_fields = ("updated_at", "created_at", "title", "is_pinned")
    ordering = ("-is_pinned", "-updated_at", "-id")

    def visible_queryset(self, user):
        return selectors.personal_notes_visible_to(user=user)

    def perform_create(self, serializer):
        serializer.instance = services.personal_note_create(
            data=serializer.validated_data, by=self.request.user
        )

    def perform_update(self, serializer):
        serializer.instance = services.personal_note_update(
            note=serializer.instance, data=serializer.validated_data, by=self.request.user
        )

    def perform_destroy(self, instance):
        services.personal_note_delete(note=instance, by=self.request.user)


class UserReportViewSet(CRUDViewSet):
    """Bug reports and requests from the app, with an optional screenshot.

    Reporters see and (while open) edit their own; superadmins and developers see all
    and set the status. Screenshots are only served through `download-screenshot`.
    """

    resource = Resource.USER_REPORTS
    serializer_class = UserReportSerializer
    parser_classes = (MultiPartParser, FormParser, JSONParser)
    filterset_class = UserReportFilter
    search_fields = ("title", "description")
    ordering_fields = ("created_at", "updated_at", "severity", "status")
    ordering = ("-created_at", "-id")

    def visible_queryset(self, user):
        return selectors.user_reports_visible_to(user=user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.user_report_create(
            data=data,
            screenshot=data.pop("screenshot", None),
            user_agent=self.request.headers.get("User-Agent", ""),
            by=self.request.user,
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.user_report_update(
            report=serializer.instance,
            data=data,
            screenshot=data.pop("screenshot", None),
            by=self.request.user,
        )

    def perform_destroy(self, instance):
        services.user_report_delete(report=instance, by=self.request.user)

    @action(detail=True, methods=["get"], url_path="download-screenshot")
    def download_screenshot(self, request, pk=None):
        report = self.get_object()
        if not report.screenshot:
            raise NotFound("This report has no screenshot.")
        extension = PurePath(report.screenshot.name).suffix.lower()
        content_type = KNOWN_TYPES.get(extension, ("",))[0]
        return download_response(
            report.screenshot,
            filename=report.screenshot_name or PurePath(report.screenshot.name).name,
            content_type=content_type,
        )


class ReleaseNoteViewSet(CRUDViewSet):
    """What changed in each version: published notes for all, drafts for their authors."""

    resource = Resource.RELEASE_NOTES
    serializer_class = ReleaseNoteSerializer
    filterset_fields = ("is_published",)
    search_fields = ("version", "title", "body")
    ordering_fields = ("released_on", "version", "created_at")
    ordering = ("-released_on", "-id")

    def visible_queryset(self, user):
        return selectors.release_notes_visible_to(user=user)

    def perform_create(self, serializer):
        serializer.instance = instance_create(
            model=ReleaseNote,
            data={**serializer.validated_data, "created_by": self.request.user},
            by=self.request.user,
        )


_smb_test_schema = openapi.Schema(
    type=openapi.TYPE_OBJECT,
    properties={
        "connect": openapi.Schema(type=openapi.TYPE_BOOLEAN),
        "list": openapi.Schema(type=openapi.TYPE_BOOLEAN),
        "write": openapi.Schema(type=openapi.TYPE_BOOLEAN),
        "client": openapi.Schema(type=openapi.TYPE_STRING),
        "encrypted": openapi.Schema(type=openapi.TYPE_BOOLEAN),
        "detail": openapi.Schema(type=openapi.TYPE_STRING),
    },
)


class SMBConfigurationViewSet(CRUDViewSet):
    """Where generated reports are delivered. The password is write-only."""

    resource = Resource.SMB_CONFIGS
    # Testing writes (and deletes) a probe file on the share and records the result.
    permission_actions = {"test_connection": Action.CHANGE}
    bodyless_actions = ("test_connection",)
    serializer_class = SMBConfigurationSerializer
    filterset_fields = ("is_active", "client")
    search_fields = ("name", "server", "share_name")
    ordering_fields = ("name", "created_at", "last_tested_at")
    ordering = ("name",)

    def visible_queryset(self, user):
        return selectors.smb_configs_visible_to(user=user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.smb_config_create(
            data=data, password=data.pop("password", ""), by=self.request.user
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.smb_config_update(
            config=serializer.instance,
            data=data,
            password=data.pop("password", None),
            by=self.request.user,
        )

    @swagger_auto_schema(
        request_body=no_body, responses={200: openapi.Response("Test result", _smb_test_schema)}
    )
    @action(detail=True, methods=["post"], url_path="test-connection")
    def test_connection(self, request, pk=None):
        """Connects with the stored settings, lists the path prefix and writes, renames
        and deletes a probe file there. Answers 200 with the verdict either way; the
        verdict is also kept on the configuration (last_tested_at, last_test_result)."""
        result = services.smb_config_test(config=self.get_object(), by=request.user)
        return Response(result)
