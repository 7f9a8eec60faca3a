"""Where reports go: the share of the active SMBConfiguration row, else the SMB_*
environment's. The SMB integration knows no model; the rows become its `SMBTarget`s
here."""

from __future__ import annotations

from api.common.crypto import SecretUnreadable
from api.integrations.smb import SMBDeliveryError, SMBTarget
from api.system.models import SMBConfiguration


def target_of(config: SMBConfiguration) -> SMBTarget:
    """The share a configuration row names; SMBDeliveryError when it is unusable."""
    try:
        password = config.get_password()
    except SecretUnreadable as exc:
        raise SMBDeliveryError(
            f"The password of SMB configuration {config.name!r} cannot be decrypted; "
            "enter it again."
        ) from exc
    return SMBTarget(
        server=config.server,
        port=config.port,
        share=config.share_name,
        username=config.username,
        password=password,
        domain=config.domain,
        path_prefix=config.path_prefix,
        client=config.client,
        require_encryption=config.require_encryption,
        timeout=float(config.timeout_seconds),
    )


def active_target() -> SMBTarget | None:
    """The active SMBConfiguration if there is one, else the environment's (or None).

    Raises SMBDeliveryError when the active configuration is unusable (e.g. its
    password cannot be decrypted): silently falling back would deliver elsewhere.
    """
    config = SMBConfiguration.objects.filter(is_active=True).first()
    if config is not None:
        return target_of(config)
    return SMBTarget.from_settings()
