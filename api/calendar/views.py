from drf_yasg.utils import swagger_auto_schema
from rest_framework import status
from rest_framework.response import Response

from api.accounts.roles import Action, Resource
from api.calendar import selectors, services
from api.calendar.filters import CalendarEventFilter, EmployeeLeaveFilter, HolidayFilter
from api.calendar.serializers import (
    CalendarEventSerializer,
    CalendarEventWriteSerializer,
    EmployeeLeaveSerializer,
    EmployeeLeaveUpdateSerializer,
    EmployeeLeaveWriteSerializer,
    HolidaySerializer,
    LeaveApproveSerializer,
    LeaveRejectSerializer,
)
from api.common.viewsets import CRUDViewSet, WorkflowAction, WorkflowActionsMixin


class HolidayViewSet(CRUDViewSet):
    """Public holidays; everyone reads them, department admins maintain them."""

    resource = Resource.HOLIDAYS
    serializer_class = HolidaySerializer
    filterset_class = HolidayFilter
    search_fields = ("name", "description")
    ordering_fields = ("date", "name")
    ordering = ("date",)

    def visible_queryset(self, user):
        return selectors.holidays_visible_to(user=user)


class CalendarEventViewSet(CRUDViewSet):
    """Events by visibility: public to all, department to its members, private to the
    creator. Only the creator (or a global admin) changes or deletes an event."""

    resource = Resource.CALENDAR_EVENTS
    serializer_class = CalendarEventSerializer
    filterset_class = CalendarEventFilter
    search_fields = ("title", "location", "description")
    ordering_fields = ("start_at", "end_at", "title", "created_at")
    ordering = ("start_at", "id")

    def visible_queryset(self, user):
        return selectors.calendar_events_visible_to(user=user)

    def respond(self, event, code=status.HTTP_200_OK) -> Response:
        # A global admin who makes someone's event private no longer sees it in the list,
        # but is still shown what they saved.
        fresh = self.get_queryset().filter(pk=event.pk).first() or event
        return Response(CalendarEventSerializer(fresh).data, status=code)

    @swagger_auto_schema(
        request_body=CalendarEventWriteSerializer, responses={201: CalendarEventSerializer}
    )
    def create(self, request, *args, **kwargs):
        body = CalendarEventWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.calendar_event_create(by=request.user, data=body.validated_data)
        return self.respond(event, status.HTTP_201_CREATED)

    @swagger_auto_schema(
        request_body=CalendarEventWriteSerializer, responses={200: CalendarEventSerializer}
    )
    def update(self, request, *args, **kwargs):
        event = self.get_object()
        body = CalendarEventWriteSerializer(event, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        updated = services.calendar_event_update(
            event=event, by=request.user, data=body.validated_data
        )
        return self.respond(updated)

    @swagger_auto_schema(
        request_body=CalendarEventWriteSerializer, responses={200: CalendarEventSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.calendar_event_delete(event=instance, by=self.request.user)


class EmployeeLeaveViewSet(WorkflowActionsMixin, CRUDViewSet):
    """Leave and its workflow (approve, reject, cancel).

    Employees see their own leave, department admins their department's, global
    admins everyone's.
    """

    resource = Resource.EMPLOYEE_LEAVES
    workflow_subject = "leave"
    workflow_actions = {
        "approve": WorkflowAction(
            services.employee_leave_approve, Action.APPROVE, body=LeaveApproveSerializer
        ),
        "reject": WorkflowAction(
            services.employee_leave_reject, Action.APPROVE, body=LeaveRejectSerializer
        ),
        "cancel": WorkflowAction(
            services.employee_leave_cancel,
            Action.CHANGE,
            doc="Pending leave, or approved leave that has not started yet.",
        ),
    }
    serializer_class = EmployeeLeaveSerializer
    filterset_class = EmployeeLeaveFilter
    search_fields = (
        "reason",
        "employee__first_name",
        "employee__last_name",
        "employee__employee_code",
    )
    ordering_fields = ("start_date", "end_date", "created_at", "status")
    ordering = ("-start_date", "-id")

    def visible_queryset(self, user):
        return selectors.employee_leaves_visible_to(user=user)

    def respond(self, leave, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=leave.pk)
        return Response(EmployeeLeaveSerializer(fresh).data, status=code)

    @swagger_auto_schema(
        request_body=EmployeeLeaveWriteSerializer, responses={201: EmployeeLeaveSerializer}
    )
    def create(self, request, *args, **kwargs):
        body = EmployeeLeaveWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        leave = services.employee_leave_create(by=request.user, **body.validated_data)
        return self.respond(leave, status.HTTP_201_CREATED)

    @swagger_auto_schema(
        request_body=EmployeeLeaveUpdateSerializer, responses={200: EmployeeLeaveSerializer}
    )
    def update(self, request, *args, **kwargs):
        body = EmployeeLeaveUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        leave = services.employee_leave_update(
            leave=self.get_object(), by=request.user, **body.validated_data
        )
        return self.respond(leave)

    @swagger_auto_schema(
        request_body=EmployeeLeaveUpdateSerializer, responses={200: EmployeeLeaveSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.employee_leave_delete(leave=instance, by=self.request.user)
