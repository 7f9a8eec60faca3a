"""Delivery to SMB shares with either client, against a real (private) Samba server:
uploads, outages, leftovers of interrupted uploads, the connection test."""

from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path

import pytest

from api.integrations import smb
from api.integrations.tests.conftest import unique_name
from conftest import free_port

pytestmark = pytest.mark.integration

CLIENTS = ["pysmb", "smbprotocol"]


def _files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


# --------------------------------------------------------------------------- uploads


@pytest.mark.parametrize("client", CLIENTS)
def test_upload_to_the_plain_share_reads_back_identically(samba, samba_target, report, client):
    target = samba_target("plain", client, path_prefix=unique_name())
    local = report(700_000)  # several SMB write requests

    remote = smb.upload(target, local, "overtime.xlsx")

    assert remote == f"{target.path_prefix}/overtime.xlsx"
    assert smb.read(target, remote) == local.read_bytes()
    assert (samba.plain_dir / remote).read_bytes() == local.read_bytes()
    assert smb.list_names(target, target.path_prefix) == ["overtime.xlsx"]


@pytest.mark.parametrize("require_encryption", [True, False])
def test_smbprotocol_delivers_to_the_encrypted_share(
    samba, samba_target, report, require_encryption
):
    target = samba_target(
        "secure", "smbprotocol", path_prefix=unique_name(), require_encryption=require_encryption
    )
    local = report()

    remote = smb.upload(target, local, "secret.xlsx")

    assert smb.read(target, remote) == local.read_bytes()
    assert (samba.secure_dir / remote).read_bytes() == local.read_bytes()
    # Without require_encryption the share's own demand switches encryption on.
    assert smb.test_connection(target)["encrypted"] is True


def test_pysmb_is_refused_by_the_encrypted_share_and_leaves_nothing(samba, samba_target, report):
    prefix = unique_name()
    target = samba_target("secure", "pysmb", path_prefix=prefix)

    with pytest.raises(smb.SMBDeliveryError, match="access denied") as caught:
        smb.upload(target, report(), "secret.xlsx")

    assert samba.password not in str(caught.value)
    assert not (samba.secure_dir / prefix).exists()


def test_pysmb_with_required_encryption_is_refused_before_connecting(samba_target, report):
    target = samba_target("secure", "pysmb", require_encryption=True)

    with pytest.raises(smb.SMBDeliveryError, match="choose the smbprotocol client"):
        smb.upload(target, report(), "x.xlsx")


@pytest.mark.parametrize("client", CLIENTS)
def test_upload_creates_the_prefix_and_replaces_a_file_of_the_same_name(
    samba, samba_target, report, client
):
    prefix = f"{unique_name('reports')}/2026/05"
    target = samba_target("plain", client, path_prefix=prefix)
    first, second = report(50_000), report(80_000)

    smb.upload(target, first, "monthly.xlsx")
    remote = smb.upload(target, second, "monthly.xlsx")

    assert smb.read(target, remote) == second.read_bytes()
    folder = samba.plain_dir / prefix
    # Only the final file: no temporary ".monthly.xlsx.*.part" left behind.
    assert sorted(os.listdir(folder)) == ["monthly.xlsx"]


def test_remote_names_cannot_leave_the_prefix(samba_target, report):
    target = samba_target("plain", "pysmb", path_prefix="reports")

    for bad in ("../escape.xlsx", "a/../../b.xlsx", "what?.xlsx", "trailing.", ""):
        with pytest.raises(smb.SMBDeliveryError):
            smb.upload(target, report(10), bad)


def test_a_missing_local_file_is_a_delivery_error(samba_target, tmp_path):
    target = samba_target("plain", "pysmb")

    with pytest.raises(smb.SMBDeliveryError, match="Cannot read the report file"):
        smb.upload(target, tmp_path / "nope.xlsx", "nope.xlsx")


# --------------------------------------------------------------------------- outages


@pytest.mark.parametrize("client", CLIENTS)
def test_upload_while_the_server_is_down_fails_and_recovers(
    samba_outage, samba_target, report, client
):
    prefix = unique_name()
    target = samba_target("plain", client, path_prefix=prefix, timeout=3.0)
    smb.upload(target, report(1000), "warm.xlsx")  # a pooled/cached connection exists now
    local = report()

    samba_outage.stop()
    with pytest.raises(smb.SMBDeliveryError) as caught:
        smb.upload(target, local, "late.xlsx")

    assert samba_outage.password not in str(caught.value)
    assert not (samba_outage.plain_dir / prefix / "late.xlsx").exists()
    if client == "pysmb":  # the dead pooled connection was closed, not kept
        assert smb.pool_stats(target)["open"] == 0

    samba_outage.start()
    remote = smb.upload(target, local, "late.xlsx")
    assert (samba_outage.plain_dir / remote).read_bytes() == local.read_bytes()


@pytest.mark.parametrize("client", CLIENTS)
def test_a_server_restart_between_uploads_goes_unnoticed(
    samba_outage, samba_target, report, client
):
    """Pooled/cached connections to the old server process are dead; the next upload
    must notice before using one, not fail on it."""
    target = samba_target("plain", client, path_prefix=unique_name())
    smb.upload(target, report(1000), "before.xlsx")

    samba_outage.stop()
    samba_outage.start()

    local = report()
    remote = smb.upload(target, local, "after.xlsx")
    assert (samba_outage.plain_dir / remote).read_bytes() == local.read_bytes()


