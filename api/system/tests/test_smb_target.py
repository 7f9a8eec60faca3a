"""Where reports go (api/system/smb_target.py): the active configuration, else the
SMB_* environment."""

from __future__ import annotations

import pytest

from api.integrations import smb
from api.system.smb_target import active_target, target_of
from tests.samba import smb_configuration


def _smb_settings(settings, **overrides) -> None:
    values = {
        "SMB_ENABLED": True,
        "SMB_SERVER": "files.example.com",
        "SMB_SHARE_NAME": "Reports",
        "SMB_USERNAME": "svc-reports",
        "SMB_PASSWORD": "env-secret",
        "SMB_DOMAIN": "CORP",
        "SMB_PORT": 445,
        "SMB_TIMEOUT": 12,
        "SMB_PATH_PREFIX": "ptb/exports",
        "SMB_CLIENT": "smbprotocol",
        **overrides,
    }
    for name, value in values.items():
        setattr(settings, name, value)


@pytest.mark.django_db
def test_active_target_prefers_the_activesmb_configuration(settings):
    _smb_settings(settings)
    smb_configuration(password="inactive-secret", is_active=False, server="old.example.com")
    smb_configuration(password="db-secret")

    target = active_target()

    assert target == smb.SMBTarget(
        server="nas.example.com",
        port=1445,
        share="Exports",
        username="ptb",
        password="db-secret",
        domain="WORKGROUP",
        path_prefix="monthly",
        client="pysmb",
        require_encryption=False,
        timeout=7.0,
    )


@pytest.mark.django_db
def test_active_target_falls_back_to_the_environment_then_to_none(settings):
    _smb_settings(settings)
    smb_configuration(password="inactive-secret", is_active=False)

    target = active_target()
    assert target is not None
    assert (target.server, target.share, target.password, target.client, target.timeout) == (
        "files.example.com",
        "Reports",
        "env-secret",
        "smbprotocol",
        12.0,
    )

    settings.SMB_ENABLED = False
    assert active_target() is None


@pytest.mark.django_db
def test_a_configuration_whose_password_cannot_be_read_is_a_delivery_error():
    config = smb_configuration(password="db-secret")
    config.password_encrypted = "not-a-fernet-token"

    with pytest.raises(smb.SMBDeliveryError, match="cannot be decrypted; enter it again"):
        target_of(config)
