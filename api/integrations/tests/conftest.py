"""Fixtures of the integration tests: private Samba servers (tests/samba.py)."""

from tests.samba import (  # noqa: F401
    _fresh_smb_pools,
    samba,
    samba_outage,
    samba_smb3_only,
    samba_target,
)
