"""scripts/backup.sh, scripts/verify-backup.sh and scripts/restore.sh against scratch
PostgreSQL databases and media folders: what was backed up comes back; the manifest
tells the truth about the dump and the archive; a failed backup leaves nothing that
counts; a damaged part is found before anything changes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import uuid
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from conftest import REPO_ROOT, require_service
from tests.db import scratch_postgres_database

pytestmark = pytest.mark.integration


def server_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"


def database_exists(name: str) -> bool:
    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


@pytest.fixture
def scratch_database():
    require_service(
        "PostgreSQL client tools (pg_dump, pg_restore, psql)",
        None if all(map(shutil.which, ("pg_dump", "pg_restore", "psql"))) else "not installed",
    )
    require_service(
        "PostgreSQL", None if settings.USING_POSTGRES else "DATABASE_URL is not PostgreSQL"
    )
    with scratch_postgres_database("ptb_backup") as url:
        yield url


@pytest.fixture
def notes(scratch_database) -> str:
    """The scratch database with a `notes` table of two rows."""
    execute(
        scratch_database,
        "CREATE TABLE notes (id int PRIMARY KEY, note text NOT NULL)",
        "INSERT INTO notes VALUES (1, 'kept'), (2, 'also kept')",
    )
    return scratch_database


@pytest.fixture
def media(tmp_path) -> Path:
    root = tmp_path / "media"
    (root / "reports").mkdir(parents=True)
    (root / "reports" / "2026-11.xlsx").write_bytes(b"PK\x03\x04 workbook")
    (root / "regulations" / "1").mkdir(parents=True)
    (root / "regulations" / "1" / "signed.pdf").write_bytes(b"%PDF-1.7 signed")
    return root


def execute(url: str, *statements: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT id, note FROM notes ORDER BY id").fetchall()


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under `root` with its content (None for folders)."""
    return {
        str(path.relative_to(root)): path.read_bytes() if path.is_file() else None
        for path in sorted(root.rglob("*"))
    }


def run(script: str, *args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kwargs,
    )


def make_backup(destination: Path, env: dict) -> Path:
    done = run("backup.sh", str(destination), env=env)
    assert done.returncode == 0, done.stderr
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("done: ")]
    return Path(line.removeprefix("done: "))


def manifest_of(backup: Path) -> dict:
    return json.loads((backup / "manifest.json").read_text())


def write_manifest(backup: Path, manifest: dict) -> None:
    (backup / "manifest.json").write_text(json.dumps(manifest, indent=2))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def truncated_copy(backup: Path, destination: Path, part: str, *, fix_checksum: bool) -> Path:
    """A copy of `backup` whose `part` lost its second half; with `fix_checksum` the
    manifest is rewritten to match, so only reading the file can tell."""
    copy = destination / backup.name
    shutil.copytree(backup, copy)
    data = (copy / part).read_bytes()
    (copy / part).write_bytes(data[: len(data) // 2])
    if fix_checksum:
        manifest = manifest_of(copy)
        manifest["database" if part == "database.dump" else "media"]["sha256"] = sha256(copy / part)
        write_manifest(copy, manifest)
    return copy


def backups_in(destination: Path) -> list[str]:
    return sorted(path.name for path in destination.iterdir())


def test_backup_and_restore_round_trip(notes, media, tmp_path):
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media)}
    backup = make_backup(tmp_path / "backups", env)
    assert sorted(p.name for p in backup.iterdir()) == [
        "database.dump",
        "manifest.json",
        "media.tar.gz",
    ]
    assert oct((backup / "database.dump").stat().st_mode & 0o777) == "0o600"  # personal data
    backed_up = tree(media)

    # Things go wrong after the backup...
    execute(
        notes,
        "DELETE FROM notes WHERE id = 1",
        "INSERT INTO notes VALUES (3, 'written after the backup')",
    )
    (media / "reports" / "2026-11.xlsx").unlink()
    (media / "reports" / "uploaded-later.xlsx").write_bytes(b"later")

    # ...and the backup brings back exactly what it holds, files added since included.
    restored = run("restore.sh", str(backup), env=env | {"RESTORE_CONFIRM": "yes"})
    assert restored.returncode == 0, restored.stderr
    assert rows(notes) == [(1, "kept"), (2, "also kept")]
    assert tree(media) == backed_up


