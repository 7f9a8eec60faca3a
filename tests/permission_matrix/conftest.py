"""The matrix's objects, built once in a transaction that the whole package runs inside.

Each test is a `django_db` test: pytest-django wraps it in savepoints of that
transaction and rolls them back (checking deferred constraints first, as a commit
would), so a case that approves, edits or deletes leaves the objects as built for
the next one. The transaction itself is rolled back once the package is done.
Files go to a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from tests.permission_matrix.world import World, build_world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> World:
    media = tmp_path_factory.mktemp("permission-matrix-media")
    files = override_settings(MEDIA_ROOT=media, REPORTS_DIR=media / "reports", SMB_ENABLED=False)
    with files, django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cache.clear()
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _isolated_cache() -> None:
    """Replaces the suite's per-test cache.clear(): here the cache is cleared once, when
    the objects are built, and the callers' sessions and identities then stay cached
    from case to case (a cold cache costs every request four more queries). A rolled
    back case leaves nothing stale behind: cached user rows and list pages are keyed by
    their model's write generation, which every write raises and no rollback lowers,
    overrides are dropped from the cache when they change, and no case closes a
    caller's session."""
