"""Fixtures of the system tests: the private Samba server (tests/samba.py) for the
SMB configuration's connection test and the share's health check."""

from tests.samba import _fresh_smb_pools, samba, samba_target  # noqa: F401