def test_manifest_describes_the_dump_and_the_archive(scratch_database, media, tmp_path):
    execute(
        scratch_database,
        "CREATE TABLE notes (id int PRIMARY KEY, note text NOT NULL)",
        "INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 25) AS g",
        "CREATE TABLE empty_table (id int)",
        "CREATE SCHEMA archive",
        'CREATE TABLE archive."Old Notes" (id int)',
        'INSERT INTO archive."Old Notes" VALUES (1), (2), (3)',
    )
    env = {
        "DATABASE_URL": scratch_database,
        "MEDIA_ROOT": str(media),
        "APP_VERSION": "2.3.4",
        "GIT_COMMIT": "0123456789abcdef0123456789abcdef01234567",
    }
    backup = make_backup(tmp_path / "backups", env)
    manifest = manifest_of(backup)

    with psycopg.connect(scratch_database) as connection:
        tables = connection.execute(
            "SELECT schemaname, tablename FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        real_counts = {
            f"{schema}.{table}": connection.execute(
                sql.SQL("SELECT count(*) FROM {}.{}").format(
                    sql.Identifier(schema), sql.Identifier(table)
                )
            ).fetchone()[0]
            for schema, table in tables
        }
    assert real_counts == {"public.notes": 25, "public.empty_table": 0, "archive.Old Notes": 3}
    assert manifest["database"]["row_counts"] == real_counts

    assert manifest["format"] == 1
    assert manifest["app"] == {"version": "2.3.4", "commit": env["GIT_COMMIT"]}
    created = datetime.fromisoformat(manifest["created_at"])
    assert backup.name == f"backup-{created:%Y%m%dT%H%M%SZ}"
    assert manifest["database"]["name"] == scratch_database.rsplit("/", 1)[1]
    assert manifest["database"]["sha256"] == sha256(backup / "database.dump")
    assert manifest["database"]["bytes"] == (backup / "database.dump").stat().st_size
    assert manifest["media"]["sha256"] == sha256(backup / "media.tar.gz")
    assert manifest["media"]["bytes"] == (backup / "media.tar.gz").stat().st_size
    assert manifest["media"]["files"] == 2


def test_manifest_version_defaults_to_the_project_version(notes, media, tmp_path):
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media), "APP_VERSION": "", "GIT_COMMIT": ""}
    manifest = manifest_of(make_backup(tmp_path / "backups", env))
    project = re.search(r'^version = "(.+)"$', (REPO_ROOT / "pyproject.toml").read_text(), re.M)
    assert manifest["app"]["version"] == project.group(1)
    assert manifest["app"]["commit"]  # the checkout's commit, or "unknown" outside git


def test_a_failed_backup_leaves_nothing_and_the_real_ones_stay(notes, media, tmp_path):
    destination = tmp_path / "backups"
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media), "BACKUP_KEEP": "2"}
    good = [make_backup(destination, env).name for _ in range(2)]

    missing = notes.rsplit("/", 1)[0] + "/ptb_backup_does_not_exist"
    for _ in range(3):
        failed = run("backup.sh", str(destination), env=env | {"DATABASE_URL": missing})
        assert failed.returncode != 0
        assert "ptb_backup_does_not_exist" in failed.stderr
    # pg_dump itself failing half-way, after the snapshot session started: a role that
    # may connect but not read the table.
    role = f"ptb_backup_reader_{uuid.uuid4().hex[:8]}"
    execute(notes, f'CREATE ROLE "{role}" LOGIN')
    try:
        reader = notes.replace("://postgres@", f"://{role}@")
        denied = run("backup.sh", str(destination), env=env | {"DATABASE_URL": reader})
    finally:
        execute(notes, f'DROP ROLE "{role}"')
    assert denied.returncode != 0
    assert "permission denied" in denied.stderr
    assert backups_in(destination) == good  # no partial file or folder of any kind

    newest = make_backup(destination, env).name
    assert backups_in(destination) == [good[1], newest]


def test_only_the_newest_complete_backups_are_kept(notes, media, tmp_path):
    destination = tmp_path / "backups"
    destination.mkdir()
    # What an interrupted run left (its temporary folder), and a folder someone made:
    # neither counts; the first is removed, the second left alone.
    (destination / ".backup-20260101T000000Z.Ab12Cd").mkdir()
    (destination / ".backup-20260101T000000Z.Ab12Cd" / "database.dump").write_bytes(b"")
    (destination / "backup-manual-copy").mkdir()
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media), "BACKUP_KEEP": "2"}

    made = [make_backup(destination, env).name for _ in range(3)]

    assert len(set(made)) == 3  # several within one second get distinct names
    assert backups_in(destination) == sorted([*made[1:], "backup-manual-copy"])


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_a_missing_or_empty_media_folder_is_an_error(notes, tmp_path, state):
    media = tmp_path / "media"
    if state == "empty":
        (media / "reports").mkdir(parents=True)  # folders, but no file
    destination = tmp_path / "backups"
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media)}

    refused = run("backup.sh", str(destination), env=env)

    assert refused.returncode != 0
    assert str(media) in refused.stderr
    assert "BACKUP_ALLOW_EMPTY_MEDIA=1" in refused.stderr
    assert not destination.exists() or backups_in(destination) == []

    allowed = make_backup(destination, env | {"BACKUP_ALLOW_EMPTY_MEDIA": "1"})
    assert manifest_of(allowed)["media"]["files"] == 0
    verified = run("verify-backup.sh", str(allowed), env=env)
    assert verified.returncode == 0, verified.stderr


def scratch_name(output: str) -> str | None:
    found = re.search(r"scratch database (ptb_verify_\w+)", output)
    return found.group(1) if found else None


