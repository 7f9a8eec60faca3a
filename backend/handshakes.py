"""Holding back new TCP connections on a listening socket that is about to close.

Closing a listening socket resets the connections the kernel has completed and
queued for it but the server has not accepted yet; a client may already have written
a request on one. A socket filter that drops SYNs stops new handshakes first, while
those under way complete and can be taken in; the held-back clients send their SYN
again after about a second and are refused by then (backend/serve.py).
"""

from __future__ import annotations

import ctypes
import logging
import socket
import struct
import sys

logger = logging.getLogger("backend.serve")

SO_ATTACH_FILTER = 26  # Linux <asm-generic/socket.h>; not in Python's socket module
# Classic BPF over an incoming TCP segment (the filter sees it from the TCP header):
# load the flags byte, drop the segment if SYN is set, keep everything else, so
# handshakes already under way and the connections' own traffic go on.
_DROP_SYN = (
    (0x30, 0, 0, 13),  # BPF_LD | BPF_B | BPF_ABS: A = flags (byte 13)
    (0x45, 0, 1, 0x02),  # BPF_JMP | BPF_JSET | BPF_K: SYN set? next : skip one
    (0x06, 0, 0, 0),  # BPF_RET | BPF_K: drop
    (0x06, 0, 0, 0xFFFFFFFF),  # BPF_RET | BPF_K: keep all of it
)


def refuse_new_handshakes(sock: socket.socket) -> bool:
    """Make a listening socket drop new connection attempts (SYNs) while it keeps
    completing those already under way; False where the system has no such filter."""
    if not sys.platform.startswith("linux"):
        return False
    program = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *i) for i in _DROP_SYN))
    fprog = struct.pack("HL", len(_DROP_SYN), ctypes.addressof(program))
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    except OSError as exc:
        logger.warning("could not hold back new connections while stopping: %s", exc)
        return False
    return True
