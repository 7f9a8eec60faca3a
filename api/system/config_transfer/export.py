"""`manage.py config_export`: this environment's configuration as one document."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from api.system.config_transfer.catalogue import SECTIONS
from api.system.config_transfer.document import FORMAT
from api.system.config_transfer.values import ConfigTransferError


def export_config() -> dict[str, Any]:
    """The configuration of this environment, as `config_import` reads it."""
    problems: list[str] = []
    document: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "app": {"version": settings.APP_VERSION, "commit": settings.GIT_COMMIT},
    }
    for section in SECTIONS:
        document[section.name] = section.export(problems)
    if problems:
        raise ConfigTransferError(problems)
    return document
