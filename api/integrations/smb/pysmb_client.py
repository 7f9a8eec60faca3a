"""The pysmb client: pure Python, SMB 2.0.2 at most, no encryption.

Connections are pooled per target (`_PysmbPool`), since connecting and authenticating
is most of the cost of a small upload. pysmb's `rename()` refuses to overwrite an
existing file, which would make every second delivery of a same-named report fail;
`ReplacingSMBConnection` sets the protocol's ReplaceIfExists flag so the rename
replaces the old report in one step.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import select
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from smb.smb2_constants import SMB2_INFO_FILE
from smb.smb2_structs import SMB2SetInfoRequest
from smb.smb_structs import OperationFailure
from smb.SMBConnection import SMBConnection

from api.integrations.smb.errors import SMBDeliveryError
from api.integrations.smb.target import SMBTarget

logger = logging.getLogger("api.integrations.smb")

# The NetBIOS name pysmb announces; servers log it, nothing checks it.
_CLIENT_NAME = "PTB-REPORTS"
# A pooled connection idle for longer is closed instead of reused: firewalls and NAT
# drop idle TCP connections silently, and a dead socket is only found by a timeout.
_MAX_IDLE_SECONDS = 300.0
# Cleaning up after a failure must not double the time a failed upload takes.
CLEANUP_TIMEOUT = 5.0
_FILE_RENAME_INFORMATION = 0x0A  # [MS-FSCC] 2.4.42


class ReplacingSMBConnection(SMBConnection):
    """pysmb sends FileRenameInformation with ReplaceIfExists = 0, so renaming onto
    an existing report fails (STATUS_OBJECT_NAME_COLLISION). Deleting the old file
    first would leave a moment with no report at all; setting the flag makes the
    server replace it in one step. Only rename() sends this information class."""

    def _sendSMBMessage_SMB2(self, smb_message):
        payload = smb_message.payload
        if (
            isinstance(payload, SMB2SetInfoRequest)
            and payload.info_type == SMB2_INFO_FILE
            and payload.file_info_class == _FILE_RENAME_INFORMATION
            and payload.data[:1] == b"\x00"
        ):
            payload.data = b"\x01" + payload.data[1:]
        return super()._sendSMBMessage_SMB2(smb_message)


def connect(target: SMBTarget) -> ReplacingSMBConnection:
    connection = ReplacingSMBConnection(
        target.username,
        target.password,
        _CLIENT_NAME,
        target.server,
        domain=target.domain,
        use_ntlm_v2=True,
        # Sign whenever the server can: reports carry personal data, and pysmb has
        # no encryption to offer instead.
        sign_options=ReplacingSMBConnection.SIGN_WHEN_SUPPORTED,
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


class PysmbSession:
    encrypted = False

    def __init__(self, connection: SMBConnection, target: SMBTarget) -> None:
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
                self.target.share, path, timeout=min(self.target.timeout, CLEANUP_TIMEOUT)
            )
        except Exception as exc:
            logger.info("SMB: could not remove %s: %s", path, type(exc).__name__)

    def read(self, path: str) -> bytes:
        buffer = io.BytesIO()
        self.connection.retrieveFile(self.target.share, path, buffer, timeout=self.target.timeout)
        return buffer.getvalue()


def _looks_alive(connection: SMBConnection) -> bool:
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
    connection: SMBConnection
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
    def connection(self) -> Iterator[SMBConnection]:
        connection = self._acquire()
        try:
            yield connection
        except BaseException:
            self._discard(connection)
            raise
        self._release(connection)

    def _acquire(self) -> SMBConnection:
        deadline = time.monotonic() + self.target.timeout
        stale: list[SMBConnection] = []
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
            return connect(self.target)
        except BaseException:
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise

    def _pop_live(self, stale: list[SMBConnection]) -> SMBConnection | None:
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

    def _release(self, connection: SMBConnection) -> None:
        with self._cond:
            # Keep it for a waiting thread, or to stay warm up to min_size.
            if not self._closed and (self._waiting or len(self._idle) < self.min_size):
                self._idle.append(_Idle(connection, time.monotonic()))
                self._cond.notify()
                return
            self._open -= 1
            self._cond.notify()
        _close_quietly(connection)

    def _discard(self, connection: SMBConnection) -> None:
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


def _close_quietly(connection: SMBConnection) -> None:
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
    """{"open", "idle", "peak"} of the target's pool (zeros when there is none)."""
    with _pools_lock:
        pool = _pools.get(target)
    return pool.stats() if pool else {"open": 0, "idle": 0, "peak": 0}


def close_pools() -> None:
    """Close idle pooled connections. Connections lent out at the time are closed when
    they are returned."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()


def _forget_connections_after_fork() -> None:
    """A forked child (Celery's prefork pool) inherits the parent's sockets: two
    processes talking on one socket corrupt each other's stream. The child closes its
    copies (this process's file descriptors; nothing is sent) and starts with a new
    lock (the old one may have been held by a thread that does not exist in the child)."""
    global _pools_lock
    for pool in _pools.values():
        for entry in pool._idle:
            _close_quietly(entry.connection)
    _pools.clear()
    _pools_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_connections_after_fork)


@contextlib.contextmanager
def session(target: SMBTarget, *, fresh: bool) -> Iterator[PysmbSession]:
    """A pooled session (or, with `fresh`, one on a connection of its own, closed after)."""
    if target.require_encryption:
        raise SMBDeliveryError(
            "pysmb cannot encrypt SMB traffic; choose the smbprotocol client for this share."
        )
    if fresh:
        connection = connect(target)
        try:
            yield PysmbSession(connection, target)
        finally:
            connection.close()
        return
    with _pool_for(target).connection() as connection:
        yield PysmbSession(connection, target)
