"""django-redis's cache backend with one client per process instead of one per request.

Django keeps a cache object per async context, so under Daphne every request builds a
new `RedisCache`, which builds a new django-redis `DefaultClient` (importing and
instantiating its serializer and compressor) and, on first use, a new `redis.Redis`
with its own response-callback table. Measured here: ~0.5 ms of CPU and ~15 KB of
cyclic garbage per request (backend ↔ client reference each other), garbage that the
server process frees only at its deferred full collections (api/common/gc_policy.py),
so Daphne's memory climbed between them by some MB a minute under load.

The client holds no per-request state: its connections come from a pool that
django-redis already shares per server URL, and what it reads from its backend (key
prefix, version, default timeout) comes from the cache's settings. So every cache
object of the same settings can share the first one's client, for the life of the
process. redis-py clients are thread-safe (each command takes a connection from the
pool), and the pool notices a fork and starts afresh in the child.
"""

from __future__ import annotations

import json
import threading
from typing import Any, ClassVar

from django_redis.cache import RedisCache


class SharedClientRedisCache(RedisCache):
    _shared_clients: ClassVar[dict[str, Any]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def _settings_key(self) -> str:
        # Same server and the same settings (prefix, version, timeouts, options):
        # the same client. Test overrides of CACHES get clients of their own.
        return json.dumps([self._server, self._params], sort_keys=True, default=repr)

    @property
    def client(self):
        if self._client is None:
            key = self._settings_key()
            client = self._shared_clients.get(key)
            if client is None:
                with self._lock:
                    client = self._shared_clients.get(key)
                    if client is None:
                        client = self._client_cls(self._server, self._params, self)
                        self._shared_clients[key] = client
            self._client = client
        return self._client
