"""Fixtures of the report tests: the private Samba server (tests/samba.py)."""

from tests.samba import _fresh_smb_pools, samba, samba_outage, samba_target  # noqa: F401
