"""List pages served again from the cache until something they show changes.

A page of the overtime list costs a few milliseconds of Python and three queries.
The same person asking for the same page again (a dashboard refreshing, a tab
coming back, paging back and forth) gets the bytes rendered last time, after
authentication, permissions and throttling as usual.

An entry is keyed by the view, the user (whose role, department and employee link
decide the scope) and the query string, and is served only while the write
generations of every model the representation reads (`list_cache_models`) are the
ones it was built at. Every ORM save or delete of an `api` model bumps its
generation, at once and again after commit (api/common/generations.rows_changed),
and bulk writes bump it themselves, so no entry outlives a change made through the
application. Writes outside the ORM show after
`LIST_CACHE_SECONDS` at most; 0 turns the cache off.

HTTP semantics: each page carries an ETag (a hash of its body) and
`Cache-Control: private, no-cache`; `If-None-Match` with the current tag gets 304
and no body; a request with `Cache-Control: no-cache` is built afresh.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.http import parse_etags

from api.common.cache import CACHE_ERRORS, cache_unavailable
from api.common.generations import generation_key, generations_in
from api.common.renderers import JSONRenderer
from api.common.representation import Rendering


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'


def models_read(rendering: Rendering, scope_models=()) -> tuple:
    """Every model a page shows (the rendering's) or decides its rows by (the scope's),
    each once, in a fixed order (the entry stores their generations as a tuple)."""
    return tuple(dict.fromkeys((*rendering.models(), *scope_models)))


class CachedListMixin:
    """For a ViewSet whose `list` output depends only on the user, the query string
    and the rows of `list_cache_models` (every model its representation reads).

    A ViewSet that renders its rows with a Rendering names it in `list_rendering`
    and the models its scope reads in `list_scope_models`; `list_cache_models` is
    then derived from them, so a relation added to the rendering is watched too.
    """

    list_cache_models: tuple = ()
    list_rendering: Rendering | None = None
    list_scope_models: tuple = ()
    # The list's count when the cache had it, for the paginator (None: count).
    list_known_count: int | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.list_rendering is not None:
            cls.list_cache_models = models_read(cls.list_rendering, cls.list_scope_models)

    def list(self, request, *args, **kwargs):
        if not self._list_cacheable(request):
            return self.uncached_list(request, *args, **kwargs)
        entry_key, count_key = self._list_cache_keys(request, request.user.pk)
        keys = self._list_lookup_keys(request, request.user.pk)
        # Read with the caller's identity when the authentication could (it asked
        # cache_keys_with_identity), else here: either way one round trip.
        prefetched = getattr(request, "cached_with_identity", None)
        try:
            if prefetched is not None and prefetched[0] == keys:
                found = prefetched[1]
            else:
                found = cache.get_many(keys)
            generations = generations_in(found, self.list_cache_models)
        except CACHE_ERRORS as exc:
            cache_unavailable("list cache", exc)
            return self.uncached_list(request, *args, **kwargs)
        entry = found.get(entry_key)
        if entry is None or entry[0] != generations:
            entry = self._build_entry(
                request, generations, (entry_key, count_key), found.get(count_key), args, kwargs
            )
            if isinstance(entry, HttpResponseBase):
                return entry
        _, body, etag = entry
        if_none_match = request.headers.get("If-None-Match", "")
        if etag in parse_etags(if_none_match) or if_none_match.strip() == "*":
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type=request.accepted_media_type)
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return response

    def _build_entry(self, request, generations, keys, cached_count, args, kwargs):
        """The page built afresh, stored under the generations read *before* building
        (a write meanwhile has bumped them, so it is never served as newer than it is),
        with the list's count when it had to be counted. A non-200 answer is returned
        as it is."""
        # The count depends on the listed model's rows and the scope only, not on the
        # related rows a page shows: a new break or a renamed project keeps it.
        count_generations = self._count_generations(generations)
        known = cached_count is not None and cached_count[0] == count_generations
        self.list_known_count = cached_count[1] if known else None
        response = self.uncached_list(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        body = request.accepted_renderer.render(
            response.data, request.accepted_media_type, self.get_renderer_context()
        )
        entry = (generations, body, _etag(body))
        entry_key, count_key = keys
        entries = {entry_key: entry}
        count = response.data.get("count") if isinstance(response.data, dict) else None
        if not known and isinstance(count, int) and count >= settings.COUNT_CACHE_MIN_ROWS:
            entries[count_key] = (count_generations, count)
        try:
            # One entry (the count already known) is one SET: a set_many is a
            # pipelined transaction, twice the client's CPU for the same round trip.
            if len(entries) == 1:
                cache.set(entry_key, entry, timeout=settings.LIST_CACHE_SECONDS)
            else:
                cache.set_many(entries, timeout=settings.LIST_CACHE_SECONDS)
        except CACHE_ERRORS as exc:
            cache_unavailable("list cache", exc)
        return entry

    def _count_generations(self, generations: tuple) -> tuple:
        counted = (self.list_cache_models[0], *self.list_scope_models)
        return tuple(
            generation
            for model, generation in zip(self.list_cache_models, generations, strict=True)
            if model in counted
        )

    def uncached_list(self, request, *args, **kwargs):
        """The page itself; views with their own list code override this, not `list`."""
        return super().list(request, *args, **kwargs)

    def _list_cacheable(self, request) -> bool:
        if not settings.LIST_CACHE_SECONDS or not self.list_cache_models:
            return False
        # Only the plain JSON rendering (not ?format=api, not an indent= media type).
        return (
            type(request.accepted_renderer) is JSONRenderer
            and request.accepted_media_type == JSONRenderer.media_type
        )

    def cache_keys_with_identity(self, request, user_id) -> tuple[str, ...]:
        """What `list` will look up for this caller, for the authentication to read
        with the identity (api.accounts.auth.authentication)."""
        if getattr(self, "action", None) != "list" or not hasattr(request, "accepted_renderer"):
            return ()
        if not self._list_cacheable(request):
            return ()
        return self._list_lookup_keys(request, user_id)

    def _list_lookup_keys(self, request, user_id) -> tuple[str, ...]:
        """The entry, the list's count and the generations they must have been taken
        at. A request that asks for a fresh page does not fetch the stored one (the
        whole rendered body) only to ignore it."""
        entry_key, count_key = self._list_cache_keys(request, user_id)
        fresh = "no-cache" not in request.headers.get("Cache-Control", "")
        return (
            *((entry_key, count_key) if fresh else (count_key,)),
            *(generation_key(model) for model in self.list_cache_models),
        )

    def _list_cache_keys(self, request, user_id) -> tuple[str, str]:
        """The page's key, and its list's count's (the same query, any page)."""
        known = self.__dict__.get("_list_keys")  # a view serves one request
        if known is not None and known[0] == user_id:
            return known[1]
        query = sorted(request.query_params.lists())
        identity = f"{type(self).__qualname__}|{user_id}"
        paginator = self.paginator
        paging = (
            getattr(paginator, "page_query_param", None),
            getattr(paginator, "page_size_query_param", None),
        )
        filters = [(key, values) for key, values in query if key not in paging]
        keys = (
            "list:"
            + hashlib.sha1(f"{identity}|{query}".encode(), usedforsecurity=False).hexdigest(),
            "list-count:"
            + hashlib.sha1(f"{identity}|{filters}".encode(), usedforsecurity=False).hexdigest(),
        )
        self._list_keys = (user_id, keys)
        return keys
