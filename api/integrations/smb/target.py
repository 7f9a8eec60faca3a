"""Where to deliver: a share with credentials (from the SMB_* environment here; the
app's own configurations build theirs in api/system/smb_target.py), and the
share-relative paths it accepts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings

from api.integrations.smb.errors import SMBDeliveryError

CLIENTS = ("pysmb", "smbprotocol")
# Windows refuses these in file names; catching them here gives a clear message
# instead of STATUS_OBJECT_NAME_INVALID from the server.
_INVALID_NAME = re.compile(r'[<>:"|?*\x00-\x1f]')


def split_path(path: str) -> list[str]:
    """Components of a share-relative path ("/" and "\\" both separate)."""
    parts = [part for part in re.split(r"[\\/]+", path or "") if part]
    for part in parts:
        if part in (".", "..") or _INVALID_NAME.search(part) or part != part.rstrip(". "):
            raise SMBDeliveryError(f"Invalid name on the share: {part!r}.")
    return parts


@dataclass(frozen=True)
class SMBTarget:
    """A share to deliver to, with credentials. Hashable: the key of connection pools."""

    server: str
    port: int
    share: str
    username: str
    password: str = field(repr=False)
    domain: str = ""
    path_prefix: str = ""
    client: str = "pysmb"
    require_encryption: bool = False
    timeout: float = 30.0

    def __post_init__(self) -> None:
        problems = []
        if not self.server:
            problems.append("no server")
        if not self.share:
            problems.append("no share name")
        if not 1 <= self.port <= 65535:
            problems.append(f"port {self.port} out of range")
        if self.client not in CLIENTS:
            problems.append(f"unknown client {self.client!r} (expected one of {CLIENTS})")
        if self.timeout <= 0:
            problems.append("timeout must be positive")
        if problems:
            raise SMBDeliveryError("Invalid SMB target: " + "; ".join(problems) + ".")
        split_path(self.path_prefix)  # rejects unusable prefixes now, not at upload time

    @classmethod
    def from_settings(cls) -> SMBTarget | None:
        if not settings.SMB_ENABLED:
            return None
        return cls(
            server=settings.SMB_SERVER,
            port=settings.SMB_PORT,
            share=settings.SMB_SHARE_NAME,
            username=settings.SMB_USERNAME,
            password=settings.SMB_PASSWORD,
            domain=settings.SMB_DOMAIN,
            path_prefix=settings.SMB_PATH_PREFIX,
            client=settings.SMB_CLIENT,
            require_encryption=settings.SMB_REQUIRE_ENCRYPTION,
            timeout=float(settings.SMB_TIMEOUT),
        )

    @property
    def unc(self) -> str:
        return f"\\\\{self.server}\\{self.share}"
