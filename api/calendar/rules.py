"""Rules of time ranges that several domains share (overtime, leave, events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.common.exceptions import RuleViolation


def refuse_overlap(
    clash: Any | None,
    *,
    describe: Callable[[Any], str],
    code: str,
    field: str,
    conflicting_key: str,
) -> None:
    """Refuses a time range that overlaps `clash`, the first range of the same person
    it collides with (None: no collision). The error names the clash (`describe`
    says which it is, after "Overlaps ") and carries its id under `conflicting_key`,
    so a client can show the other record."""
    if clash is None:
        return
    raise RuleViolation(
        f"Overlaps {describe(clash)}.",
        code=code,
        field=field,
        **{conflicting_key: clash.pk},
    )
