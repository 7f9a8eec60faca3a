from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from api.common.cache import CACHE_ERRORS, cache_unavailable
from api.common.client import ClientInfo


class SwitchableThrottleMixin:
    """On only when THROTTLING_ENABLED; fails open when the cache is unreachable.

    Counters live in the default cache, i.e. Redis when configured, so a limit holds
    across every Daphne process. A dead Redis must not turn every request into a 500:
    the limit is skipped (and logged) until it is back.
    """

    @property
    def THROTTLE_RATES(self) -> dict:
        # DRF copies the rates into a class attribute at import, so a changed setting
        # would never reach it; read them when used instead.
        return api_settings.DEFAULT_THROTTLE_RATES

    def get_ident(self, request) -> str:
        # The address every other part of the app records (TRUSTED_PROXY_COUNT decides
        # how much of X-Forwarded-For to believe), not DRF's own NUM_PROXIES reading.
        return ClientInfo.from_request(request).ip_address or "unknown"

    def allow_request(self, request, view) -> bool:
        if not settings.THROTTLING_ENABLED:
            return True
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            cache_unavailable("throttle", exc)
            return True


class SwitchableScopedThrottle(SwitchableThrottleMixin, ScopedRateThrottle):
    """Per-view scope (`throttle_scope`): login, export."""


class SwitchableAnonThrottle(SwitchableThrottleMixin, AnonRateThrottle):
    pass


class SwitchableUserThrottle(SwitchableThrottleMixin, UserRateThrottle):
    pass


class ExportThrottle(SwitchableThrottleMixin, UserRateThrottle):
    """EXPORT_THROTTLE_RATE per user, for actions of viewsets that have other limits."""

    scope = "export"
