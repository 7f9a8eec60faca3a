"""Page-number pagination with counts that do not cost a full scan on every page.

COUNT(*) over a large result (100,000 overtime requests: ~10 ms in PostgreSQL) would
dominate every page view. A count at or above COUNT_CACHE_MIN_ROWS is cached for
COUNT_CACHE_SECONDS under the query's SQL and the model's write generation
(api.common.generations), so a cached count is exact after any write through the
application. Writes outside the ORM (bulk SQL, data loads) show up within the TTL.
Small counts are always exact: they are cheap to compute.
"""

from __future__ import annotations

import hashlib
from functools import cached_property, partial

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from api.common.cache import CACHE_ERRORS, cache_unavailable
from api.common.generations import generation_key, generations_in


class ListPage(Page):
    """Iterates its rows as the list they are: Page's inherited Sequence iteration
    indexes them one at a time through `__getitem__` and its checks (DRF takes
    `list(page)` of every page)."""

    def __iter__(self):
        if not isinstance(self.object_list, list):
            self.object_list = list(self.object_list)
        return iter(self.object_list)


class CachedCountPaginator(Paginator):
    def __init__(self, *args, scope_key: str | None = None, known: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The count when the caller already has it (the list cache keeps one with
        # each list: api.common.list_cache), which saves this cache's round trip.
        self.known = known
        # Who asks, through which view, with which filters: with the model's write
        # generation that determines the count, without compiling SQL to hash it.
        self.scope_key = scope_key

    def _get_page(self, *args, **kwargs) -> ListPage:
        return ListPage(*args, **kwargs)

    @cached_property
    def count(self) -> int:
        if self.known is not None:
            return self.known
        queryset = self.object_list
        if self.scope_key is not None:
            identity = f"{queryset.model._meta.label_lower}|{self.scope_key}"
        else:
            sql, params = queryset.query.sql_with_params()
            identity = f"{sql}|{params}"
        digest = hashlib.sha1(identity.encode(), usedforsecurity=False).hexdigest()
        count_key, gen_key = f"count:{digest}", generation_key(queryset.model)
        try:
            # One round trip: the entry and the generation it must have been taken at.
            found = cache.get_many([count_key, gen_key])
            (generation,) = generations_in(found, [queryset.model])
        except CACHE_ERRORS as exc:
            cache_unavailable("count cache", exc)
            return queryset.count()
        cached = found.get(count_key)
        if cached is not None and cached[0] == generation:
            return cached[1]
        count = queryset.count()
        if count >= settings.COUNT_CACHE_MIN_ROWS:
            try:
                cache.set(count_key, (generation, count), timeout=settings.COUNT_CACHE_SECONDS)
            except CACHE_ERRORS as exc:
                cache_unavailable("count cache", exc)
        return count


class StandardPagination(PageNumberPagination):
    """`?page=N&page_size=M`; the page size is capped so a client cannot ask for all rows."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CachedCountPaginator

    def paginate_queryset(self, queryset, request, view=None):
        # DRF builds the paginator from this attribute; bind the request's scope to it.
        self.django_paginator_class = partial(
            CachedCountPaginator,
            scope_key=self._scope_key(request, view),
            known=getattr(view, "list_known_count", None),
        )
        return super().paginate_queryset(queryset, request, view)

    def _scope_key(self, request, view) -> str | None:
        user = getattr(request, "user", None)
        if view is None or user is None or not user.is_authenticated:
            return None
        filters = sorted(
            (key, value)
            for key, values in request.query_params.lists()
            if key not in (self.page_query_param, self.page_size_query_param)
            for value in values
        )
        # The department matters only if the selector used it, in which case it has
        # already been looked up (and cached on the user) when the scope was built.
        department = user.__dict__.get("_department_id")
        scope = (user.pk, user.role, department, type(view).__qualname__)
        return f"{scope}|{filters}"

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "page": self.page.number,
                "page_size": self.get_page_size(self.request),
                "total_pages": self.page.paginator.num_pages,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        base["properties"].update(
            {
                "page": {"type": "integer", "example": 1},
                "page_size": {"type": "integer", "example": self.page_size},
                "total_pages": {"type": "integer", "example": 1},
            }
        )
        base["required"] = ["count", "page", "page_size", "total_pages", "results"]
        return base
