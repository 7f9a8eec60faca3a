"""Delivery of generated reports to a Windows (SMB) share.

Where to: the active `SMBConfiguration` row (set up in the app) or, when there is none,
the SMB_* settings from the environment (`active_target()`).

Readers never see a half-written report. People open reports straight from the share,
often while a new one is being delivered, and Excel opens a truncated .xlsx as
"corrupt". So `upload()` writes the bytes under a temporary name in the destination
folder (`.<name>.<random>.part`; Samba shows dot files as hidden) and renames it to
the final name only after the last byte was written, replacing an older file of that
name. A rename within a folder is atomic on the server: a reader opens either the
previous report or the new one, never a part of one. On failure the temporary file is
removed if the server can still be reached (when it went away mid-upload, the `.part`
file stays behind; the final name is never touched).

Two client libraries, chosen per target (`client`):

- `pysmb` (default): pure Python, SMB 2.0.2, no encryption. Pooled connections here
  (`_PysmbPool`), since connecting and authenticating is most of the cost of a small
  upload. Its `rename()` refuses to overwrite an existing file, which would make every
  second delivery of a same-named report fail; `_ReplacingSMBConnection` sets the
  protocol's ReplaceIfExists flag so the rename replaces atomically.
- `smbprotocol`: SMB 3.1.1 with signing, and encryption when the share (or the target's
  `require_encryption`) asks for it. Shares with `smb encrypt = required` refuse pysmb.
  Its `smbclient` layer keeps its own connection cache; each target gets a private one
  so that a changed password or a broken connection of one target never affects another.

Paths returned and accepted (`upload`, `read`, `list_names`) are share-relative with
forward slashes ("reports/2026/overtime.xlsx"); the share itself is the target's.

Errors: everything that goes wrong ends up as `SMBDeliveryError`, whose message is fit
to show to the user: it names the server, share and path but never the password.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import re
import secrets
import select
import shutil
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from django.conf import settings

if TYPE_CHECKING:
    from api.system.models import SMBConfiguration

logger = logging.getLogger(__name__)

# pysmb and smbprotocol are imported where used, not here: together they add about
# 0.4 s to the start of every process importing this module (web workers do, through
# the report services), and most of those never deliver anything.

CLIENTS = ("pysmb", "smbprotocol")
# The NetBIOS name pysmb announces; servers log it, nothing checks it.
_CLIENT_NAME = "PTB-REPORTS"
# Windows refuses these in file names; catching them here gives a clear message
# instead of STATUS_OBJECT_NAME_INVALID from the server.
_INVALID_NAME = re.compile(r'[<>:"|?*\x00-\x1f]')
_COPY_CHUNK = 1024 * 1024
# A pooled connection idle for longer is closed instead of reused: firewalls and NAT
# drop idle TCP connections silently, and a dead socket is only found by a timeout.
_MAX_IDLE_SECONDS = 300.0
# Cleaning up after a failure must not double the time a failed upload takes.
_CLEANUP_TIMEOUT = 5.0


class SMBDeliveryError(Exception):
    """Delivery to the share failed; str(exc) is a reason safe to show to users."""


@dataclass(frozen=True)
class SMBTarget:
    """A share to deliver to, with credentials. Hashable: the key of connection pools."""

    server: str
    port: int
    share: str
    username: str
    password: str = field(repr=False)
    domain: str = ""
    path_prefix: str = ""
    client: str = "pysmb"
    require_encryption: bool = False
    timeout: float = 30.0

    def __post_init__(self) -> None:
        problems = []
        if not self.server:
            problems.append("no server")
        if not self.share:
            problems.append("no share name")
        if not 1 <= self.port <= 65535:
            problems.append(f"port {self.port} out of range")
        if self.client not in CLIENTS:
            problems.append(f"unknown client {self.client!r} (expected one of {CLIENTS})")
        if self.timeout <= 0:
            problems.append("timeout must be positive")
        if problems:
            raise SMBDeliveryError("Invalid SMB target: " + "; ".join(problems) + ".")
        _split_path(self.path_prefix)  # rejects unusable prefixes now, not at upload time

    @classmethod
    def from_configuration(cls, config: SMBConfiguration) -> SMBTarget:
        from api.common.crypto import SecretUnreadable

        try:
            password = config.get_password()
        except SecretUnreadable as exc:
            raise SMBDeliveryError(
                f"The password of SMB configuration {config.name!r} cannot be decrypted; "
                "enter it again."
            ) from exc
        return cls(
            server=config.server,
            port=config.port,
            share=config.share_name,
            username=config.username,
            password=password,
            domain=config.domain,
            path_prefix=config.path_prefix,
            client=config.client,
            require_encryption=config.require_encryption,
            timeout=float(config.timeout_seconds),
        )

    @classmethod
    def from_settings(cls) -> SMBTarget | None:
        if not settings.SMB_ENABLED:
            return None
        return cls(
            server=settings.SMB_SERVER,
            port=settings.SMB_PORT,
            share=settings.SMB_SHARE_NAME,
            username=settings.SMB_USERNAME,
            password=settings.SMB_PASSWORD,
            domain=settings.SMB_DOMAIN,
            path_prefix=settings.SMB_PATH_PREFIX,
            client=settings.SMB_CLIENT,
            require_encryption=settings.SMB_REQUIRE_ENCRYPTION,
            timeout=float(settings.SMB_TIMEOUT),
        )

    @property
    def unc(self) -> str:
        return f"\\\\{self.server}\\{self.share}"


def active_target() -> SMBTarget | None:
    """The active SMBConfiguration if there is one, else the environment's (or None).

    Raises SMBDeliveryError when the active configuration is unusable (e.g. its
    password cannot be decrypted): silently falling back would deliver elsewhere.
    """
    from api.system.models import SMBConfiguration

    config = SMBConfiguration.objects.filter(is_active=True).first()
    if config is not None:
        return SMBTarget.from_configuration(config)
    return SMBTarget.from_settings()


# --------------------------------------------------------------------------- public API


def upload(target: SMBTarget, local_path: Path, remote_name: str) -> str:
    """Write `local_path` to `<path_prefix>/<remote_name>` on the share, atomically
    replacing a file of that name and creating missing folders. Returns the
    share-relative path written, with forward slashes."""
    name = _split_path(remote_name)
    if not name:
        raise SMBDeliveryError("No file name given for the upload.")
    parts = _split_path(target.path_prefix) + name
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
    except Exception as exc:
        raise _failure(target, f"Upload of {final!r}", exc) from exc
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
    path = "/".join(_split_path(remote_path))
    try:
        with _session(target) as session:
            return session.read(path)
    except Exception as exc:
        raise _failure(target, f"Reading {path!r}", exc) from exc


def list_names(target: SMBTarget, folder: str = "") -> list[str]:
    """Sorted names in a share-relative folder ("" is the share's root)."""
    path = "/".join(_split_path(folder))
    try:
        with _session(target) as session:
            return sorted(session.listdir(path))
    except Exception as exc:
        raise _failure(target, f"Listing {path or '/'!r}", exc) from exc


def reachable(target: SMBTarget) -> dict:
    """For health checks: a fresh connection lists the report folder (or the share's
    root while the folder does not exist yet). Writes nothing, unlike
    test_connection: a probe polled every minute must leave no trace. Raises
    SMBDeliveryError, without the password, when the share cannot be read."""
    try:
        with _session(target, fresh=True) as session:
            listing = _probe_list(target, session, "/".join(_split_path(target.path_prefix)))
            encrypted = session.encrypted
    except Exception as exc:
        raise _failure(target, "Reaching the share", exc) from exc
    return {
        "unc": target.unc,
        "client": target.client,
        "encrypted": encrypted,
        "detail": _scrub(target, listing),
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
    prefix = _split_path(target.path_prefix)
    try:
        with _session(target, fresh=True) as session:
            result["connect"] = True
            notes.append(f"Connected to {target.unc} as {target.username or 'guest'}.")
            try:
                notes.append(_probe_list(target, session, "/".join(prefix)))
                result["list"] = True
            except Exception as exc:
                # Drop-box shares may allow writing but not listing: still try to write.
                notes.append(f"Listing failed: {_reason(target, exc)}.")
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
        notes.append(f"{_reason(target, exc)}.")
    result["detail"] = _scrub(target, " ".join(notes))
    return result


def _probe_list(target: SMBTarget, session: _Session, folder: str) -> str:
    try:
        names = session.listdir(folder)
    except Exception as exc:
        if not folder:
            raise
        # The prefix is created by the first upload; a share that lists fine without
        # it is not a problem worth a red light.
        session.listdir("")
        return (
            f"Folder {folder!r} is missing ({_reason(target, exc)}); "
            "it is created on the first upload."
        )
    entries = "1 entry" if len(names) == 1 else f"{len(names)} entries"
    return f"Listed {folder or 'the share root'} ({entries})."


# --------------------------------------------------------------------------- paths & errors


def _split_path(path: str) -> list[str]:
    """Components of a share-relative path ("/" and "\\" both separate)."""
    parts = [part for part in re.split(r"[\\/]+", path or "") if part]
    for part in parts:
        if part in (".", "..") or _INVALID_NAME.search(part) or part != part.rstrip(". "):
            raise SMBDeliveryError(f"Invalid name on the share: {part!r}.")
    return parts


def _put(session: _Session, parts: list[str], source: BinaryIO) -> None:
    """Write `source` to the share-relative `parts` through a temporary name."""
    folder, name = parts[:-1], parts[-1]
    folder_path = "/".join(folder)
    temp = "/".join([*folder, f".{name}.{secrets.token_hex(6)}.part"])
    if folder:
        _makedirs(session, folder_path)
    try:
        session.write(temp, source)
        session.replace(temp, "/".join(parts))
    except Exception:
        session.discard(temp)
        raise


def _makedirs(session: _Session, folder: str) -> None:
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
            # A concurrent upload created it since is_dir() said no. (Checking with
            # is_dir() again is no good: the server may refuse to open the folder while
            # the other creator still holds it, STATUS_SHARING_VIOLATION.)
            # Creating it at the very moment another creator holds it open answers
            # STATUS_SHARING_VIOLATION instead: it exists all the same.
            if _ntstatus(exc) in (_STATUS_OBJECT_NAME_COLLISION, _STATUS_SHARING_VIOLATION):
                continue
            # Otherwise mkdir's error is the one worth reporting (no share, no right).
            raise


_STATUS_PENDING = 0x00000103
_STATUS_OBJECT_NAME_COLLISION = 0xC0000035
_STATUS_SHARING_VIOLATION = 0xC0000043
# NTSTATUS codes worth a sentence of their own; the rest are shown by name.
_STATUS_HINTS = {
    0xC000006D: "authentication failed (wrong user name, password or domain)",
    0xC0000022: "access denied (permissions, or the share requires encryption)",
    0xC00000CC: "the share does not exist",
    0xC0000034: "not found",
    0xC000003A: "folder not found",
    0xC0000035: "the name exists already",
    0xC0000043: "the file is open in another program",
    0xC000007F: "the share is full",
}


def _status_name(code: int) -> str:
    from smbprotocol.header import NtStatus

    for name, value in vars(NtStatus).items():
        if value == code and name.startswith("STATUS_"):
            return name
    return f"NTSTATUS 0x{code:08X}"


def _describe_status(code: int) -> str:
    hint = _STATUS_HINTS.get(code)
    return f"{hint} ({_status_name(code)})" if hint else _status_name(code)


def _ntstatus(exc: BaseException) -> int | None:
    """The NTSTATUS the server failed the request with, if `exc` carries one."""
    from smb.smb_structs import OperationFailure
    from smbprotocol.exceptions import SMBOSError, SMBResponseException

    if isinstance(exc, OperationFailure):
        # The last message is often the (successful) close after the failing request.
        failing = [
            message.status
            for message in exc.smb_messages
            if getattr(message, "status", 0) not in (0, _STATUS_PENDING)
        ]
        return failing[-1] if failing else None
    if isinstance(exc, SMBOSError):
        return exc.ntstatus
    if isinstance(exc, SMBResponseException):
        return exc.status
    return None


def _reason(target: SMBTarget, exc: BaseException) -> str:
    """One line about `exc`, without the stack of protocol messages the libraries attach."""
    from smb.base import NotConnectedError, SMBTimeout
    from smb.smb_structs import OperationFailure
    from smbprotocol.exceptions import SMBOSError, SMBResponseException

    if isinstance(exc, SMBDeliveryError):
        text = str(exc)
    elif isinstance(exc, OperationFailure):
        text = exc.message.rstrip(".")
        if (status := _ntstatus(exc)) is not None:
            text += f": {_describe_status(status)}"
    elif isinstance(exc, SMBOSError):
        text = f"{_describe_status(exc.ntstatus)}: {exc.filename}"
    elif isinstance(exc, SMBResponseException):
        text = _describe_status(exc.status)
    elif isinstance(exc, ValueError) and isinstance(exc.__cause__, OSError):
        return _reason(target, exc.__cause__)  # smbprotocol wraps socket errors so
    elif isinstance(exc, SMBTimeout | TimeoutError):
        text = f"no answer from {target.server}:{target.port} within {target.timeout:g} s"
    elif isinstance(exc, NotConnectedError):
        text = f"the server {target.server}:{target.port} closed the connection"
    elif isinstance(exc, ConnectionRefusedError):
        text = f"nothing accepts SMB connections at {target.server}:{target.port}"
    elif isinstance(exc, OSError) and exc.strerror:
        text = f"{target.server}:{target.port}: {exc.strerror}"
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return _scrub(target, text)


def _scrub(target: SMBTarget, text: str) -> str:
    # No library puts the password in its messages today; this is the guarantee.
    return text.replace(target.password, "[REDACTED]") if target.password else text


def _failure(target: SMBTarget, what: str, exc: BaseException) -> SMBDeliveryError:
    reason = _reason(target, exc)
    logger.warning("SMB: %s at %s failed: %s", what, target.unc, reason)
    return SMBDeliveryError(f"{what} at {target.unc} failed: {reason}")


# --------------------------------------------------------------------------- sessions


class _Session(Protocol):
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
def _session(target: SMBTarget, *, fresh: bool = False) -> Iterator[_Session]:
    """A session for `target`: pooled (or, with `fresh`, private and closed after)."""
    if target.client == "smbprotocol":
        with _smbprotocol_session(target, fresh=fresh) as session:
            yield session
        return
    if target.require_encryption:
        raise SMBDeliveryError(
            "pysmb cannot encrypt SMB traffic; choose the smbprotocol client for this share."
        )
    if fresh:
        connection = _pysmb_connect(target)
        try:
            yield _PysmbSession(connection, target)
        finally:
            connection.close()
        return
    with _pool_for(target).connection() as connection:
        yield _PysmbSession(connection, target)


# --------------------------------------------------------------------------- pysmb


@functools.cache
def _replacing_connection_class():
    from smb.smb2_constants import SMB2_INFO_FILE
    from smb.smb2_structs import SMB2SetInfoRequest
    from smb.SMBConnection import SMBConnection

    file_rename_information = 0x0A  # [MS-FSCC] 2.4.42

    class _ReplacingSMBConnection(SMBConnection):
        """pysmb sends FileRenameInformation with ReplaceIfExists = 0, so renaming onto
        an existing report fails (STATUS_OBJECT_NAME_COLLISION). Deleting the old file
        first would leave a moment with no report at all; setting the flag makes the
        server replace it in one step. Only rename() sends this information class."""

        def _sendSMBMessage_SMB2(self, smb_message):
            payload = smb_message.payload
            if (
                isinstance(payload, SMB2SetInfoRequest)
                and payload.info_type == SMB2_INFO_FILE
                and payload.file_info_class == file_rename_information
                and payload.data[:1] == b"\x00"
            ):
                payload.data = b"\x01" + payload.data[1:]
            return super()._sendSMBMessage_SMB2(smb_message)

    return _ReplacingSMBConnection


def _pysmb_connect(target: SMBTarget):
    connection_class = _replacing_connection_class()
    connection = connection_class(
        target.username,
        target.password,
        _CLIENT_NAME,
        target.server,
        domain=target.domain,
        use_ntlm_v2=True,
        # Sign whenever the server can: reports carry personal data, and pysmb has
        # no encryption to offer instead.
        sign_options=connection_class.SIGN_WHEN_SUPPORTED,
        is_direct_tcp=True,
    )
    try:
        authenticated = connection.connect(target.server, target.port, timeout=target.timeout)
    except Exception:
        connection.close()
        raise
    if not authenticated:
        connection.close()
        raise SMBDeliveryError(
            f"authentication as {target.username or 'guest'} failed "
            "(wrong user name, password or domain)"
        )
    return connection


class _PysmbSession:
    encrypted = False

    def __init__(self, connection, target: SMBTarget) -> None:
        self.connection = connection
        self.target = target

    def listdir(self, folder: str) -> list[str]:
        entries = self.connection.listPath(
            self.target.share, folder or "/", timeout=self.target.timeout
        )
        return [entry.filename for entry in entries if entry.filename not in (".", "..")]

    def mkdir(self, path: str) -> None:
        self.connection.createDirectory(self.target.share, path, timeout=self.target.timeout)

    def is_dir(self, path: str) -> bool:
        from smb.smb_structs import OperationFailure

        try:
            attributes = self.connection.getAttributes(
                self.target.share, path, timeout=self.target.timeout
            )
        except OperationFailure:
            return False
        if not attributes.isDirectory:
            raise SMBDeliveryError(f"{path!r} exists on the share but is not a folder")
        return True

    def write(self, path: str, source: BinaryIO) -> None:
        self.connection.storeFile(self.target.share, path, source, timeout=self.target.timeout)

    def replace(self, src: str, dst: str) -> None:
        if not self.connection.isUsingSMB2:
            # SMB1 has no replacing rename; the old report disappears for a moment.
            self.discard(dst)
        self.connection.rename(self.target.share, src, dst, timeout=self.target.timeout)

    def remove(self, path: str) -> None:
        self.connection.deleteFiles(self.target.share, path, timeout=self.target.timeout)

    def discard(self, path: str) -> None:
        try:
            self.connection.deleteFiles(
                self.target.share, path, timeout=min(self.target.timeout, _CLEANUP_TIMEOUT)
            )
        except Exception as exc:
            logger.info("SMB: could not remove %s: %s", path, type(exc).__name__)

    def read(self, path: str) -> bytes:
        buffer = io.BytesIO()
        self.connection.retrieveFile(self.target.share, path, buffer, timeout=self.target.timeout)
        return buffer.getvalue()


def _looks_alive(connection) -> bool:
    """An idle SMB connection has nothing to read: readable means the server closed it
    (a restart, an idle timeout) or sent something we never asked for. Either way it
    cannot be trusted with the next request. Costs no round trip."""
    sock = getattr(connection, "sock", None)
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


@dataclass
class _Idle:
    connection: object
    since: float


class _PysmbPool:
    """Connections to one target: at most `max_size` open at once; up to `min_size`
    kept open between uploads. pysmb connections are not thread-safe, so each is lent
    to one thread at a time. A connection that saw any error is closed, not returned."""

    def __init__(self, target: SMBTarget, *, min_size: int, max_size: int) -> None:
        self.target = target
        self.min_size = max(0, min_size)
        self.max_size = max(1, max_size)
        self._idle: list[_Idle] = []
        self._open = 0  # idle + lent out + being connected
        self._waiting = 0
        self._closed = False
        self.peak = 0
        self._cond = threading.Condition()

    @contextlib.contextmanager
    def connection(self):
        connection = self._acquire()
        try:
            yield connection
        except BaseException:
            self._discard(connection)
            raise
        self._release(connection)

    def _acquire(self):
        deadline = time.monotonic() + self.target.timeout
        stale = []
        with self._cond:
            while True:
                idle = self._pop_live(stale)
                if idle is not None:
                    break
                if self._open < self.max_size:
                    self._open += 1
                    self.peak = max(self.peak, self._open)
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SMBDeliveryError(
                        f"all {self.max_size} connections to {self.target.unc} stayed busy "
                        f"for {self.target.timeout:g} s"
                    )
                self._waiting += 1
                try:
                    self._cond.wait(remaining)
                finally:
                    self._waiting -= 1
        for connection in stale:
            _close_quietly(connection)
        if idle is not None:
            return idle
        # Connect outside the lock: it takes a round trip or a timeout, and other
        # threads may meanwhile use or return the connections that exist.
        try:
            return _pysmb_connect(self.target)
        except BaseException:
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise

    def _pop_live(self, stale: list):
        """The most recently used idle connection still fit for use; the unfit ones
        popped on the way are counted out and collected in `stale` to be closed."""
        while self._idle:
            entry = self._idle.pop()
            fresh = time.monotonic() - entry.since < _MAX_IDLE_SECONDS
            if fresh and _looks_alive(entry.connection):
                return entry.connection
            stale.append(entry.connection)
            self._open -= 1
        return None

    def _release(self, connection) -> None:
        with self._cond:
            # Keep it for a waiting thread, or to stay warm up to min_size.
            if not self._closed and (self._waiting or len(self._idle) < self.min_size):
                self._idle.append(_Idle(connection, time.monotonic()))
                self._cond.notify()
                return
            self._open -= 1
            self._cond.notify()
        _close_quietly(connection)

    def _discard(self, connection) -> None:
        with self._cond:
            self._open -= 1
            self._cond.notify()
        _close_quietly(connection)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._open -= len(idle)
        for entry in idle:
            _close_quietly(entry.connection)

    def stats(self) -> dict[str, int]:
        with self._cond:
            return {"open": self._open, "idle": len(self._idle), "peak": self.peak}


def _close_quietly(connection) -> None:
    with contextlib.suppress(Exception):
        connection.close()


_pools: dict[SMBTarget, _PysmbPool] = {}
_pools_lock = threading.Lock()


def _pool_for(target: SMBTarget) -> _PysmbPool:
    # Keyed by the whole target, password included (SMBTarget's repr hides it): a
    # changed password must not keep using connections authenticated with the old one.
    with _pools_lock:
        pool = _pools.get(target)
        if pool is None:
            pool = _pools[target] = _PysmbPool(
                target,
                min_size=settings.SMB_POOL_MIN_SIZE,
                max_size=settings.SMB_POOL_MAX_SIZE,
            )
        return pool


def pool_stats(target: SMBTarget) -> dict[str, int]:
    """{"open", "idle", "peak"} of the target's pysmb pool (zeros when there is none)."""
    with _pools_lock:
        pool = _pools.get(target)
    return pool.stats() if pool else {"open": 0, "idle": 0, "peak": 0}


def close_pools() -> None:
    """Close idle pooled connections and forget all sessions (tests, reconfiguration).
    Connections lent out at the time are closed when they are returned."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()
    _smbprotocol_sessions.reset_all()


# --------------------------------------------------------------------------- smbprotocol


class _SmbprotocolSessions:
    """One private smbclient connection cache per target, registered once.

    smbclient finds a cached session by server:port and user name only; sharing its
    global cache would keep using a session of the old password after a change. The
    registration runs under a per-target lock so concurrent uploads do not open (and
    leak) parallel connections for the same target.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._caches: dict[SMBTarget, dict] = {}
        self._locks: dict[SMBTarget, threading.Lock] = {}

    def kwargs(self, target: SMBTarget, cache: dict | None = None) -> dict:
        if cache is None:
            with self._lock:
                cache = self._caches.setdefault(target, {})
                lock = self._locks.setdefault(target, threading.Lock())
        else:
            lock = threading.Lock()
        kwargs = _smbprotocol_kwargs(target, cache)
        import smbclient

        with lock:
            # Cheap when the cached connection is alive; reconnects when it is not.
            kwargs["session"] = smbclient.register_session(target.server, **kwargs)
        return kwargs

    def reset(self, target: SMBTarget) -> None:
        with self._lock:
            cache = self._caches.pop(target, None)
        _reset_cache(cache)

    def reset_all(self) -> None:
        with self._lock:
            caches = list(self._caches.values())
            self._caches.clear()
        for cache in caches:
            _reset_cache(cache)


def _reset_cache(cache: dict | None) -> None:
    if cache:
        import smbclient

        smbclient.reset_connection_cache(fail_on_error=False, connection_cache=cache)


def _smbprotocol_kwargs(target: SMBTarget, cache: dict) -> dict:
    username = target.username
    if username and target.domain and "\\" not in username and "@" not in username:
        username = f"{target.domain}\\{username}"
    return {
        "username": username or None,
        "password": target.password or None,
        "port": target.port,
        # True forces encryption; None lets the share decide (shares that require it
        # get it, smbprotocol encrypts per tree connect then).
        "encrypt": True if target.require_encryption else None,
        "connection_timeout": target.timeout,
        "connection_cache": cache,
    }


_smbprotocol_sessions = _SmbprotocolSessions()


def _forget_connections_after_fork() -> None:
    """A forked child (Celery's prefork pool) inherits the parent's sockets but not
    the threads behind them: smbclient's receiver thread is gone, so a request on an
    inherited connection would wait forever, and two processes talking on one socket
    corrupt each other's stream. The child starts afresh, without saying goodbye on
    sockets that are still the parent's, and with new locks (one may have been held
    by a thread that does not exist in the child)."""
    global _pools_lock, _smbprotocol_sessions
    for pool in _pools.values():
        for entry in pool._idle:
            _close_quietly(entry.connection)  # pysmb: closes this process's fd, sends nothing
    _pools.clear()
    _pools_lock = threading.Lock()
    _smbprotocol_sessions = _SmbprotocolSessions()


os.register_at_fork(after_in_child=_forget_connections_after_fork)


@contextlib.contextmanager
def _smbprotocol_session(target: SMBTarget, *, fresh: bool) -> Iterator[_Session]:
    from smbprotocol.exceptions import SMBOSError, SMBResponseException

    private_cache: dict | None = {} if fresh else None
    try:
        kwargs = _smbprotocol_sessions.kwargs(target, private_cache)
        yield _SmbprotocolSession(target, kwargs)
    except (SMBOSError, SMBResponseException):
        # The server answered with an error status: the connection itself is fine.
        raise
    except BaseException:
        if not fresh:
            _smbprotocol_sessions.reset(target)
        raise
    finally:
        _reset_cache(private_cache)


class _SmbprotocolSession:
    def __init__(self, target: SMBTarget, kwargs: dict) -> None:
        self.target = target
        self._session = kwargs.pop("session")
        self.kwargs = kwargs

    def _unc(self, path: str) -> str:
        return self.target.unc + ("\\" + path.replace("/", "\\") if path else "")

    @property
    def encrypted(self) -> bool:
        if self._session.encrypt_data:
            return True
        share = self.target.unc.lower()
        return any(
            tree.encrypt_data
            for tree in self._session.tree_connect_table.values()
            if tree.share_name.lower() == share
        )

    def listdir(self, folder: str) -> list[str]:
        import smbclient

        return smbclient.listdir(self._unc(folder), **self.kwargs)

    def mkdir(self, path: str) -> None:
        import smbclient

        smbclient.mkdir(self._unc(path), **self.kwargs)

    def is_dir(self, path: str) -> bool:
        import smbclient

        try:
            mode = smbclient.stat(self._unc(path), **self.kwargs).st_mode
        except OSError:
            return False
        if not stat.S_ISDIR(mode):
            raise SMBDeliveryError(f"{path!r} exists on the share but is not a folder")
        return True

    def write(self, path: str, source: BinaryIO) -> None:
        import smbclient

        remote = smbclient.open_file(self._unc(path), mode="wb", **self.kwargs)
        try:
            shutil.copyfileobj(source, remote, _COPY_CHUNK)
            remote.close()  # flushes the last buffered bytes; errors count as failures
        except BaseException:
            _abandon(remote)
            raise

    def replace(self, src: str, dst: str) -> None:
        import smbclient

        smbclient.replace(self._unc(src), self._unc(dst), **self.kwargs)

    def remove(self, path: str) -> None:
        import smbclient

        smbclient.remove(self._unc(path), **self.kwargs)

    def discard(self, path: str) -> None:
        try:
            self.remove(path)
        except Exception as exc:
            logger.info("SMB: could not remove %s: %s", path, type(exc).__name__)

    def read(self, path: str) -> bytes:
        import smbclient

        with smbclient.open_file(self._unc(path), mode="rb", **self.kwargs) as remote:
            return remote.read()


def _abandon(remote) -> None:
    """Close a file object whose write failed, as far as the connection allows.

    When the connection is gone, close() fails and leaves smbclient's handle marked
    open, so the garbage collector tries to flush and close it again later and prints
    the same error as "Exception ignored". Marking the handle closed prevents that; the
    server drops handles of a lost connection itself.
    """
    with contextlib.suppress(Exception):
        remote.close()
    handle = getattr(getattr(remote, "raw", remote), "fd", None)
    if getattr(handle, "_connected", False):  # smbprotocol.open.Open; `connected` is read-only
        handle._connected = False
