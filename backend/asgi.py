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
# A full collection walks every live object: with 1,000 open sockets that is a pause of
# ~250 ms for all of them (measured: docs/performance.md). Requests allocate heavily, so
# the default thresholds (700, 10, 10) run one every few requests; these run young
# collections less often and full ones ten times less often. Young cycles are still
# freed promptly; only long-lived garbage cycles wait a little longer.
gc.set_threshold(10_000, 20, 100)
