"""scripts/backup.sh and scripts/restore.sh against a scratch PostgreSQL database and
a media folder: what was backed up comes back, a broken dump changes nothing, and
only the newest BACKUP_KEEP backups are kept."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid

import psycopg
import pytest
from django.conf import settings

from conftest import REPO_ROOT, require_service

pytestmark = pytest.mark.integration


@pytest.fixture
def scratch_database():
    require_service(
        "PostgreSQL client tools (pg_dump, pg_restore)",
        None if shutil.which("pg_dump") and shutil.which("pg_restore") else "not installed",
    )
    require_service(
        "PostgreSQL", None if settings.USING_POSTGRES else "DATABASE_URL is not PostgreSQL"
    )
    db = settings.DATABASES["default"]
    server = f"postgres://{db['USER']}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    name = f"ptb_backup_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT id, note FROM notes ORDER BY id").fetchall()


def run(script: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_and_restore_round_trip(scratch_database, tmp_path):
    with psycopg.connect(scratch_database, autocommit=True) as connection:
        connection.execute("CREATE TABLE notes (id int PRIMARY KEY, note text NOT NULL)")
        connection.execute("INSERT INTO notes VALUES (1, 'kept'), (2, 'also kept')")
    media = tmp_path / "media"
    (media / "reports").mkdir(parents=True)
    (media / "reports" / "2026-11.xlsx").write_bytes(b"PK\x03\x04 workbook")
    env = {"DATABASE_URL": scratch_database, "MEDIA_ROOT": str(media)}

    backup = run("backup.sh", str(tmp_path / "backups"), env=env)
    assert backup.returncode == 0, backup.stderr
    (dump,) = (tmp_path / "backups").glob("database-*.dump")
    (archive,) = (tmp_path / "backups").glob("media-*.tar.gz")
    assert not list((tmp_path / "backups").glob("*.partial"))
    assert oct(dump.stat().st_mode & 0o777) == "0o600"  # personal data: owner only

    # Things go wrong after the backup...
    with psycopg.connect(scratch_database, autocommit=True) as connection:
        connection.execute("DELETE FROM notes WHERE id = 1")
        connection.execute("INSERT INTO notes VALUES (3, 'written after the backup')")
    (media / "reports" / "2026-11.xlsx").unlink()

    # ...a damaged dump is refused and changes nothing...
    broken = tmp_path / "broken.dump"
    broken.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    failed = run("restore.sh", str(broken), env=env | {"RESTORE_CONFIRM": "yes"})
    assert failed.returncode != 0
    assert rows(scratch_database) == [(2, "also kept"), (3, "written after the backup")]

    # ...and the real one brings back exactly what was backed up.
    restored = run("restore.sh", str(dump), str(archive), env=env | {"RESTORE_CONFIRM": "yes"})
    assert restored.returncode == 0, restored.stderr
    assert rows(scratch_database) == [(1, "kept"), (2, "also kept")]
    assert (media / "reports" / "2026-11.xlsx").read_bytes() == b"PK\x03\x04 workbook"


def test_restore_asks_before_replacing_anything(scratch_database, tmp_path):
    with psycopg.connect(scratch_database, autocommit=True) as connection:
        connection.execute("CREATE TABLE notes (id int PRIMARY KEY, note text NOT NULL)")
    env = {"DATABASE_URL": scratch_database, "MEDIA_ROOT": str(tmp_path / "media")}
    assert run("backup.sh", str(tmp_path / "backups"), env=env).returncode == 0
    (dump,) = (tmp_path / "backups").glob("database-*.dump")
    answer = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "restore.sh"), str(dump)],
        env={**os.environ, **env},
        input="no\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert answer.returncode == 1
    assert "cancelled" in answer.stdout


def test_only_the_newest_backups_are_kept(scratch_database, tmp_path):
    env = {
        "DATABASE_URL": scratch_database,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BACKUP_KEEP": "2",
    }
    (tmp_path / "media").mkdir()
    for _ in range(3):
        assert run("backup.sh", str(tmp_path / "backups"), env=env).returncode == 0
        time.sleep(1.1)  # backups are named by the second
    assert len(list((tmp_path / "backups").glob("database-*.dump"))) == 2
    assert len(list((tmp_path / "backups").glob("media-*.tar.gz"))) == 2
