"""WebSocket routes. The consumers (notifications, board, task detail) arrive with the
realtime work; the router exists now so the ASGI application is complete."""

websocket_urlpatterns: list = []
