from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle


class SwitchableScopedThrottle(ScopedRateThrottle):
    """A scoped throttle (view.throttle_scope) that THROTTLING_ENABLED turns on and off.

    Counters live in the default cache, i.e. Redis when configured, so the limit
    holds across every Daphne process.
    """

    def allow_request(self, request, view) -> bool:
        if not settings.THROTTLING_ENABLED:
            return True
        return super().allow_request(request, view)
