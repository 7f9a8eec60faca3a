"""The generate_data fixtures, loaded without touching rows that already exist.

`loaddata` overwrites every object it names: a second run would unlink the users HR
sync or SSO sign-in attached to employees and clear department managers. Here an
object whose natural key is already in the database is left as it is.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.db import transaction


@transaction.atomic
def fixture_load_missing(path: str | Path) -> int:
    """Saves the fixture's objects that do not exist yet; returns how many."""
    created = 0
    with open(Path(settings.BASE_DIR) / path, encoding="utf-8") as stream:
        # Natural keys resolve to existing rows' ids: a set pk means "already there".
        for item in serializers.deserialize("json", stream, handle_forward_references=True):
            if item.object.pk is not None:
                continue
            item.save()
            created += 1
    return created
