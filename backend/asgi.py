"""ASGI entry point: HTTP through Django, WebSockets through Channels (realtime issue)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

# Django must be set up before anything imports models (consumers, routing).
django.setup(set_prefix=False)

from api.common import access_log, daphne_compat, gc_policy  # noqa: E402
from api.common.asgi import SingleHopASGIHandler  # noqa: E402

# Daphne's own error answers on API paths in the JSON error shape, and no second
# parse of multipart bodies by Twisted (api/common/daphne_compat.py).
daphne_compat.install()

django_asgi_app = SingleHopASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from api.realtime.routing import websocket_urlpatterns  # noqa: E402


class SocketOriginValidator(OriginValidator):
    """Which pages may open a socket: the front-end's origins (CORS_ALLOWED_ORIGINS, the
    same list that lets them call the API) and pages of the server's own host names
    (ALLOWED_HOSTS, any port, as before). A foreign page is refused at the handshake, so
    it cannot open a socket in a signed-in user's browser.

    A handshake with no Origin header at all does not come from a browser (browsers
    always send one): a native app or a script holds its own credentials, so it may
    connect and must authenticate in its first message like everyone else. An Origin
    header that is present but unreadable or `null` is still refused."""

    def __init__(self, application) -> None:
        super().__init__(application, allowed_origins=())

    async def __call__(self, scope, receive, send):
        if not any(name == b"origin" for name, _ in scope.get("headers", ())):
            return await self.application(scope, receive, send)
        return await super().__call__(scope, receive, send)

    def validate_origin(self, parsed_origin) -> bool:
        # Read per handshake, not frozen at import: the settings stay the one source.
        own_hosts = settings.ALLOWED_HOSTS
        if settings.DEBUG and not own_hosts:
            own_hosts = ["localhost", "127.0.0.1", "[::1]"]  # Django's own DEBUG default
        return any(
            pattern == "*" or self.match_allowed_origin(parsed_origin, pattern)
            for pattern in (*settings.CORS_ALLOWED_ORIGINS, *own_hosts)
        )


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SocketOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)

# Daphne's access log gets paths without query strings (tokens in URLs stay out of it).
access_log.install()

# Last, so that everything imported above is frozen out of the collector's sight.
application = gc_policy.wrap(application)
