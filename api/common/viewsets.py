"""The one style every resource uses: a DRF ViewSet that adapts HTTP to selectors
(reads, scoped by permission) and services (writes, audited)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.exceptions import MethodNotAllowed

from api.accounts.permissions import HasResourcePermission
from api.common.services import instance_create, instance_delete, instance_update


class ResourceViewSet(viewsets.GenericViewSet):
    """Base of every /api/v1 resource.

    Subclasses set `resource` (permission matrix), `serializer_class`, and
    `visible_queryset(user)` returning the domain selector's queryset for that user.
    Writes (CRUDViewSet) default to the generic audited services; resources with
    rules override `perform_create` / `perform_update` / `perform_destroy`.
    """

    permission_classes = [HasResourcePermission]
    resource: str

    def visible_queryset(self, user) -> QuerySet:
        raise NotImplementedError(f"{type(self).__name__} must say what a user may see")

    def initial(self, request, *args, **kwargs) -> None:
        # A method the route does not offer is 405 for everyone, before roles are
        # consulted (DRF would check permissions first and say 403 to some).
        if getattr(self, request.method.lower(), None) is None:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return self.get_serializer_class().Meta.model.objects.none()
        return self.visible_queryset(self.request.user)


class AuditedWritesMixin:
    """Routes DRF's save hooks to the audited generic services.

    It must come before DRF's model mixins in the bases, whose own perform_* hooks
    would otherwise win (they call serializer.save() with no audit).
    """

    def perform_create(self, serializer) -> None:
        serializer.instance = instance_create(
            model=serializer.Meta.model, data=serializer.validated_data, by=self.request.user
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = instance_update(
            instance=serializer.instance, data=serializer.validated_data, by=self.request.user
        )

    def perform_destroy(self, instance) -> None:
        instance_delete(instance=instance, by=self.request.user)


class CRUDViewSet(
    AuditedWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ResourceViewSet,
):
    """List, retrieve, create, update (PUT/PATCH), delete."""


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    """List and retrieve only (append-only resources such as logs)."""
