import ipaddress
from dataclasses import dataclass

from django.conf import settings

USER_AGENT_MAX = 512


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """Where a request came from, as recorded on sessions and audit rows."""

    ip_address: str | None
    user_agent: str

    @classmethod
    def from_request(cls, request) -> "ClientInfo":
        meta = request.META
        ip = meta.get("REMOTE_ADDR") or None
        # Behind nginx the peer is the proxy; trust X-Forwarded-For only when told to,
        # and then only the address the last trusted proxy saw.
        if settings.TRUSTED_PROXY_COUNT and meta.get("HTTP_X_FORWARDED_FOR"):
            hops = [hop.strip() for hop in meta["HTTP_X_FORWARDED_FOR"].split(",") if hop.strip()]
            if len(hops) >= settings.TRUSTED_PROXY_COUNT:
                ip = hops[-settings.TRUSTED_PROXY_COUNT]
        return cls(
            ip_address=_valid_ip(ip), user_agent=meta.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]
        )


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
