from django.utils.decorators import method_decorator
from drf_yasg.utils import swagger_auto_schema
from rest_framework import status
from rest_framework.response import Response

from api.accounts.roles import Resource
from api.common.viewsets import CRUDViewSet
from api.org import selectors, services
from api.org.filters import DepartmentFilter, EmployeeFilter, ProjectFilter
from api.org.serializers import (
    DepartmentSerializer,
    DepartmentWriteSerializer,
    EmployeeSerializer,
    EmployeeWriteSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
)

_WRITES = {"create": status.HTTP_201_CREATED, "update": 200, "partial_update": 200}


def _documents_writes(cls):
    """Requests take the write shape (ids); answers are the read shape (nested briefs)."""
    for name, code in _WRITES.items():
        schema = swagger_auto_schema(
            request_body=cls.write_serializer_class, responses={code: cls.serializer_class}
        )
        cls = method_decorator(name=name, decorator=schema)(cls)
    return cls


class _ReadWriteViewSet(CRUDViewSet):
    """Validates writes with `write_serializer_class`, answers with `serializer_class`.

    The answer is re-read through the selector, so it carries the same annotations
    and briefs as a GET of that object.
    """

    write_serializer_class: type

    def get_serializer_class(self):
        if self.action in _WRITES:
            return self.write_serializer_class
        return self.serializer_class

    def _respond(self, instance, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=instance.pk)
        return Response(self.serializer_class(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.perform_create(body)
        return self._respond(body.instance, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        body = self.get_serializer(
            self.get_object(), data=request.data, partial=kwargs.get("partial", False)
        )
        body.is_valid(raise_exception=True)
        self.perform_update(body)
        return self._respond(body.instance)


@_documents_writes
class DepartmentViewSet(_ReadWriteViewSet):
    """The org chart: readable by everyone signed in; deactivate rather than delete."""

    resource = Resource.DEPARTMENTS
    serializer_class = DepartmentSerializer
    write_serializer_class = DepartmentWriteSerializer
    filterset_class = DepartmentFilter
    search_fields = ("code", "name")
    ordering_fields = ("code", "name", "employee_count", "created_at")
    ordering = ("code",)

    def visible_queryset(self, user):
        return selectors.departments_visible_to(user=user)

    def perform_create(self, serializer):
        serializer.instance = services.department_create(
            data=serializer.validated_data, by=self.request.user
        )

    def perform_update(self, serializer):
        serializer.instance = services.department_update(
            department=serializer.instance, data=serializer.validated_data, by=self.request.user
        )


@_documents_writes
class EmployeeViewSet(_ReadWriteViewSet):
    """The company directory. Department admins maintain their own department's people.

    People who leave are deactivated (`PATCH {"is_active": false}`), which also locks
    their login; deleting someone with history is refused (409).
    """

    resource = Resource.EMPLOYEES
    serializer_class = EmployeeSerializer
    write_serializer_class = EmployeeWriteSerializer
    filterset_class = EmployeeFilter
    search_fields = ("employee_code", "first_name", "last_name", "email")
    ordering_fields = ("employee_code", "last_name", "first_name", "position", "created_at")
    ordering = ("last_name", "first_name", "employee_code")

    def visible_queryset(self, user):
        return selectors.employees_visible_to(user=user)

    def perform_create(self, serializer):
        serializer.instance = services.employee_create(
            data=serializer.validated_data, by=self.request.user
        )

    def perform_update(self, serializer):
        serializer.instance = services.employee_update(
            employee=serializer.instance, data=serializer.validated_data, by=self.request.user
        )

    def perform_destroy(self, instance):
        services.employee_delete(employee=instance, by=self.request.user)


@_documents_writes
class ProjectViewSet(_ReadWriteViewSet):
    """Projects overtime and tasks are booked against; department admins run their own."""

    resource = Resource.PROJECTS
    serializer_class = ProjectSerializer
    write_serializer_class = ProjectWriteSerializer
    filterset_class = ProjectFilter
    search_fields = ("code", "name")
    ordering_fields = ("code", "name", "start_date", "end_date", "created_at")
    ordering = ("code",)

    def visible_queryset(self, user):
        return selectors.projects_visible_to(user=user)

    def perform_create(self, serializer):
        serializer.instance = services.project_create(
            data=serializer.validated_data, by=self.request.user
        )

    def perform_update(self, serializer):
        serializer.instance = services.project_update(
            project=serializer.instance, data=serializer.validated_data, by=self.request.user
        )

    def perform_destroy(self, instance):
        services.project_delete(project=instance, by=self.request.user)
