"""Fixtures of the integration tests: private Samba servers (tests/samba.py) and the
local files the SMB tests upload."""

import os
import secrets
from pathlib import Path

import pytest

from tests.samba import (  # noqa: F401
    _fresh_smb_pools,
    samba,
    samba_outage,
    samba_smb3_only,
    samba_target,
)


@pytest.fixture
def report(tmp_path):
    """`report(size, name=...)` -> a local file of random bytes."""

    def make(size: int = 200_000, name: str | None = None) -> Path:
        path = tmp_path / (name or f"report-{secrets.token_hex(4)}.xlsx")
        path.write_bytes(os.urandom(size))
        return path

    return make


def unique_name(prefix: str = "t") -> str:
    """A folder or file name no other test uses on the shared share."""
    return f"{prefix}-{secrets.token_hex(4)}"
