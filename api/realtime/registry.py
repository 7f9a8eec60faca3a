"""What the domains tell realtime, filled in from ApiConfig.ready() (api/apps.py).

Realtime knows how to deliver, not who may see what: each domain registers

- a stream checker per kind of stream ("board", "task"): may this user follow it?
  (checked on every subscribe, resume and permission change);
- an audience resolver per kind of subject ("task"): who may receive an event about
  it, for helpers called without an explicit audience.

A stream kind nobody registered is followed by nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.accounts.models import User
from api.realtime.audience import Audience
from api.realtime.streams import kind_of, user_id_of

StreamChecker = Callable[[User, str], bool]
AudienceResolver = Callable[..., Audience]


def _own_user_stream(user: User, stream: str) -> bool:
    """One's own notifications and permission updates: identity, not a domain rule."""
    return user_id_of(stream) == user.pk


_checkers: dict[str, StreamChecker] = {"user": _own_user_stream}
_resolvers: dict[str, AudienceResolver] = {}


def register_stream(kind: str, checker: StreamChecker) -> None:
    _checkers[kind] = checker


def register_audience(kind: str, resolver: AudienceResolver) -> None:
    _resolvers[kind] = resolver


def may_read(user: User, stream: str) -> bool:
    """Sync (it queries): call through database_sync_to_async from a consumer."""
    checker = _checkers.get(kind_of(stream))
    return checker is not None and checker(user, stream)


def audience_of(kind: str, subject_id: int, **hints: Any) -> Audience:
    """The audience of one subject, by the rule of the domain that registered `kind`."""
    try:
        resolver = _resolvers[kind]
    except KeyError:
        raise LookupError(f"No audience resolver registered for {kind!r}.") from None
    return resolver(subject_id, **hints)
