"""A share to deliver to, from the SMB_* environment (api/integrations/smb/target.py)."""

from __future__ import annotations

import pytest

from api.integrations import smb


def test_an_incomplete_environment_is_a_delivery_error(settings):
    settings.SMB_ENABLED = True
    settings.SMB_SERVER = ""
    settings.SMB_SHARE_NAME = "Reports"
    settings.SMB_CLIENT = "samba4"

    with pytest.raises(smb.SMBDeliveryError, match="no server; unknown client 'samba4'"):
        smb.SMBTarget.from_settings()


def test_no_target_when_the_environment_names_none(settings):
    settings.SMB_ENABLED = False

    assert smb.SMBTarget.from_settings() is None
