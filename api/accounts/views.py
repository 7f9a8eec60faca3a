import django_filters
from drf_yasg.utils import swagger_auto_schema
from rest_framework import status
from rest_framework.response import Response

from api.accounts import selectors, services
from api.accounts.models import AuthSource, User
from api.accounts.roles import Resource, Role
from api.accounts.serializers import (
    AccessControlUserSerializer,
    AccessUpdateSerializer,
    LocalUserCreateSerializer,
)
from api.common.viewsets import CRUDViewSet


class AccessControlUserFilter(django_filters.FilterSet):
    role = django_filters.MultipleChoiceFilter(choices=Role.choices)
    department = django_filters.NumberFilter(field_name="employee__department_id")
    auth_source = django_filters.ChoiceFilter(
        choices=AuthSource.choices, method="filter_auth_source"
    )

    class Meta:
        model = User
        fields = ("is_active",)

    def filter_auth_source(self, queryset, name, value):
        return queryset.filter(external_identity__isnull=value == AuthSource.LOCAL)


class AccessControlViewSet(CRUDViewSet):
    """Accounts, their roles and per-user permission overrides.

    Create makes a local (password) account; PUT/PATCH set the role and/or replace the
    overrides; DELETE deactivates the account and ends its sessions (never deletes).
    Nobody changes their own access, and only developers manage developers.
    """

    resource = Resource.ACCESS_CONTROL
    serializer_class = AccessControlUserSerializer
    filterset_class = AccessControlUserFilter
    search_fields = ("username", "first_name", "last_name", "email")
    ordering_fields = ("username", "role", "date_joined", "last_login")
    ordering = ("username",)

    def visible_queryset(self, user):
        return selectors.users_access_visible_to(user=user)

    def _respond(self, user, code=status.HTTP_200_OK) -> Response:
        # A department admin granted `create` may make an account outside their scope;
        # they still get it back, just without the prefetched shape.
        fresh = self.get_queryset().filter(pk=user.pk).first() or user
        return Response(AccessControlUserSerializer(fresh).data, status=code)

    @swagger_auto_schema(
        request_body=LocalUserCreateSerializer, responses={201: AccessControlUserSerializer}
    )
    def create(self, request, *args, **kwargs):
        body = LocalUserCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.user_local_create(by=request.user, **body.validated_data)
        return self._respond(created, status.HTTP_201_CREATED)

    @swagger_auto_schema(
        request_body=AccessUpdateSerializer, responses={200: AccessControlUserSerializer}
    )
    def update(self, request, *args, **kwargs):
        body = AccessUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = services.user_access_update(
            user=self.get_object(), by=request.user, **body.validated_data
        )
        return self._respond(updated)

    @swagger_auto_schema(
        request_body=AccessUpdateSerializer, responses={200: AccessControlUserSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.user_deactivate(user=instance, by=self.request.user)
