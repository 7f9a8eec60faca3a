"""A private Samba server for the SMB tests (integrations, reports, system), and the
fixtures their conftest files import.

Everything smbd writes (tdb databases, pid file, sockets, logs) lives in one temporary
directory, it listens only on 127.0.0.1 at a free high port and it serves two shares:

- `plain`: writable, no encryption required (any SMB2+ client, pysmb included);
- `secure`: writable, `server smb encrypt = required` (SMB3 clients that encrypt only).

Samba authenticates against its own passdb (tdbsam in the temp dir) but still needs a
Unix account to run file operations as, so a system user is created once if missing
(the tests run as root). `stop()` kills smbd and the children it forked (one per client
connection, plus samba-dcerpcd if something asked for RPC); `start()` starts it again on
the same port, so a test can take the server away under a client and bring it back.

`SambaServer(min_protocol="SMB3")` serves the same shares to SMB 3 clients only (what
Windows can demand), which pysmb (SMB 2.0.2 at most) cannot negotiate with.

The fixtures are imported by several conftest files; each of those registers its own
copy of a session fixture, so the servers themselves are kept here, one per kind for
the whole process (`shared_server()`), and stopped when it exits.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from api.integrations import smb
from api.system.models import SMBConfiguration
from conftest import free_port, require_service, wait_for_port

SMBD = "/usr/sbin/smbd"
UNIX_USER = "ptbsmbtest"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def samba_problem() -> str | None:
    """Why a private smbd cannot run here, or None."""
    for binary in (SMBD, shutil.which("smbpasswd")):
        if not binary or not os.access(binary, os.X_OK):
            return f"{binary or 'smbpasswd'} is not installed (apt-get install samba)"
    if os.geteuid() != 0:
        return "smbd needs root here (it switches to the share user for file access)"
    return None


def _ensure_unix_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    added = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
    )
    try:  # a parallel test run may have added it first, making useradd fail
        return pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError(f"cannot add Unix user {name}: {added.stderr.strip()}") from None


def _die_with_parent() -> None:
    """In the child before exec: smbd gets SIGKILL when the test process dies, even
    killed, instead of serving a deleted directory forever."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class SambaServer:
    """One private smbd. Create it, then `start()`; `close()` stops it and removes its files."""

    def __init__(self, *, port: int | None = None, min_protocol: str = "SMB2_02") -> None:
        self.port = port or free_port()
        self.min_protocol = min_protocol
        self.username = UNIX_USER
        # Random per run: a fixed test password would be a standing credential on the host.
        self.password = f"Smb-{secrets.token_urlsafe(12)}"
        # Not under pytest's tmp dir: that is 0700 root and smbd touches the share files
        # as the share user, who must be able to traverse every parent directory.
        self.root = Path(tempfile.mkdtemp(prefix="ptb-samba-"))
        self.root.chmod(0o755)
        self.plain_dir = self.root / "shares" / "plain"
        self.secure_dir = self.root / "shares" / "secure"
        self.conf = self.root / "smb.conf"
        self.log_file = self.root / "log" / "smbd.log"
        self.process: subprocess.Popen | None = None
        try:
            self._configure()
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    # ------------------------------------------------------------------ setup

    def _configure(self) -> None:
        account = _ensure_unix_user(self.username)
        for name in ("lock", "state", "cache", "pid", "ncalrpc", "log"):
            (self.root / name).mkdir(mode=0o755)
        (self.root / "private").mkdir(mode=0o700)  # passdb: password hashes
        (self.root / "shares").mkdir(mode=0o755)
        for share in (self.plain_dir, self.secure_dir):
            share.mkdir(mode=0o755)
            os.chown(share, account.pw_uid, account.pw_gid)
        r = self.root
        self.conf.write_text(
            f"""[global]
    server role = standalone server
    workgroup = WORKGROUP
    netbios name = PTBSMBTEST
    security = user
    map to guest = never
    smb ports = {self.port}
    interfaces = lo
    bind interfaces only = yes
    disable netbios = yes
    server min protocol = {self.min_protocol}
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes
    lock directory = {r}/lock
    state directory = {r}/state
    cache directory = {r}/cache
    pid directory = {r}/pid
    private dir = {r}/private
    ncalrpc dir = {r}/ncalrpc
    passdb backend = tdbsam:{r}/private/passdb.tdb
    log file = {self.log_file}
    log level = 1
    max log size = 1000

[plain]
    path = {self.plain_dir}
    read only = no
    valid users = {self.username}

[secure]
    path = {self.secure_dir}
    read only = no
    valid users = {self.username}
    server smb encrypt = required
"""
        )
        subprocess.run(
            ["smbpasswd", "-c", str(self.conf), "-a", "-s", self.username],
            input=f"{self.password}\n{self.password}\n",
            text=True,
            check=True,
            capture_output=True,
        )

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 15.0) -> None:
        if self.running:
            return
        log = (self.root / "log" / "smbd.stdout").open("ab")
        self.process = subprocess.Popen(
            [
                SMBD,
                "--foreground",
                "--no-process-group",
                f"--configfile={self.conf}",
                "--debug-stdout",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own process group, so stop() can kill the per-connection children too.
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()
        try:
            wait_for_port(self.port, timeout=timeout)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"smbd did not listen on {self.port}:\n{self.log_tail()}") from None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        # SIGKILL is not instant for the whole group: wait until no old child is left
        # that could still answer on (or hold) the port when start() runs again.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self._group_alive(process.pid):
            time.sleep(0.02)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @staticmethod
    def _group_alive(pgid: int) -> bool:
        """A live (non-zombie) process is left in the group. Zombies do not count: the
        kernel closed their sockets already, and init reaps them whenever it gets to it."""
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
        return False

    def log_tail(self, lines: int = 40) -> str:
        chunks = []
        for path in (self.log_file, self.root / "log" / "smbd.stdout"):
            if path.exists():
                chunks.extend(path.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(chunks)

    def __repr__(self) -> str:
        return f"SambaServer(port={self.port}, root={self.root}, running={self.running})"


_servers: dict[str, SambaServer] = {}


def shared_server(min_protocol: str = "SMB2_02") -> SambaServer:
    """The process's running smbd of that kind, started on first use."""
    require_service("Samba (smbd)", samba_problem())
    server = _servers.get(min_protocol)
    if server is None:
        server = SambaServer(min_protocol=min_protocol)
        try:
            server.start()
        except BaseException:
            server.close()
            raise
        _servers[min_protocol] = server
        atexit.register(server.close)
    server.start()  # a no-op unless a test left it stopped
    return server


@pytest.fixture(scope="session")
def samba():
    """One running smbd for the whole run: `.port`, `.plain_dir`, `.secure_dir`,
    `.username`, `.password`, `.stop()`, `.start()`. A test that stops it asks for
    `samba_outage` instead, which starts it again whatever happens."""
    return shared_server()


@pytest.fixture(scope="session")
def samba_smb3_only():
    """A second smbd whose minimum dialect is SMB 3 (pysmb cannot negotiate with it)."""
    return shared_server("SMB3")


@pytest.fixture
def samba_outage(samba):
    """The session's smbd, for a test that stops it; running again afterwards."""
    yield samba
    samba.start()


@pytest.fixture(autouse=True)
def _fresh_smb_pools():
    """Pools and smbclient sessions are process-wide; no test sees another's."""
    smb.close_pools()
    yield
    smb.close_pools()


@pytest.fixture
def samba_target(samba):
    """`samba_target(share="plain", client="pysmb", **overrides)` -> SMBTarget."""

    def make(share: str = "plain", client: str = "pysmb", **overrides) -> smb.SMBTarget:
        fields = {
            "server": "127.0.0.1",
            "port": samba.port,
            "share": share,
            "username": samba.username,
            "password": samba.password,
            "domain": "WORKGROUP",
            "path_prefix": "",
            "client": client,
            "require_encryption": False,
            "timeout": 5.0,
            **overrides,
        }
        return smb.SMBTarget(**fields)

    return make


def smb_configuration(*, password: str, is_active: bool = True, **fields) -> SMBConfiguration:
    """A saved SMBConfiguration (active unless told), with `password` encrypted."""
    values = {
        "name": f"cfg-{secrets.token_hex(4)}",
        "server": "nas.example.com",
        "port": 1445,
        "share_name": "Exports",
        "username": "ptb",
        "domain": "WORKGROUP",
        "path_prefix": "monthly",
        "client": "pysmb",
        "timeout_seconds": 7,
        "is_active": is_active,
        **fields,
    }
    config = SMBConfiguration(**values)
    config.set_password(password)
    config.save()
    return config


def samba_configuration(samba: SambaServer, **fields) -> SMBConfiguration:
    """The active configuration, pointing at `samba` (plain share, a fresh prefix)."""
    values = {
        "server": "127.0.0.1",
        "port": samba.port,
        "share_name": "plain",
        "username": samba.username,
        "path_prefix": f"t-{secrets.token_hex(4)}",
        "timeout_seconds": 5,
        **fields,
    }
    return smb_configuration(password=samba.password, **values)
