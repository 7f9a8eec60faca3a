"""The one style every resource uses: a DRF ViewSet that adapts HTTP to selectors
(reads, scoped by permission) and services (writes, audited)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from drf_yasg.utils import no_body, swagger_auto_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from api.common.exceptions import InvalidInput
from api.common.filters import require_known_parameters
from api.common.permissions import resource_permission
from api.common.serializers import UNKNOWN_FIELD
from api.common.services import instance_create, instance_delete, instance_update


class ResourceViewSet(viewsets.GenericViewSet):
    """Base of every /api/v1 resource.

    Subclasses set `resource` (permission matrix), `serializer_class`, and
    `visible_queryset(user)` returning the domain selector's queryset for that user.
    Writes (CRUDViewSet) default to the generic audited services; resources with
    rules override `perform_create` / `perform_update` / `perform_destroy`.
    """

    # The permission matrix of api.accounts, registered at start-up (api/apps.py).
    permission_classes = [resource_permission]
    resource: str

    # Actions that read no body (a mark-read, a retry): a key sent to one is refused.
    bodyless_actions: tuple[str, ...] = ()

    def visible_queryset(self, user) -> QuerySet:
        raise NotImplementedError(f"{type(self).__name__} must say what a user may see")

    def initial(self, request, *args, **kwargs) -> None:
        # A method the route does not offer is 405 for everyone, before roles are
        # consulted (DRF would check permissions first and say 403 to some).
        if getattr(self, request.method.lower(), None) is None:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        # After authentication and permissions: what the server does not understand
        # is a 400 naming it, never silently ignored (api.common.filters).
        require_known_parameters(self, request)
        if getattr(self, "action", None) in self.bodyless_actions:
            refuse_body(request)

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


@dataclass(frozen=True)
class WorkflowAction:
    """One step of a record's workflow, offered as `POST /<resource>/<id>/<name>/`.

    The endpoint validates `body` (when the step takes one), then calls
    `service(<workflow_subject>=<the record>, by=<the user>, **validated body)` and
    answers 200 with the record as the viewset renders it (`respond`). `permission`
    is the permission-matrix action the step needs; `doc` documents the endpoint.
    """

    service: Callable
    permission: str
    body: type[serializers.Serializer] | None = None
    url_path: str | None = None
    doc: str | None = None


class WorkflowActionsMixin:
    """Declares the workflow steps of a ViewSet in one table, `workflow_actions`
    (action name -> WorkflowAction), instead of a hand-written endpoint per step.

    Subclasses set `workflow_subject` (the keyword their services name the record
    by) and `respond(record)`. The steps' permission actions join
    `permission_actions`, which stays the place for the viewset's other actions.
    """

    workflow_actions: dict[str, WorkflowAction] = {}
    workflow_subject: str

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        steps = cls.__dict__.get("workflow_actions")
        if not steps:
            return
        cls.permission_actions = {
            **{name: step.permission for name, step in steps.items()},
            **cls.__dict__.get("permission_actions", {}),
        }
        for name, step in steps.items():
            setattr(cls, name, _workflow_endpoint(cls, name, step))

    def respond(self, record, code: int = 200) -> Response:
        raise NotImplementedError(f"{type(self).__name__} must say how it renders a record")


def refuse_body(request) -> None:
    """A call that reads no body takes none: a key sent is one the server would drop."""
    if not request.data:
        return
    if not isinstance(request.data, Mapping):
        raise InvalidInput("This call takes no body.")
    raise InvalidInput({str(key): [UNKNOWN_FIELD] for key in request.data})


def _workflow_endpoint(viewset: type, name: str, step: WorkflowAction):
    def endpoint(self, request, pk=None):
        arguments = {}
        if step.body is None:
            refuse_body(request)
        else:
            body = step.body(data=request.data)
            body.is_valid(raise_exception=True)
            arguments = dict(body.validated_data)
        subject = {self.workflow_subject: self.get_object()}
        return self.respond(step.service(**subject, by=request.user, **arguments))

    endpoint.__name__ = name
    endpoint.__qualname__ = f"{viewset.__qualname__}.{name}"
    endpoint.__module__ = viewset.__module__
    endpoint.__doc__ = step.doc
    routed = action(detail=True, methods=["post"], url_path=step.url_path)(endpoint)
    return swagger_auto_schema(
        request_body=step.body or no_body, responses={200: viewset.serializer_class}
    )(routed)
