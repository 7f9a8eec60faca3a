"""What went wrong on the share, in one line fit to show to users.

Every failure of the SMB integration ends up as `SMBDeliveryError`: it names the
server, share and path, never the password. The libraries' own exceptions carry a
stack of protocol messages and NTSTATUS codes; `reason()` turns them into a sentence.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from smb.base import NotConnectedError, SMBTimeout
from smb.smb_structs import OperationFailure, ProtocolError
from smbprotocol.exceptions import SMBOSError, SMBResponseException
from smbprotocol.header import NtStatus

if TYPE_CHECKING:  # target.py imports this module for SMBDeliveryError
    from api.integrations.smb.target import SMBTarget

logger = logging.getLogger("api.integrations.smb")


class SMBDeliveryError(Exception):
    """Delivery to the share failed; str(exc) is a reason safe to show to users."""


STATUS_PENDING = 0x00000103
STATUS_OBJECT_NAME_COLLISION = 0xC0000035
STATUS_SHARING_VIOLATION = 0xC0000043
STATUS_ACCESS_DENIED = 0xC0000022
# NTSTATUS codes worth a sentence of their own; the rest are shown by name.
_STATUS_HINTS = {
    0xC000006D: "authentication failed (wrong user name, password or domain)",
    STATUS_ACCESS_DENIED: "access denied (permissions, or the share requires encryption)",
    0xC00000CC: "the share does not exist",
    0xC0000034: "not found",
    0xC000003A: "folder not found",
    STATUS_OBJECT_NAME_COLLISION: "the name exists already",
    STATUS_SHARING_VIOLATION: "the file is open in another program",
    0xC000007F: "the share is full",
}
# pysmb speaks SMB 1 and SMB 2.0.2 only. A server whose minimum is newer (Windows and
# Samba can demand SMB 3) answers its negotiation with none of those dialects.
_PYSMB_DIALECTS = "Server does not support any of the pysmb dialects"
PYSMB_TOO_OLD = (
    "the server requires a newer SMB dialect than pysmb speaks (it supports SMB 2.0.2 "
    "at most); choose the smbprotocol client (SMB 3.1.1) for this server"
)
PYSMB_NO_ENCRYPTION = (
    "pysmb (SMB 2.0.2) cannot encrypt, and this share may require it; "
    "choose the smbprotocol client (SMB 3.1.1, encryption)"
)


def _status_name(code: int) -> str:
    for name, value in vars(NtStatus).items():
        if value == code and name.startswith("STATUS_"):
            return name
    return f"NTSTATUS 0x{code:08X}"


def _describe_status(code: int) -> str:
    hint = _STATUS_HINTS.get(code)
    return f"{hint} ({_status_name(code)})" if hint else _status_name(code)


def ntstatus(exc: BaseException) -> int | None:
    """The NTSTATUS the server failed the request with, if `exc` carries one."""
    if isinstance(exc, OperationFailure):
        # The last message is often the (successful) close after the failing request.
        failing = [
            message.status
            for message in exc.smb_messages
            if getattr(message, "status", 0) not in (0, STATUS_PENDING)
        ]
        return failing[-1] if failing else None
    if isinstance(exc, SMBOSError):
        return exc.ntstatus
    if isinstance(exc, SMBResponseException):
        return exc.status
    return None


def reason(target: SMBTarget, exc: BaseException) -> str:
    """One line about `exc`, without the stack of protocol messages the libraries attach."""
    if isinstance(exc, SMBDeliveryError):
        text = str(exc)
    elif isinstance(exc, OperationFailure):
        text = exc.message.rstrip(".")
        if (status := ntstatus(exc)) is not None:
            text += f": {_describe_status(status)}"
            if status == STATUS_ACCESS_DENIED and target.client == "pysmb":
                text += f"; {PYSMB_NO_ENCRYPTION}"
    elif isinstance(exc, ProtocolError) and exc.message.startswith(_PYSMB_DIALECTS):
        text = PYSMB_TOO_OLD
    elif isinstance(exc, SMBOSError):
        text = f"{_describe_status(exc.ntstatus)}: {exc.filename}"
    elif isinstance(exc, SMBResponseException):
        text = _describe_status(exc.status)
    elif isinstance(exc, ValueError) and isinstance(exc.__cause__, OSError):
        return reason(target, exc.__cause__)  # smbprotocol wraps socket errors so
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
    return scrub(target, text)


def scrub(target: SMBTarget, text: str) -> str:
    # No library puts the password in its messages today; this is the guarantee.
    return text.replace(target.password, "[REDACTED]") if target.password else text


def failure(target: SMBTarget, what: str, exc: BaseException) -> SMBDeliveryError:
    why = reason(target, exc)
    logger.warning("SMB: %s at %s failed: %s", what, target.unc, why)
    return SMBDeliveryError(f"{what} at {target.unc} failed: {why}")
