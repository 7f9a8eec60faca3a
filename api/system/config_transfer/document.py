"""The file itself: its format version, the keys it may hold, reading and writing it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from api.system.config_transfer.sections import Section
from api.system.config_transfer.values import ConfigTransferError

FORMAT = 1
DOCUMENT_KEYS = frozenset({"format", "exported_at", "app"})


def dump_config(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_document(text: str, sections: Sequence[Section]) -> dict[str, Any]:
    """The parsed file, which may hold `sections`; ConfigTransferError when it is not
    one `config_export` wrote."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigTransferError(
            [f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from None
    if not isinstance(document, dict):
        raise ConfigTransferError(["expected a JSON object, as config_export writes"])
    if "format" not in document:
        raise ConfigTransferError(['no "format": not a file written by config_export'])
    version = document["format"]
    if type(version) is not int or version != FORMAT:
        raise ConfigTransferError(
            [f"format {version!r} is not one this version reads (it reads format {FORMAT})"]
        )
    known = DOCUMENT_KEYS | {section.name for section in sections}
    unknown = sorted(set(document) - known)
    if unknown:
        raise ConfigTransferError(
            [f"unknown section(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"]
        )
    return document