def test_verify_passes_on_a_good_backup_and_drops_its_database(notes, media, tmp_path):
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media)}
    backup = make_backup(tmp_path / "backups", env)

    verified = run("verify-backup.sh", str(backup), env=env)

    assert verified.returncode == 0, verified.stderr
    assert f"backup {backup} verified" in verified.stdout
    assert "1 tables, 2 rows restored" in verified.stdout
    assert not database_exists(scratch_name(verified.stdout))
    assert rows(notes) == [(1, "kept"), (2, "also kept")]  # the source is left alone


def test_verify_fails_on_a_tampered_dump(notes, media, tmp_path):
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media)}
    backup = make_backup(tmp_path / "backups", env)
    dump = backup / "database.dump"
    data = bytearray(dump.read_bytes())
    data[-20] ^= 0xFF  # one byte of the table data
    dump.write_bytes(bytes(data))

    verified = run("verify-backup.sh", str(backup), env=env)

    assert verified.returncode == 1
    assert "FAIL: database.dump: its sha256 is" in verified.stderr
    assert "NOT verified" in verified.stderr
    scratch = scratch_name(verified.stdout)
    assert scratch is None or not database_exists(scratch)


def test_verify_fails_on_tampered_counts(notes, media, tmp_path):
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media)}
    backup = make_backup(tmp_path / "backups", env)
    manifest = manifest_of(backup)
    manifest["database"]["row_counts"]["public.notes"] = 3
    manifest["database"]["row_counts"]["public.gone"] = 1
    write_manifest(backup, manifest)

    verified = run("verify-backup.sh", str(backup), env=env)

    assert verified.returncode == 1
    assert "table public.notes: 2 rows restored, the manifest says 3" in verified.stderr
    assert "table public.gone: in the manifest with 1 rows, missing" in verified.stderr
    assert "2 difference(s)" in verified.stderr


def test_verify_fails_on_a_damaged_media_archive(notes, media, tmp_path):
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media)}
    backup = make_backup(tmp_path / "backups", env)
    damaged = truncated_copy(backup, tmp_path / "damaged", "media.tar.gz", fix_checksum=True)

    verified = run("verify-backup.sh", str(damaged), env=env)

    assert verified.returncode == 1
    assert "media.tar.gz: tar cannot read it" in verified.stderr


@pytest.mark.parametrize("fix_checksum", [False, True], ids=["checksum", "unreadable"])
def test_restore_refuses_a_damaged_media_archive(notes, media, tmp_path, fix_checksum):
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media), "RESTORE_CONFIRM": "yes"}
    backup = make_backup(tmp_path / "backups", env)
    damaged = truncated_copy(
        backup, tmp_path / "damaged", "media.tar.gz", fix_checksum=fix_checksum
    )
    execute(notes, "INSERT INTO notes VALUES (3, 'written after the backup')")
    (media / "reports" / "uploaded-later.xlsx").write_bytes(b"later")
    before = tree(media)

    refused = run("restore.sh", str(damaged), env=env)

    assert refused.returncode != 0
    assert "nothing was changed" in refused.stderr
    assert ("tar cannot read it" if fix_checksum else "media.tar.gz: its sha256") in refused.stderr
    assert rows(notes) == [(1, "kept"), (2, "also kept"), (3, "written after the backup")]
    assert tree(media) == before  # no staging folder, no half-written file


def test_a_failed_database_restore_leaves_database_and_media_alone(notes, media, tmp_path):
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media), "RESTORE_CONFIRM": "yes"}
    execute(notes, "CREATE TABLE bulk AS SELECT md5(g::text) FROM generate_series(1, 20000) g")
    backup = make_backup(tmp_path / "backups", env)
    # The table of contents is at the start of the dump, the data after it: cut in
    # half, pg_restore still lists it, then fails part-way through the data.
    broken = truncated_copy(backup, tmp_path / "broken", "database.dump", fix_checksum=True)
    execute(notes, "DELETE FROM notes WHERE id = 1")
    (media / "reports" / "uploaded-later.xlsx").write_bytes(b"later")
    before = tree(media)

    failed = run("restore.sh", str(broken), env=env)

    assert failed.returncode != 0
    assert "the database restore failed" in failed.stderr
    assert rows(notes) == [(2, "also kept")]
    assert tree(media) == before


def test_restore_asks_before_replacing_anything(notes, media, tmp_path):
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media)}
    backup = make_backup(tmp_path / "backups", env)
    execute(notes, "DELETE FROM notes")
    before = tree(media)

    answer = run("restore.sh", str(backup), env=env, input="no\n")

    assert answer.returncode == 1
    assert "cancelled" in answer.stdout
    assert rows(notes) == []
    assert tree(media) == before


def test_restore_wants_a_backup_directory(notes, media, tmp_path):
    env = {"DATABASE_URL": notes, "MEDIA_ROOT": str(media), "RESTORE_CONFIRM": "yes"}
    backup = make_backup(tmp_path / "backups", env)
    (backup / "manifest.json").unlink()

    for argument in (backup / "database.dump", backup):
        refused = run("restore.sh", str(argument), env=env)
        assert refused.returncode != 0
        assert "backup" in refused.stderr
    assert rows(notes) == [(1, "kept"), (2, "also kept")]
