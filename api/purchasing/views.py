from drf_yasg.utils import no_body, swagger_auto_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.accounts.roles import Action, Resource
from api.common.viewsets import CRUDViewSet
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


class PurchaseRequestViewSet(CRUDViewSet):
    """Purchase requests and their workflow (submit, approve, reject, mark-ordered,
    mark-received, cancel).

    Requesters see their own, department admins their department's, global admins all.
    """

    resource = Resource.PURCHASE_REQUESTS
    permission_actions = {
        "submit": Action.CHANGE,
        "cancel": Action.CHANGE,
        "approve": Action.APPROVE,
        "reject": Action.APPROVE,
        "mark_ordered": Action.APPROVE,
        "mark_received": Action.APPROVE,
    }
    serializer_class = PurchaseRequestSerializer
    filterset_class = PurchaseRequestFilter
    search_fields = ("number", "title")
    ordering_fields = ("created_at", "needed_by", "total_amount", "number", "status")
    ordering = ("-created_at", "-id")

    def visible_queryset(self, user):
        return selectors.purchase_requests_visible_to(user=user)

    def _respond(self, purchase, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=purchase.pk)
        return Response(PurchaseRequestSerializer(fresh).data, status=code)

    @swagger_auto_schema(
        request_body=PurchaseRequestWriteSerializer, responses={201: PurchaseRequestSerializer}
    )
    def create(self, request, *args, **kwargs):
        body = PurchaseRequestWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.purchase_request_create(by=request.user, **body.service_arguments())
        return self._respond(created, status.HTTP_201_CREATED)

    @swagger_auto_schema(
        request_body=PurchaseRequestUpdateSerializer, responses={200: PurchaseRequestSerializer}
    )
    def update(self, request, *args, **kwargs):
        body = PurchaseRequestUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        updated = services.purchase_request_update(
            purchase=self.get_object(), by=request.user, **body.service_arguments()
        )
        return self._respond(updated)

    @swagger_auto_schema(
        request_body=PurchaseRequestUpdateSerializer, responses={200: PurchaseRequestSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.purchase_request_delete(purchase=instance, by=self.request.user)

    @swagger_auto_schema(request_body=no_body, responses={200: PurchaseRequestSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Hands the draft to the department's admins."""
        return self._respond(
            services.purchase_request_submit(purchase=self.get_object(), by=request.user)
        )

    @swagger_auto_schema(
        request_body=PurchaseApproveSerializer, responses={200: PurchaseRequestSerializer}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        body = PurchaseApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        approved = services.purchase_request_approve(
            purchase=self.get_object(), by=request.user, note=body.validated_data["note"]
        )
        return self._respond(approved)

    @swagger_auto_schema(
        request_body=PurchaseRejectSerializer, responses={200: PurchaseRequestSerializer}
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        body = PurchaseRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rejected = services.purchase_request_reject(
            purchase=self.get_object(), by=request.user, reason=body.validated_data["reason"]
        )
        return self._respond(rejected)

    @swagger_auto_schema(request_body=no_body, responses={200: PurchaseRequestSerializer})
    @action(detail=True, methods=["post"], url_path="mark-ordered")
    def mark_ordered(self, request, pk=None):
        return self._respond(
            services.purchase_request_mark_ordered(purchase=self.get_object(), by=request.user)
        )

    @swagger_auto_schema(request_body=no_body, responses={200: PurchaseRequestSerializer})
    @action(detail=True, methods=["post"], url_path="mark-received")
    def mark_received(self, request, pk=None):
        return self._respond(
            services.purchase_request_mark_received(purchase=self.get_object(), by=request.user)
        )

    @swagger_auto_schema(request_body=no_body, responses={200: PurchaseRequestSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The requester withdraws a draft or a request awaiting its decision."""
        return self._respond(
            services.purchase_request_cancel(purchase=self.get_object(), by=request.user)
        )


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
