from django.conf import settings
from drf_yasg.utils import no_body, swagger_auto_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.common.serializers import Serializer
from api.realtime.auth import issue_ticket


class TicketSerializer(Serializer):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds to open the socket with it.")


class SocketTicketView(APIView):
    """A one-time ticket to authenticate a WebSocket with, for clients that would
    rather not hand their access token to a socket (docs/realtime.md)."""

    permission_classes = [IsAuthenticated]

    @swagger_auto_schema(request_body=no_body, responses={201: TicketSerializer}, tags=["realtime"])
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
