"""Helpers for tests that assert what the database itself refuses."""

from contextlib import contextmanager

import pytest
from django.db import IntegrityError, connection, transaction


@contextmanager
def rejected_by_database():
    """The block must fail with IntegrityError; the test's transaction stays usable.

    Deferred constraints are made immediate so PostgreSQL checks them now rather than
    at a commit that never comes inside a test transaction.
    """
    with pytest.raises(IntegrityError), transaction.atomic():  # noqa: PT012 - a helper
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield
