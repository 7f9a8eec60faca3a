"""Upload, read, list and probe a share, with either client.

Readers never see a half-written report. People open reports straight from the share,
often while a new one is being delivered, and Excel opens a truncated .xlsx as
"corrupt". So `upload()` writes the bytes under a temporary name in the destination
folder (`.<name>.<unix time>-<random>.part`; Samba shows dot files as hidden) and
renames it to the final name only after the last byte was written, replacing an older
file of that name. A rename within a folder is atomic on the server: a reader opens
either the previous report or the new one, never a part of one.

On failure the temporary file is removed if the server can still be reached. When it
went away mid-upload the `.part` file stays behind; the next successful upload to that
folder removes our temporary files there that are older than the longest upload
(`SMB_STALE_PART_SECONDS`), read from the time in their names, so the server's clock
does not matter. The final name is never touched by a failure.

Paths returned and accepted (`upload`, `read`, `list_names`) are share-relative with
forward slashes ("reports/2026/overtime.xlsx"); the share itself is the target's.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings

from api.integrations.smb import pysmb_client, smbprotocol_client
from api.integrations.smb.errors import (
    STATUS_OBJECT_NAME_COLLISION,
    STATUS_SHARING_VIOLATION,
    SMBDeliveryError,
    failure,
    ntstatus,
    reason,
    scrub,
)
from api.integrations.smb.target import SMBTarget, split_path

logger = logging.getLogger("api.integrations.smb")

# Our temporary files: `.<final name>.<unix time started>-<12 hex>.part`.
_PART = re.compile(r"^\..+\.(?P<started>\d{1,12})-[0-9a-f]{12}\.part$")
# The longest an upload may take (a worker's task is killed after 30 minutes); a
# temporary file of ours older than this belongs to an upload that is over.


class Session(Protocol):
    """What upload/read/list/test need from either client; paths are share-relative."""

    encrypted: bool

    def listdir(self, folder: str) -> list[str]: ...
    def is_dir(self, path: str) -> bool: ...  # False when missing or unreadable
    def mkdir(self, path: str) -> None: ...
    def write(self, path: str, source: BinaryIO) -> None: ...
    def replace(self, src: str, dst: str) -> None: ...
    def remove(self, path: str) -> None: ...
    def discard(self, path: str) -> None: ...  # remove if possible, never raise
    def read(self, path: str) -> bytes: ...


@contextlib.contextmanager
def _session(target: SMBTarget, *, fresh: bool = False) -> Iterator[Session]:
    """A session for `target`: pooled (or, with `fresh`, private and closed after)."""
    client = smbprotocol_client if target.client == "smbprotocol" else pysmb_client
    with client.session(target, fresh=fresh) as session:
        yield session


def close_pools() -> None:
    """Close idle pooled connections and forget all sessions (tests, reconfiguration)."""
    pysmb_client.close_pools()
    smbprotocol_client.close_sessions()


def pool_stats(target: SMBTarget) -> dict[str, int]:
    """{"open", "idle", "peak"} of the target's pysmb pool (zeros when there is none)."""
    return pysmb_client.pool_stats(target)


# --------------------------------------------------------------------------- public API


def upload(target: SMBTarget, local_path: Path, remote_name: str) -> str:
    """Write `local_path` to `<path_prefix>/<remote_name>` on the share, atomically
    replacing a file of that name and creating missing folders. Returns the
    share-relative path written, with forward slashes."""
    name = split_path(remote_name)
    if not name:
        raise SMBDeliveryError("No file name given for the upload.")
    parts = split_path(target.path_prefix) + name
    final = "/".join(parts)
    try:
        # Opened before connecting: a missing report should not cost a connection.
        source = Path(local_path).open("rb")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise SMBDeliveryError(f"Cannot read the report file {local_path}: {exc.strerror}") from exc
    started = time.monotonic()
    try:
        with source, _session(target) as session:
            _put(session, parts, source)
            _remove_stale_parts(session, parts[:-1])
    except Exception as exc:
        raise failure(target, f"Upload of {final!r}", exc) from exc
    logger.info(
        "SMB upload of %s to %s done in %.2f s (%s)",
        final,
        target.unc,
        time.monotonic() - started,
        target.client,
    )
    return final


def read(target: SMBTarget, remote_path: str) -> bytes:
    """The content of a share-relative file."""
    path = "/".join(split_path(remote_path))
    try:
        with _session(target) as session:
            return session.read(path)
    except Exception as exc:
        raise failure(target, f"Reading {path!r}", exc) from exc


def list_names(target: SMBTarget, folder: str = "") -> list[str]:
    """Sorted names in a share-relative folder ("" is the share's root)."""
    path = "/".join(split_path(folder))
    try:
        with _session(target) as session:
            return sorted(session.listdir(path))
    except Exception as exc:
        raise failure(target, f"Listing {path or '/'!r}", exc) from exc


