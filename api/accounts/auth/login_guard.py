"""Bounds password guessing on every sign-in endpoint, whatever THROTTLING_ENABLED says.

Two counters of failed sign-ins live in the default cache (Redis when configured, so
every Daphne process shares them), each in a window that starts at its first failure:

- per account: `LOGIN_FAILURES_PER_ACCOUNT` in `LOGIN_FAILURE_WINDOW_SECONDS`, keyed by
  the username as typed (lower-cased), so an unknown username locks exactly like a
  known one and the answers never tell which accounts exist;
- per client address: `LOGIN_FAILURES_PER_ADDRESS` in the same window, a higher bound
  against one address trying many usernames (an office behind one NAT address still
  has room for its typos).

An attempt takes its slot *before* the password is checked (an atomic increment), so
parallel guesses cannot all slip past a check that has not been counted yet; a
success gives the slots back: the account's counter is cleared, the address's slot
returned. Over a bound the answer is 429 with `Retry-After` and no password is checked
(and, for the SSO, nothing is relayed to the company's service).

Failures and lockouts are audited (`login_failed`, `login_locked`) with the username
tried, the address and the time; never the password. If the cache is unreachable the
counters are skipped and that is logged, like every other throttle here: a dead Redis
must not lock everybody out.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled

from api.accounts.models import User
from api.audit.trail import audit_record
from api.common.cache import CACHE_ERRORS, cache_unavailable
from api.common.client import ClientInfo


class SignInLocked(Throttled):
    default_code = "login_locked"

    def __init__(self, wait: float):
        super().__init__(
            wait=wait,
            # DRF adds "Expected available in N seconds." from `wait`.
            detail="Too many failed sign-in attempts.",
            code="login_locked",
        )


@dataclass(frozen=True, slots=True)
class _Counter:
    key: str
    limit: int

    @property
    def until_key(self) -> str:
        return f"{self.key}:until"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class LoginGuard:
    """One sign-in attempt: `admit()` before checking credentials, then exactly one
    of `failed()`, `succeeded()` or `abandoned()` (the check could not be made)."""

    def __init__(self, *, source: str, username: str, client: ClientInfo):
        self.source = source
        self.username = username.strip()
        self.client = client
        window = settings.LOGIN_FAILURE_WINDOW_SECONDS
        self.window = window
        address = client.ip_address or "unknown"
        self.account = _Counter(
            f"login-fail:account:{source}:{_digest(self.username.lower())}",
            settings.LOGIN_FAILURES_PER_ACCOUNT,
        )
        self.address = _Counter(
            f"login-fail:address:{_digest(address)}", settings.LOGIN_FAILURES_PER_ADDRESS
        )
        self._counted = False

    # ------------------------------------------------------------------ the attempt

    def admit(self) -> None:
        """Takes this attempt's slot in both counters; SignInLocked (429) when over."""
        try:
            over = [(c, self._take(c)) for c in (self.account, self.address)]
        except CACHE_ERRORS as exc:
            cache_unavailable("sign-in guard", exc)
            return
        self._counted = True
        locked = [(counter, count) for counter, count in over if count > counter.limit]
        if not locked:
            return
        # The first refusal of a window is the lockout; later ones are its echo.
        if any(count == counter.limit + 1 for counter, count in locked):
            self._audit(
                "login_locked",
                locked_by=sorted(
                    "account" if counter is self.account else "address" for counter, _ in locked
                ),
            )
        raise SignInLocked(wait=self._retry_after([counter for counter, _ in locked]))

    def failed(self, reason: str = "invalid_credentials") -> None:
        self._audit("login_failed", reason=reason)

    def succeeded(self) -> None:
        if not self._counted:
            return
        try:
            cache.delete_many([self.account.key, self.account.until_key])
            self._give_back(self.address)
        except CACHE_ERRORS as exc:
            cache_unavailable("sign-in guard", exc)

    def abandoned(self) -> None:
        """The credentials could not be checked (the SSO is down): not a failure."""
        if not self._counted:
            return
        try:
            self._give_back(self.account)
            self._give_back(self.address)
        except CACHE_ERRORS as exc:
            cache_unavailable("sign-in guard", exc)

    # ------------------------------------------------------------------ internals

    def _take(self, counter: _Counter) -> int:
        # add() starts the window (and its end) only if none is running; incr() keeps
        # the key's expiry, so the window is not extended by further attempts.
        if cache.add(counter.key, 0, timeout=self.window):
            cache.set(counter.until_key, time.time() + self.window, timeout=self.window)
        try:
            return cache.incr(counter.key)
        except ValueError:  # expired between add() and incr(): a new window
            cache.set(counter.key, 1, timeout=self.window)
            cache.set(counter.until_key, time.time() + self.window, timeout=self.window)
            return 1

    def _give_back(self, counter: _Counter) -> None:
        try:
            if cache.decr(counter.key) < 0:
                cache.set(counter.key, 0, timeout=self.window)
        except ValueError:
            pass  # the window ended meanwhile: nothing to give back

    def _retry_after(self, counters: list[_Counter]) -> float:
        ends = cache.get_many([counter.until_key for counter in counters])
        now = time.time()
        waits = [ends[key] - now for key in ends if isinstance(ends[key], int | float)]
        return max(1.0, max(waits, default=float(self.window)))

    def _audit(self, action: str, **details) -> None:
        user = User.objects.filter(username=self.username).first()
        audit_record(
            user=user,
            action=action,
            resource="auth",
            object_id=str(user.pk) if user else "",
            object_repr=self.username[:255],
            changes={
                "username": self.username[:150],
                "auth_source": self.source,
                "ip_address": self.client.ip_address,
                **details,
            },
        )
