"""`manage.py config_export`: this environment's configuration as one document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone

from api.system.config_transfer.document import FORMAT
from api.system.config_transfer.sections import Section
from api.system.config_transfer.values import ConfigTransferError


def export_config(sections: Sequence[Section]) -> dict[str, Any]:
    """The configuration of this environment in `sections`, as `config_import` reads it."""
    problems: list[str] = []
    document: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "app": {"version": settings.APP_VERSION, "commit": settings.GIT_COMMIT},
    }
    for section in sections:
        document[section.name] = section.export(problems)
    if problems:
        raise ConfigTransferError(problems)
    return document
