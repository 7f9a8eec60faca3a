"""Write generations: a counter per model in the cache, moved by every write.

Anything cached from a model's rows (a list count, a rendered list page, a user's
identity) is stored with the generations it was built at and served only while they
are unchanged. Every ORM save or delete of an `api` model moves its generation
(api.common.receivers); bulk writes, which send no signals, call `rows_changed`
themselves. A generation that vanished from the cache restarts above every value
it had (see restart_number), so an old entry never looks current again.
"""

from __future__ import annotations

from functools import partial

from django.core.cache import cache
from django.db import transaction

from api.common.cache import CACHE_ERRORS, cache_unavailable, restart_number


def generation_key(model) -> str:
    return f"gen:{model._meta.label_lower}"


def bump_generation(model) -> None:
    try:
        cache.incr(generation_key(model))
    except ValueError:  # not set yet (or evicted): start a new generation
        cache.set(generation_key(model), restart_number(), timeout=None)
    except CACHE_ERRORS as exc:
        cache_unavailable("count generation", exc)


def generations_in(found: dict, models) -> tuple[int, ...]:
    """The write generations of `models` from a `get_many` result that asked for
    their keys; a missing one is started now (never read as 0: see restart_number)."""
    values = []
    for model in models:
        key = generation_key(model)
        value = found.get(key)
        if value is None:
            cache.add(key, restart_number(), timeout=None)
            value = cache.get(key)
        values.append(value)
    return tuple(values)


def rows_changed(model) -> None:
    """Cached counts and list pages of `model` are stale: now, and again once the
    transaction commits (a reader between the first bump and the commit still saw
    the old rows, and may have cached them under the new generation). Signals call
    it for every ORM save and delete; bulk writes, which send none, call it."""
    bump_generation(model)
    transaction.on_commit(partial(bump_generation, model))
