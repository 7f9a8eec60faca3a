from drf_yasg.utils import swagger_auto_schema
from rest_framework import status
from rest_framework.response import Response

from api.accounts.roles import Action, Resource
from api.common.viewsets import CRUDViewSet, WorkflowAction, WorkflowActionsMixin
from api.purchasing import selectors, services
from api.purchasing.filters import AssetFilter, PurchaseRequestFilter
from api.purchasing.serializers import (
    AssetSerializer,
    AssetWriteSerializer,
    PurchaseApproveSerializer,
    PurchaseRejectSerializer,
    PurchaseRequestSerializer,
    PurchaseRequestUpdateSerializer,
    PurchaseRequestWriteSerializer,
)


class PurchaseRequestViewSet(WorkflowActionsMixin, CRUDViewSet):
    """Purchase requests and their workflow (submit, approve, reject, mark-ordered,
    mark-received, cancel).

    Requesters see their own, department admins their department's, global admins all.
    """

    resource = Resource.PURCHASE_REQUESTS
    workflow_subject = "purchase"
    workflow_actions = {
        "submit": WorkflowAction(
            services.purchase_request_submit,
            Action.CHANGE,
            doc="Hands the draft to the department's admins.",
        ),
        "approve": WorkflowAction(
            services.purchase_request_approve, Action.APPROVE, body=PurchaseApproveSerializer
        ),
        "reject": WorkflowAction(
            services.purchase_request_reject, Action.APPROVE, body=PurchaseRejectSerializer
        ),
        "mark_ordered": WorkflowAction(
            services.purchase_request_mark_ordered, Action.APPROVE, url_path="mark-ordered"
        ),
        "mark_received": WorkflowAction(
            services.purchase_request_mark_received, Action.APPROVE, url_path="mark-received"
        ),
        "cancel": WorkflowAction(
            services.purchase_request_cancel,
            Action.CHANGE,
            doc="The requester withdraws a draft or a request awaiting its decision.",
        ),
    }
    serializer_class = PurchaseRequestSerializer
    filterset_class = PurchaseRequestFilter
    search_fields = ("number", "title")
    ordering_fields = ("created_at", "needed_by", "total_amount", "number", "status")
    ordering = ("-created_at", "-id")

    def visible_queryset(self, user):
        return selectors.purchase_requests_visible_to(user=user)

    def respond(self, purchase, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=purchase.pk)
        return Response(PurchaseRequestSerializer(fresh).data, status=code)

    @swagger_auto_schema(
        request_body=PurchaseRequestWriteSerializer, responses={201: PurchaseRequestSerializer}
    )
    def create(self, request, *args, **kwargs):
        body = PurchaseRequestWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.purchase_request_create(by=request.user, **body.service_arguments())
        return self.respond(created, status.HTTP_201_CREATED)

    @swagger_auto_schema(
        request_body=PurchaseRequestUpdateSerializer, responses={200: PurchaseRequestSerializer}
    )
    def update(self, request, *args, **kwargs):
        body = PurchaseRequestUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        updated = services.purchase_request_update(
            purchase=self.get_object(), by=request.user, **body.service_arguments()
        )
        return self.respond(updated)

    @swagger_auto_schema(
        request_body=PurchaseRequestUpdateSerializer, responses={200: PurchaseRequestSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.purchase_request_delete(purchase=instance, by=self.request.user)


class AssetViewSet(CRUDViewSet):
    """Company assets. Global admins see all; everyone else their department's assets
    and the ones they hold. Department admins manage their department's."""

    resource = Resource.ASSETS
    serializer_class = AssetSerializer
    filterset_class = AssetFilter
    search_fields = ("asset_tag", "serial_number", "name")
    ordering_fields = ("asset_tag", "purchase_date", "name", "status", "created_at")
    ordering = ("asset_tag",)

    def visible_queryset(self, user):
        return selectors.assets_visible_to(user=user)

    def _respond(self, asset, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=asset.pk)
        return Response(AssetSerializer(fresh).data, status=code)

    @swagger_auto_schema(request_body=AssetWriteSerializer, responses={201: AssetSerializer})
    def create(self, request, *args, **kwargs):
        body = AssetWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        asset = services.asset_create(by=request.user, data=body.validated_data)
        return self._respond(asset, status.HTTP_201_CREATED)

    @swagger_auto_schema(request_body=AssetWriteSerializer, responses={200: AssetSerializer})
    def update(self, request, *args, **kwargs):
        asset = self.get_object()
        body = AssetWriteSerializer(asset, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        updated = services.asset_update(asset=asset, by=request.user, data=body.validated_data)
        return self._respond(updated)

    @swagger_auto_schema(request_body=AssetWriteSerializer, responses={200: AssetSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)
