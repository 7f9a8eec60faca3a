"""Connections of the two clients: pysmb's pool stays within its bounds under
concurrent uploads, and a forked worker never talks on its parent's connections."""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path

import pytest

from api.integrations import smb
from api.integrations.tests.conftest import unique_name

pytestmark = pytest.mark.integration

CLIENTS = ["pysmb", "smbprotocol"]


@pytest.mark.parametrize("client", CLIENTS)
def test_concurrent_uploads_stay_within_the_pool_maximum(
    samba, samba_target, report, settings, client
):
    settings.SMB_POOL_MIN_SIZE = 1
    settings.SMB_POOL_MAX_SIZE = 3
    prefix = unique_name()
    target = samba_target("plain", client, path_prefix=prefix)
    files = [report(300_000) for _ in range(8)]
    start = threading.Barrier(len(files))
    errors: list[BaseException] = []

    def deliver(index: int, local: Path) -> None:
        try:
            start.wait()
            for round_ in range(2):
                smb.upload(target, local, f"r{index}-{round_}.xlsx")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=item) for item in enumerate(files)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive(), "an upload thread is still running after 60 s"

    assert not errors
    assert sorted(os.listdir(samba.plain_dir / prefix)) == sorted(
        f"r{index}-{round_}.xlsx" for index in range(8) for round_ in range(2)
    )
    if client == "pysmb":
        stats = smb.pool_stats(target)
        assert 2 <= stats["peak"] <= 3
        assert stats["open"] == stats["idle"] <= 3  # nothing leaked, nothing still lent out
    else:  # smbclient multiplexes all threads over the one registered connection
        assert smb.pool_stats(target)["peak"] == 0


@pytest.mark.parametrize("client", CLIENTS)
def test_a_forked_worker_does_not_reuse_the_parents_connections(
    samba, samba_target, report, client
):
    """Celery's prefork pool forks; the child must open connections of its own."""
    target = samba_target("plain", client, path_prefix=unique_name(), timeout=5.0)
    smb.upload(target, report(1000), "parent.xlsx")  # parent holds a live connection now
    local = report()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads running
        pid = os.fork()
    if pid == 0:  # pragma: no cover (child)
        code = 1
        try:
            smb.upload(target, local, "child.xlsx")
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert (samba.plain_dir / target.path_prefix / "child.xlsx").read_bytes() == local.read_bytes()
    # And the parent's connection is still intact.
    smb.upload(target, local, "parent-again.xlsx")
