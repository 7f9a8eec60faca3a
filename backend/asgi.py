"""ASGI entry point: HTTP through Django, WebSockets through Channels (realtime issue)."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

# Django must be set up before anything imports models (consumers, routing).
django.setup(set_prefix=False)

from api.common.asgi import SingleHopASGIHandler  # noqa: E402

django_asgi_app = SingleHopASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from api.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)

# Everything imported so far lives as long as the process: move it out of the garbage
# collector's sight, so full collections (which pause the event loop, and with it every
# socket) walk only what requests and sockets allocate.
gc.freeze()
