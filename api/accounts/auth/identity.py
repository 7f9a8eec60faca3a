"""Who is calling, in one cache round trip per request.

Every authenticated request needs the same few facts: is the token's session logged
out, who is the user (active? password unchanged since the token?), which
per-resource overrides apply, and was the session's activity time written lately.
Asked one by one that is a database query and three cache reads on every call of
every endpoint; here it is one `get_many`.

The user row is cached with the User model's write generation (the one every ORM
save or bulk write bumps, at once and after commit: api.common.pagination.
rows_changed), so a deactivation, a role change or a new password counts from the
next request on. The cached copy leaves the password hash out: the token check
needs only its digest. Without the cache, the database answers everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from typing import Any

from django.core.cache import cache
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from api.accounts.models import User
from api.accounts.permissions import overrides_key, prefetch_overrides
from api.accounts.services import (
    session_is_closed,
    session_state_key,
    session_touch,
    session_touch_key,
)
from api.common.cache import CACHE_ERRORS, cache_unavailable
from api.common.generations import generation_key, generations_in

# A safety net only: any write to a user retires the cached copy at once.
USER_CACHE_SECONDS = 300


def _user_key(user_id: Any) -> str:
    return f"auth-user:{user_id}"


def _load_user(user_id: Any) -> tuple[User, str]:
    try:
        user = User.objects.get(**{api_settings.USER_ID_FIELD: user_id})
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise AuthenticationFailed("User not found", code="user_not_found") from exc
    return user, get_md5_hash_password(user.password)


def _without_password(user: User) -> User:
    """A copy whose password is a deferred field: not stored in the cache, loaded
    again only if something reads it, and left alone by save()."""
    copy = deepcopy(user)
    del copy.__dict__["password"]
    return copy


def token_user(validated_token) -> User:
    """The active user behind a validated local access token (AuthenticationFailed
    otherwise), with the session checks and activity time handled."""
    return token_identity(validated_token)[0]


def token_identity(validated_token, also: Sequence[str] = ()) -> tuple[User, dict[str, Any] | None]:
    """token_user, and the cache's entries for the keys `also`, read in the same round
    trip (a key the cache does not have is absent; None when the cache could not be
    read): what a view looks up for its caller anyway, one round trip fewer."""
    try:
        user_id = validated_token[api_settings.USER_ID_CLAIM]
    except KeyError as exc:
        raise AuthenticationFailed("Token contained no recognizable user identification") from exc
    session_id = validated_token.get("sid")
    keys = [generation_key(User), _user_key(user_id), overrides_key(user_id)]
    if session_id:
        keys += [session_state_key(session_id), session_touch_key(session_id)]
    try:
        found = cache.get_many([*keys, *(key for key in also if key not in keys)])
        (generation,) = generations_in(found, [User])
    except CACHE_ERRORS as exc:
        cache_unavailable("authentication", exc)
        return _token_user_without_cache(validated_token, user_id, session_id), None
    return _identity(validated_token, user_id, session_id, found, generation), {
        key: found[key] for key in also if key in found
    }


def _identity(validated_token, user_id, session_id, found: dict, generation) -> User:
    """The user from what the cache held for the identity (the database when not)."""
    # A state the cache forgot is read from the session row: a logout holds whatever
    # happens to the cache.
    if session_id and session_is_closed(session_id, found.get(session_state_key(session_id))):
        raise AuthenticationFailed("This session has ended.", code="session_ended")
    entry = found.get(_user_key(user_id))
    if entry is not None and entry[0] == generation:
        _, user, password_digest = entry
    else:
        user, password_digest = _load_user(user_id)
        try:
            cache.set(
                _user_key(user_id),
                (generation, _without_password(user), password_digest),
                USER_CACHE_SECONDS,
            )
        except CACHE_ERRORS as exc:
            cache_unavailable("authentication", exc)
    _check(user, password_digest, validated_token)
    if overrides_key(user_id) in found:
        prefetch_overrides(user, found[overrides_key(user_id)])
    if session_id and session_touch_key(session_id) not in found:
        session_touch(session_id=session_id)
    return user


def load_user_checked(validated_token) -> User:
    """The token's user from the database, active and with the password the token was
    issued under (AuthenticationFailed otherwise): for refresh and verify, which must
    not trust a cached copy."""
    try:
        user_id = validated_token[api_settings.USER_ID_CLAIM]
    except KeyError as exc:
        raise AuthenticationFailed("Token contained no recognizable user identification") from exc
    user, password_digest = _load_user(user_id)
    _check(user, password_digest, validated_token)
    return user


def _token_user_without_cache(validated_token, user_id, session_id) -> User:
    if session_id and session_is_closed(session_id):  # asks the database
        raise AuthenticationFailed("This session has ended.", code="session_ended")
    user, password_digest = _load_user(user_id)
    _check(user, password_digest, validated_token)
    return user


def _check(user: User, password_digest: str, validated_token) -> None:
    if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
        raise AuthenticationFailed("User is inactive", code="user_inactive")
    if api_settings.CHECK_REVOKE_TOKEN and (
        validated_token.get(api_settings.REVOKE_TOKEN_CLAIM) != password_digest
    ):
        raise AuthenticationFailed("The user's password has been changed.", code="password_changed")