@pytest.mark.parametrize("client", CLIENTS)
def test_server_killed_in_the_middle_of_an_upload(
    samba_outage, samba_target, tmp_path, settings, client
):
    """The report is fed through a FIFO so the server can be killed at a known point:
    after the temporary file exists on the share and before the last byte is sent.
    The temporary file left behind is removed by a later upload to that folder once it
    is older than the longest upload."""
    prefix = unique_name()
    target = samba_target("plain", client, path_prefix=prefix, timeout=3.0)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    chunk = os.urandom(256 * 1024)
    folder = samba_outage.plain_dir / prefix
    feeder_error: list[BaseException] = []

    def feed() -> None:
        try:
            with fifo.open("wb") as pipe:
                pipe.write(chunk)
                pipe.flush()
                deadline = time.monotonic() + 10
                while not (folder.exists() and any(folder.glob(".big.xlsx.*.part"))):
                    if time.monotonic() > deadline:
                        raise TimeoutError("the temporary file never appeared")
                    time.sleep(0.01)
                samba_outage.stop()
                # Whatever the client still sends goes nowhere; end the stream.
                pipe.write(chunk)
        except BrokenPipeError:
            pass  # the client gave up reading, as it should
        except BaseException as exc:
            feeder_error.append(exc)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        with pytest.raises(smb.SMBDeliveryError):
            smb.upload(target, fifo, "big.xlsx")
    finally:
        feeder.join(15)
    assert not feeder.is_alive(), "the feeder thread is still writing"
    assert not feeder_error
    assert not (folder / "big.xlsx").exists()
    # With the server gone the temporary file could not be removed; it is all there is.
    assert [path.name.endswith(".part") for path in folder.iterdir()] == [True]

    samba_outage.start()
    complete = tmp_path / "complete.xlsx"
    complete.write_bytes(chunk * 2)
    remote = smb.upload(target, complete, "big.xlsx")
    assert smb.read(target, remote) == chunk * 2
    # Younger than SMB_STALE_PART_SECONDS (an hour): it might be an upload still going on.
    assert len([path for path in folder.iterdir() if path.name.endswith(".part")]) == 1

    settings.SMB_STALE_PART_SECONDS = 0
    smb.upload(target, complete, "other.xlsx")
    assert sorted(path.name for path in folder.iterdir()) == ["big.xlsx", "other.xlsx"]


@pytest.mark.parametrize("client", CLIENTS)
def test_a_failed_upload_removes_its_temporary_file(samba, samba_target, report, client):
    """The server refuses the rename (a folder has the report's name): the bytes were
    written under the temporary name, and that file is removed again."""
    prefix = unique_name()
    target = samba_target("plain", client, path_prefix=prefix)
    (samba.plain_dir / prefix / "taken.xlsx").mkdir(parents=True)

    with pytest.raises(smb.SMBDeliveryError, match="Upload of"):
        smb.upload(target, report(), "taken.xlsx")

    assert os.listdir(samba.plain_dir / prefix) == ["taken.xlsx"]


# --------------------------------------------------------------------------- test_connection


@pytest.mark.parametrize(("share", "client"), [("plain", "pysmb"), ("secure", "smbprotocol")])
def test_connection_reports_a_good_target(samba, samba_target, share, client):
    target = samba_target(share, client, path_prefix=unique_name())

    result = smb.test_connection(target)

    assert (result["connect"], result["list"], result["write"]) == (True, True, True), result
    assert result["client"] == client
    assert result["encrypted"] is (share == "secure")
    assert "is missing" in result["detail"]  # the prefix did not exist yet
    # The probe is gone again.
    root = samba.plain_dir if share == "plain" else samba.secure_dir
    assert not [name for name in _files_under(root) if "connection-test" in name]


@pytest.mark.parametrize("client", CLIENTS)
def test_connection_with_a_wrong_password_says_why_without_the_password(samba_target, client):
    wrong = f"Wrong-{secrets.token_hex(8)}"
    target = samba_target("plain", client, password=wrong)

    result = smb.test_connection(target)

    assert result == {
        "connect": False,
        "list": False,
        "write": False,
        "client": client,
        "encrypted": False,
        "detail": result["detail"],
    }
    assert "authentication" in result["detail"].lower()
    assert wrong not in repr(result)
    assert wrong not in repr(target)
    assert "password" not in repr(target)


def test_pysmb_says_in_words_that_an_smb3_only_server_needs_smbprotocol(
    samba_smb3_only, samba_target
):
    server = {"port": samba_smb3_only.port, "password": samba_smb3_only.password}
    target = samba_target("plain", "pysmb", **server)

    result = smb.test_connection(target)

    assert result["connect"] is False
    assert "requires a newer SMB dialect than pysmb speaks" in result["detail"]
    assert "SMB 2.0.2" in result["detail"]
    assert "choose the smbprotocol client" in result["detail"]
    assert "pysmb dialects" not in result["detail"]  # the library's own words
    with pytest.raises(smb.SMBDeliveryError, match="newer SMB dialect"):
        smb.reachable(target)
    # The client it suggests gets in.
    suggested = smb.test_connection(samba_target("plain", "smbprotocol", **server))
    assert suggested["write"] is True, suggested


def test_pysmb_refused_by_an_encrypted_share_suggests_smbprotocol(samba_target):
    result = smb.test_connection(samba_target("secure", "pysmb"))

    assert result["connect"] is True
    assert result["write"] is False
    assert "access denied" in result["detail"]
    assert "choose the smbprotocol client" in result["detail"]


def test_connection_to_a_closed_port_never_raises(samba_target):
    result = smb.test_connection(samba_target("plain", "pysmb", port=free_port(), timeout=2.0))

    assert result["connect"] is False
    assert "nothing accepts SMB connections" in result["detail"]
