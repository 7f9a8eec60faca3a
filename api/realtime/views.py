from django.conf import settings
from drf_yasg.utils import no_body, swagger_auto_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from api.common.cache import CACHE_ERRORS, cache_unavailable
from api.common.serializers import Serializer
from api.common.throttling import SwitchableUserThrottle
from api.realtime.auth import issue_ticket


class TicketSerializer(Serializer):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds to open the socket with it.")


class TicketThrottle(UserRateThrottle):
    """REALTIME_TICKET_RATE per user, whatever THROTTLING_ENABLED says: a client in a
    reconnect loop must not mint tickets (and sockets) without end. Fails open when
    the cache is unreachable, like every other throttle here."""

    scope = "socket_ticket"

    @property
    def THROTTLE_RATES(self) -> dict:
        return {self.scope: settings.REALTIME_TICKET_RATE}

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            cache_unavailable("throttle", exc)
            return True


class SocketTicketView(APIView):
    """A one-time ticket to authenticate a WebSocket with, for clients that would
    rather not hand their access token to a socket (docs/realtime.md)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [SwitchableUserThrottle, TicketThrottle]

    @swagger_auto_schema(
        request_body=no_body,
        responses={201: TicketSerializer, 429: "Too many tickets."},
        tags=["realtime"],
    )
    def post(self, request):
        claims = request.auth.payload if hasattr(request.auth, "payload") else request.auth
        ticket = issue_ticket(
            user=request.user,
            session_id=claims.get("sid"),
            expires_at=float(claims["exp"]),
        )
        return Response(
            {"ticket": ticket, "expires_in": settings.REALTIME_TICKET_SECONDS},
            status=status.HTTP_201_CREATED,
        )
