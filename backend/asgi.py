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
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from api.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)

# Daphne's access log gets paths without query strings (tokens in URLs stay out of it).
access_log.install()

# Last, so that everything imported above is frozen out of the collector's sight.
application = gc_policy.wrap(application)
