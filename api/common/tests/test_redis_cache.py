"""One django-redis client per process (api/common/redis_cache.py): the cache object
Django makes for each request's context reuses it, and leaves no cyclic garbage."""

from __future__ import annotations

import contextvars
import gc

import pytest
from django.core.cache import caches
from django_redis.cache import RedisCache
from django_redis.client import DefaultClient

from api.common.redis_cache import SharedClientRedisCache

pytestmark = pytest.mark.usefixtures("redis_available")


def _cache_in_a_fresh_context() -> SharedClientRedisCache:
    """What a request served by Daphne gets: `caches` is per async context."""

    def use():
        cache = caches["default"]
        cache.get("redis-cache-test")
        return cache

    return contextvars.Context().run(use)


def test_the_settings_use_the_shared_client_backend():
    assert isinstance(caches["default"], SharedClientRedisCache)


def test_cache_objects_of_different_requests_share_one_client():
    first, second = _cache_in_a_fresh_context(), _cache_in_a_fresh_context()

    assert first is not second  # Django's per-context objects...
    assert first.client is second.client  # ...and one client between them
    assert first.client.get_client() is second.client.get_client()  # one redis.Redis


def test_other_settings_get_a_client_of_their_own(settings):
    shared = _cache_in_a_fresh_context().client
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": "other-prefix"},
    }

    other = _cache_in_a_fresh_context()

    assert other.client is not shared
    assert other.make_key("k").startswith("other-prefix")


def test_a_request_context_leaves_no_cyclic_garbage():
    """django-redis's own backend and client point at each other: every request left
    a cycle for the deferred full collection (some MB a minute under load)."""
    _cache_in_a_fresh_context()
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds lands in gc.garbage
    try:
        for _ in range(50):
            _cache_in_a_fresh_context()
        gc.collect()
        left = [obj for obj in gc.garbage if isinstance(obj, (RedisCache, DefaultClient))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert left == []