def reachable(target: SMBTarget) -> dict:
    """For health checks: a fresh connection lists the report folder (or the share's
    root while the folder does not exist yet). Writes nothing, unlike
    test_connection: a probe polled every minute must leave no trace. Raises
    SMBDeliveryError, without the password, when the share cannot be read."""
    try:
        with _session(target, fresh=True) as session:
            listing = _probe_list(target, session, "/".join(split_path(target.path_prefix)))
            encrypted = session.encrypted
    except Exception as exc:
        raise failure(target, "Reaching the share", exc) from exc
    return {
        "unc": target.unc,
        "client": target.client,
        "encrypted": encrypted,
        "detail": scrub(target, listing),
    }


def test_connection(target: SMBTarget) -> dict:
    """Connect, list the prefix folder, write (temp name + rename, as uploads do) and
    delete a probe file. Never raises; the result never contains the password.

    Uses a connection of its own, not a pooled one: a pooled connection would prove
    that the server was reachable some time ago, not that it is now.
    """
    result = {
        "connect": False,
        "list": False,
        "write": False,
        "client": target.client,
        "encrypted": False,
        "detail": "",
    }
    notes: list[str] = []
    prefix = split_path(target.path_prefix)
    try:
        with _session(target, fresh=True) as session:
            result["connect"] = True
            notes.append(f"Connected to {target.unc} as {target.username or 'guest'}.")
            try:
                notes.append(_probe_list(target, session, "/".join(prefix)))
                result["list"] = True
            except Exception as exc:
                # Drop-box shares may allow writing but not listing: still try to write.
                notes.append(f"Listing failed: {reason(target, exc)}.")
            try:
                probe = [*prefix, f".ptb-connection-test-{secrets.token_hex(4)}.txt"]
                _put(session, probe, io.BytesIO(b"PTB connection test; safe to delete.\n"))
                session.remove("/".join(probe))
                result["write"] = True
                notes.append("Wrote, renamed and deleted a probe file.")
            finally:
                # Known only once a tree was connected (smbprotocol decides per share).
                result["encrypted"] = session.encrypted
    except Exception as exc:
        notes.append(f"{reason(target, exc)}.")
    result["detail"] = scrub(target, " ".join(notes))
    return result


# Not a test for pytest to collect when a test module imports it.
test_connection.__test__ = False


def _probe_list(target: SMBTarget, session: Session, folder: str) -> str:
    try:
        names = session.listdir(folder)
    except Exception as exc:
        if not folder:
            raise
        # The prefix is created by the first upload; a share that lists fine without
        # it is not a problem worth a red light.
        session.listdir("")
        return (
            f"Folder {folder!r} is missing ({reason(target, exc)}); "
            "it is created on the first upload."
        )
    entries = "1 entry" if len(names) == 1 else f"{len(names)} entries"
    return f"Listed {folder or 'the share root'} ({entries})."


# --------------------------------------------------------------------------- writing


def part_name(name: str, *, started: float | None = None) -> str:
    """The temporary name an upload of `name` writes to first."""
    stamp = int(time.time() if started is None else started)
    return f".{name}.{stamp}-{secrets.token_hex(6)}.part"


def _put(session: Session, parts: list[str], source: BinaryIO) -> None:
    """Write `source` to the share-relative `parts` through a temporary name."""
    folder, name = parts[:-1], parts[-1]
    temp = "/".join([*folder, part_name(name)])
    if folder:
        _makedirs(session, "/".join(folder))
    try:
        session.write(temp, source)
        session.replace(temp, "/".join(parts))
    except Exception:
        session.discard(temp)
        raise


def _remove_stale_parts(session: Session, folder: list[str]) -> None:
    """Remove our temporary files in `folder` left by uploads that are over (the server
    went away before they could be removed). Never fails the upload that just worked."""
    max_age = settings.SMB_STALE_PART_SECONDS
    now = time.time()
    try:
        names = session.listdir("/".join(folder))
    except Exception as exc:
        logger.info("SMB: could not list %s for leftovers: %s", "/".join(folder), exc)
        return
    for name in names:
        match = _PART.match(name)
        if match and now - int(match["started"]) >= max_age:
            logger.info("SMB: removing leftover temporary file %s", name)
            session.discard("/".join([*folder, name]))


def _makedirs(session: Session, folder: str) -> None:
    """Create the missing folders of `folder`. Written here rather than taken from the
    libraries: smbclient.makedirs loops forever when the share itself does not exist,
    and pysmb has none. One round trip when the folder exists, the usual case."""
    if session.is_dir(folder):
        return
    parts = folder.split("/")
    for depth in range(1, len(parts) + 1):
        path = "/".join(parts[:depth])
        if session.is_dir(path):
            continue
        try:
            session.mkdir(path)
        except Exception as exc:
            # A concurrent upload created it since is_dir() said no. Creating it at the
            # very moment another creator holds it open answers STATUS_SHARING_VIOLATION
            # instead: it exists all the same. (Checking with is_dir() again is no good:
            # the server may refuse to open the folder while the other holds it.)
            if ntstatus(exc) in (STATUS_OBJECT_NAME_COLLISION, STATUS_SHARING_VIOLATION):
                continue
            # Otherwise mkdir's error is the one worth reporting (no share, no right).
            raise
