from drf_yasg.utils import swagger_auto_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.accounts.models import User
from api.accounts.roles import Action, Resource
from api.common.list_cache import CachedListMixin
from api.common.page_statement import RenderedQuerySet
from api.common.parsers import JSONParser
from api.common.uploads import download_response
from api.common.viewsets import CRUDViewSet, WorkflowAction, WorkflowActionsMixin
from api.org.models import Employee
from api.overtime import selectors, services
from api.overtime.allowance import allowance, allowance_employee
from api.overtime.filters import OvertimeRegulationFilter, OvertimeRequestFilter
from api.overtime.serializers import (
    OVERTIME_REQUEST,
    AllowanceQuerySerializer,
    AllowanceSerializer,
    ApproveSerializer,
    BulkDecideResultSerializer,
    BulkDecideSerializer,
    OvertimeCheckSerializer,
    OvertimeRegulationSerializer,
    OvertimeRequestSerializer,
    OvertimeRequestUpdateSerializer,
    OvertimeRequestWriteSerializer,
    RegulationDocumentSerializer,
    RejectSerializer,
)


class OvertimeRequestViewSet(CachedListMixin, WorkflowActionsMixin, CRUDViewSet):
    """Overtime requests and their workflow (submit, approve, reject, cancel).

    Employees see their own requests, department admins their department's,
    superadmins everything. Pages carry an ETag; `If-None-Match` gets 304.
    """

    resource = Resource.OVERTIME_REQUESTS
    # The allowance reads its own query (documented by the same serializer).
    action_query_parameters = {"allowance": tuple(AllowanceQuerySerializer().fields)}
    permission_actions = {
        "allowance": Action.VIEW,
        "check": Action.CREATE,
        "bulk_decide": Action.APPROVE,
    }
    workflow_subject = "overtime_request"
    workflow_actions = {
        "submit": WorkflowAction(
            services.overtime_request_submit,
            Action.CREATE,
            doc="Checks the regulation, overlaps and leave, then hands the request to approvers.",
        ),
        "approve": WorkflowAction(
            services.overtime_request_approve, Action.APPROVE, body=ApproveSerializer
        ),
        "reject": WorkflowAction(
            services.overtime_request_reject, Action.APPROVE, body=RejectSerializer
        ),
        "cancel": WorkflowAction(services.overtime_request_cancel, Action.CHANGE),
    }
    serializer_class = OvertimeRequestSerializer
    filterset_class = OvertimeRequestFilter
    search_fields = (
        "reason",
        "employee__first_name",
        "employee__last_name",
        "employee__employee_code",
    )
    ordering_fields = ("start_at", "end_at", "created_at", "net_hours", "status")
    ordering = ("-start_at", "-id")
    # A cached page shows OVERTIME_REQUEST's models; the scope reads the user's role
    # and employee record.
    list_rendering = OVERTIME_REQUEST
    list_scope_models = (User, Employee)

    def visible_queryset(self, user):
        return selectors.overtime_requests_visible_to(user=user)

    def get_queryset(self):
        # A workflow step's service locks and reads the request again, and `respond`
        # reads it for the answer: finding it takes the scope alone, not the detail's
        # joins and prefetches (two of an approval's seventeen queries).
        if getattr(self, "action", None) in self.workflow_actions and not getattr(
            self, "swagger_fake_view", False
        ):
            return selectors.overtime_requests_scope(user=self.request.user)
        return super().get_queryset()

    def uncached_list(self, request, *args, **kwargs):
        """The busiest list renders plain rows, not model instances (~200 of them and
        their prefetch managers a page), read in one statement on PostgreSQL."""
        scope = selectors.overtime_requests_scope(user=request.user)
        rows = RenderedQuerySet(self.filter_queryset(scope), OVERTIME_REQUEST)
        return self.get_paginated_response(self.paginate_queryset(rows))

    @swagger_auto_schema(
        query_serializer=AllowanceQuerySerializer, responses={200: AllowanceSerializer}
    )
    # Not a list: the list's filters and pages do not apply (nor document) here.
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def allowance(self, request):
        """Limit, approved, pending and remaining hours for the day, ISO week, month and
        year containing `date`, and the rest-day rule in force.

        `employee` defaults to your own; admins may name employees whose overtime
        they see (others: 404)."""
        query = AllowanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        employee = allowance_employee(
            user=request.user, employee_id=query.validated_data.get("employee")
        )
        figures = allowance(employee, query.validated_data["date"])
        return Response({"employee": employee.pk, **figures})

    @swagger_auto_schema(
        request_body=OvertimeRequestWriteSerializer, responses={200: OvertimeCheckSerializer}
    )
    @action(detail=False, methods=["post"])
    def check(self, request):
        """What submitting this body would do (limits exceeded, second approval, day
        category, compensation, meal, overlapping requests); writes nothing."""
        body = OvertimeRequestWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        verdict = services.overtime_request_check(by=request.user, **body.service_arguments())
        return Response(OvertimeCheckSerializer(verdict).data)

    @swagger_auto_schema(
        request_body=BulkDecideSerializer, responses={200: BulkDecideResultSerializer}
    )
    @action(detail=False, methods=["post"], url_path="bulk-decide")
    def bulk_decide(self, request):
        """Approves or rejects up to 200 requests, each on its own: the answer lists
        every id with its new status or the error a single call would have got."""
        body = BulkDecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcomes = services.overtime_requests_bulk_decide(by=request.user, **body.validated_data)
        return Response({"results": outcomes})

    def respond(self, overtime_request, code=status.HTTP_200_OK) -> Response:
        fresh = self.visible_queryset(self.request.user).get(pk=overtime_request.pk)
        return Response(OvertimeRequestSerializer(fresh).data, status=code)

    @swagger_auto_schema(
        request_body=OvertimeRequestWriteSerializer, responses={201: OvertimeRequestSerializer}
    )
    def create(self, request, *args, **kwargs):
        body = OvertimeRequestWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.overtime_request_create(by=request.user, **body.service_arguments())
        return self.respond(created, status.HTTP_201_CREATED)

    @swagger_auto_schema(
        request_body=OvertimeRequestUpdateSerializer, responses={200: OvertimeRequestSerializer}
    )
    def update(self, request, *args, **kwargs):
        body = OvertimeRequestUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        updated = services.overtime_request_update(
            overtime_request=self.get_object(), by=request.user, **body.service_arguments()
        )
        return self.respond(updated)

    @swagger_auto_schema(
        request_body=OvertimeRequestUpdateSerializer, responses={200: OvertimeRequestSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.overtime_request_delete(overtime_request=instance, by=self.request.user)


class OvertimeRegulationViewSet(CRUDViewSet):
    resource = Resource.OVERTIME_REGULATIONS
    serializer_class = OvertimeRegulationSerializer
    filterset_class = OvertimeRegulationFilter
    search_fields = ("name", "description")
    ordering_fields = ("effective_from", "name", "created_at")
    ordering = ("-effective_from", "name")

    def visible_queryset(self, user):
        return selectors.regulations_visible_to(user=user)


class RegulationDocumentViewSet(CRUDViewSet):
    """Versioned regulation texts. Files are never served publicly: use `download`."""

    resource = Resource.REGULATION_DOCUMENTS
    serializer_class = RegulationDocumentSerializer
    parser_classes = (MultiPartParser, FormParser, JSONParser)
    http_method_names = ("get", "post", "patch", "delete", "head", "options")
    filterset_fields = ("regulation",)
    search_fields = ("title", "version", "original_name")
    ordering_fields = ("created_at", "version", "title")
    ordering = ("-created_at",)

    def visible_queryset(self, user):
        return selectors.regulation_documents_visible_to(user=user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.regulation_document_upload(
            regulation=data["regulation"],
            title=data["title"],
            version=data["version"],
            upload=data["file"],
            by=self.request.user,
        )

    def perform_update(self, serializer):
        if "file" in serializer.validated_data:
            raise ValidationError({"file": ["Upload a new version instead of replacing a file."]})
        super().perform_update(serializer)

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        return download_response(
            document.file, filename=document.original_name, content_type=document.content_type
        )
