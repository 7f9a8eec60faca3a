"""The smbprotocol client: SMB 3.1.1 with signing, and encryption when the share (or
the target's `require_encryption`) asks for it. Shares with `smb encrypt = required`
refuse pysmb; they need this one.

Its `smbclient` layer keeps its own connection cache; each target gets a private one
so that a changed password or a broken connection of one target never affects another.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import stat
import threading
from collections.abc import Iterator
from typing import BinaryIO

import smbclient
from smbprotocol.exceptions import SMBOSError, SMBResponseException

from api.integrations.smb.errors import SMBDeliveryError
from api.integrations.smb.target import SMBTarget

logger = logging.getLogger("api.integrations.smb")

_COPY_CHUNK = 1024 * 1024


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


_sessions = _SmbprotocolSessions()


def close_sessions() -> None:
    """Forget every cached session (tests, reconfiguration)."""
    _sessions.reset_all()


def _forget_connections_after_fork() -> None:
    """A forked child (Celery's prefork pool) inherits the parent's sockets but not
    the threads behind them: smbclient's receiver thread is gone, so a request on an
    inherited connection would wait forever. The child starts afresh, without saying
    goodbye on sockets that are still the parent's, and with new locks."""
    global _sessions
    _sessions = _SmbprotocolSessions()


os.register_at_fork(after_in_child=_forget_connections_after_fork)


@contextlib.contextmanager
def session(target: SMBTarget, *, fresh: bool) -> Iterator[SmbprotocolSession]:
    """A session on the target's cached connection (or, with `fresh`, a private one)."""
    private_cache: dict | None = {} if fresh else None
    try:
        kwargs = _sessions.kwargs(target, private_cache)
        yield SmbprotocolSession(target, kwargs)
    except (SMBOSError, SMBResponseException):
        # The server answered with an error status: the connection itself is fine.
        raise
    except BaseException:
        if not fresh:
            _sessions.reset(target)
        raise
    finally:
        _reset_cache(private_cache)


class SmbprotocolSession:
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
        return smbclient.listdir(self._unc(folder), **self.kwargs)

    def mkdir(self, path: str) -> None:
        smbclient.mkdir(self._unc(path), **self.kwargs)

    def is_dir(self, path: str) -> bool:
        try:
            mode = smbclient.stat(self._unc(path), **self.kwargs).st_mode
        except OSError:
            return False
        if not stat.S_ISDIR(mode):
            raise SMBDeliveryError(f"{path!r} exists on the share but is not a folder")
        return True

    def write(self, path: str, source: BinaryIO) -> None:
        remote = smbclient.open_file(self._unc(path), mode="wb", **self.kwargs)
        try:
            shutil.copyfileobj(source, remote, _COPY_CHUNK)
            remote.close()  # flushes the last buffered bytes; errors count as failures
        except BaseException:
            _abandon(remote)
            raise

    def replace(self, src: str, dst: str) -> None:
        smbclient.replace(self._unc(src), self._unc(dst), **self.kwargs)

    def remove(self, path: str) -> None:
        smbclient.remove(self._unc(path), **self.kwargs)

    def discard(self, path: str) -> None:
        try:
            self.remove(path)
        except Exception as exc:
            logger.info("SMB: could not remove %s: %s", path, type(exc).__name__)

    def read(self, path: str) -> bytes:
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
