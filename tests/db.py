"""Helpers for tests that assert what the database itself refuses."""

import uuid
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
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


@contextmanager
def scratch_postgres_database(prefix: str):
    """A new, empty PostgreSQL database on the test server, dropped afterwards; yields
    its URL (for a script or a server process of its own)."""
    db = settings.DATABASES["default"]
    server = f"postgres://{db['USER']}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
