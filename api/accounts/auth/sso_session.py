"""SSO users keep their session as long as local users, while the company still knows them.

An SSO sign-in gets our own refresh/access pair (token_family), so it refreshes like a
local one. The SSO's word is not forgotten for all that: renewing an SSO session asks
the HR service about the person (`GET /hr/employees/{external_id}`), at most once per
EXTERNAL_REVALIDATE_SECONDS per user. Someone it no longer knows, or reports inactive,
is refused and every open SSO session of theirs ends.

An unreachable service does not end anything: within the bound the last good answer
stands, after it the renewal is refused with 503 and the client retries; the session
stays open until the service answers or the refresh token expires.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from api.accounts.models import ExternalUser, User
from api.common.cache import CACHE_ERRORS, cache_unavailable
from api.common.exceptions import ServiceUnavailable
from api.integrations.external_api import ExternalAPIError, ExternalAPIUnavailable, get_client

logger = logging.getLogger("api.accounts.external")


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    message: str


USER_UNKNOWN = Refusal(
    "external_user_unknown",
    "The company sign-in service no longer knows this account; the session has ended.",
)
USER_INACTIVE = Refusal(
    "external_user_inactive",
    "The company sign-in service reports this account as inactive; the session has ended.",
)


def revalidate_seconds() -> int:
    return settings.EXTERNAL_REVALIDATE_SECONDS


def _checked_key(user_id: int) -> str:
    return f"sso-user-checked:{user_id}"


def remember_checked(user: User) -> None:
    """The service vouched for the user just now (a sign-in, a lookup)."""
    seconds = revalidate_seconds()
    if seconds <= 0:
        return
    try:
        cache.set(_checked_key(user.pk), 1, timeout=seconds)
    except CACHE_ERRORS as exc:
        cache_unavailable("SSO user check", exc)


def _checked_lately(user: User) -> bool:
    try:
        return cache.get(_checked_key(user.pk)) is not None
    except CACHE_ERRORS as exc:
        cache_unavailable("SSO user check", exc)
        return False  # ask the service instead


def forget_checked(user: User) -> None:
    try:
        cache.delete(_checked_key(user.pk))
    except CACHE_ERRORS as exc:
        cache_unavailable("SSO user check", exc)


def refusal_for(user: User) -> Refusal | None:
    """Why the SSO user may not renew a session (None: they may).

    ServiceUnavailable when the service cannot answer and its last answer is older than
    the bound.
    """
    if _checked_lately(user):
        return None
    identity = ExternalUser.objects.filter(user=user).only("external_id").first()
    if identity is None:  # an SSO session whose identity row was removed by an admin
        return USER_UNKNOWN
    try:
        profile = get_client().employee(identity.external_id)
    except ExternalAPIUnavailable as exc:
        raise ServiceUnavailable(
            "The company sign-in service is unreachable, so this session cannot be renewed "
            "now. It stays open: try again shortly."
        ) from exc
    except ExternalAPIError as exc:  # an answer that is not the contract's
        raise ServiceUnavailable("The company sign-in service gave an unusable answer.") from exc
    if profile is None:
        forget_checked(user)
        return USER_UNKNOWN
    if profile.get("is_active") is not True:
        forget_checked(user)
        return USER_INACTIVE
    remember_checked(user)
    return None
