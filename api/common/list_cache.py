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
from rest_framework.renderers import JSONRenderer

from api.common.cache import CACHE_ERRORS, cache_unavailable
from api.common.generations import generation_key, generations_in
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
        # One round trip: the entry, the list's count and the generations they must
        # have been taken at.
        entry_key, count_key = self._list_cache_keys(request)
        generation_keys = [generation_key(model) for model in self.list_cache_models]
        try:
            found = cache.get_many([entry_key, count_key, *generation_keys])
            generations = generations_in(found, self.list_cache_models)
        except CACHE_ERRORS as exc:
            cache_unavailable("list cache", exc)
            return self.uncached_list(request, *args, **kwargs)
        entry = found.get(entry_key)
        fresh = "no-cache" not in request.headers.get("Cache-Control", "")
        if entry is None or entry[0] != generations or not fresh:
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

    def _list_cache_keys(self, request) -> tuple[str, str]:
        """The page's key, and its list's count's (the same query, any page)."""
        query = sorted(request.query_params.lists())
        identity = f"{type(self).__qualname__}|{request.user.pk}"
        paginator = self.paginator
        paging = (
            getattr(paginator, "page_query_param", None),
            getattr(paginator, "page_size_query_param", None),
        )
        filters = [(key, values) for key, values in query if key not in paging]
        return (
            "list:"
            + hashlib.sha1(f"{identity}|{query}".encode(), usedforsecurity=False).hexdigest(),
            "list-count:"
            + hashlib.sha1(f"{identity}|{filters}".encode(), usedforsecurity=False).hexdigest(),
        )
