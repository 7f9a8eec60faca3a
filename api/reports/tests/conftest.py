"""Fixtures of the report tests: a private Samba server and SMB targets pointing at it."""

from __future__ import annotations

import pytest

from api.reports import smb
from api.reports.tests.samba import SambaServer, samba_problem
from conftest import require_service


@pytest.fixture(scope="session")
def samba():
    """One running smbd for the whole run (see samba.py): `.port`, `.plain_dir`,
    `.secure_dir`, `.username`, `.password`, `.stop()`, `.start()`. A test that stops
    it asks for `samba_outage` instead, which starts it again whatever happens."""
    require_service("Samba (smbd)", samba_problem())
    server = SambaServer()
    try:
        server.start()
    except BaseException:
        server.close()
        raise
    yield server
    server.close()


@pytest.fixture
def samba_outage(samba):
    """The session's smbd, for a test that stops it; running again afterwards."""
    yield samba
    samba.start()


@pytest.fixture(autouse=True)
def _fresh_smb_pools():
    """Pools and smbclient sessions are process-wide; no test sees another's."""
    smb.close_pools()
    yield
    smb.close_pools()


@pytest.fixture
def samba_target(samba):
    """`samba_target(share="plain", client="pysmb", **overrides)` -> SMBTarget."""

    def make(share: str = "plain", client: str = "pysmb", **overrides) -> smb.SMBTarget:
        fields = {
            "server": "127.0.0.1",
            "port": samba.port,
            "share": share,
            "username": samba.username,
            "password": samba.password,
            "domain": "WORKGROUP",
            "path_prefix": "",
            "client": client,
            "require_encryption": False,
            "timeout": 5.0,
            **overrides,
        }
        return smb.SMBTarget(**fields)

    return make
