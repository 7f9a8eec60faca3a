"""The web process: Daphne, with a stop that drops nothing.

    python -m backend.serve -b 0.0.0.0 -p 8008 backend.asgi:application

It takes exactly `daphne`'s arguments (the Dockerfiles and `make start` run it). Daphne
alone stops at once on SIGTERM: requests in flight are reset, a POST through nginx gets
502 and WebSockets end with 1006. Here SIGTERM (or SIGINT) drains instead:

1. Stop listening. Connecting is refused from then on, so nginx hands new requests to
   the other replica (nginx/templates/default.conf.template, proxy_next_upstream).
   Closing a listening socket resets the connections the kernel completed and queued
   for it, and nginx may have written a POST on one (then it answers 502, as it does
   not repeat a POST it has sent). So, on Linux, the socket first drops new
   connection attempts (a socket filter that discards SYNs), takes in what the
   kernel already queued, and closes a moment later: a client whose SYN was dropped
   sends it again after about a second, is refused, and nginx tries the other one.
2. Close every WebSocket with 1012 ("service restart"): clients reconnect, through
   nginx to the other replica, and come back from their last sequences (docs/realtime.md).
3. Answer every request already received, with `Connection: close`, so each keep-alive
   connection ends with its response. Idle keep-alive connections are left for the
   client to close: nginx may be writing a request on one at the moment we would
   close it, and it does not repeat a POST it has sent. nginx closes idle upstream
   connections itself after its `keepalive_timeout`, well inside the grace period.
4. Exit once nothing is left, or after SHUTDOWN_GRACE_SECONDS whatever is left (Daphne
   then cancels what still runs). A second signal exits at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time

# daphne.server installs Twisted's asyncio reactor: it must come before `reactor`.
from daphne.cli import CommandLineInterface as DaphneCommandLine
from daphne.http_protocol import WebRequest
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import reactor, tcp

from backend.handshakes import refuse_new_handshakes

logger = logging.getLogger("backend.serve")

SERVICE_RESTART = 1012  # WebSocket close code: "come back in a moment"
CHECK_EVERY_SECONDS = 0.1
# Between refusing new handshakes and closing the port: what had sent its SYN before
# completes its handshake (one round trip) and is taken in.
HANDSHAKES_SETTLE_SECONDS = 0.2


class DrainingServer(Server):
    """Daphne's server with the drain above in place of Twisted's stop on SIGTERM."""

    def __init__(self, *args, **kwargs):
        from django.conf import settings  # configured: the CLI imported the app first

        # Twisted's own handlers would stop the reactor at once; ours drain first.
        kwargs["signal_handlers"] = False
        super().__init__(*args, **kwargs)
        self.grace_seconds = max(0.0, float(settings.SHUTDOWN_GRACE_SECONDS))
        self.ports = []
        self.listening = True
        self.draining = False
        self.deadline = 0.0
        self.cut_short = False

    def run(self):
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._signalled)
        super().run()
        if self.cut_short:
            # A view still running in a worker thread would keep the interpreter from
            # exiting (it waits for those threads); the grace period is over.
            logging.shutdown()
            sys.stdout.flush()  # Daphne's access log
            os._exit(0)

    def _signalled(self, signum, frame):
        # A signal handler runs between two bytecodes of anything: hand over to the
        # reactor, as Twisted's own handlers do.
        reactor.callFromThread(self._on_signal, signal.Signals(signum).name)

    def _on_signal(self, name: str) -> None:
        if self.draining:
            logger.warning("%s while stopping: exiting now", name)
            self.cut_short = True
            self.stop()
            return
        self.draining = True
        self.deadline = time.monotonic() + self.grace_seconds
        logger.info(
            "%s: refusing new connections, finishing requests (at most %ss)",
            name,
            self.grace_seconds,
        )
        held_back = [refuse_new_handshakes(port.socket) for port in self.ports]
        if self.ports and all(held_back):
            # Still listening: the reactor takes in the handshakes that complete now.
            reactor.callLater(HANDSHAKES_SETTLE_SECONDS, self._close_ports)
        else:
            self._close_ports()
        self._check()

    def _close_ports(self) -> None:
        for port in self.ports:
            # Closing the listening socket resets the connections waiting in the
            # kernel's backlog: take them in first, then close it right away.
            # Twisted's stopListening() closes it only on the loop's next turn, with
            # the kernel completing new connections meanwhile (where SYNs are not
            # held back); shutdown() refuses them from this moment on.
            port.doRead()
            with contextlib.suppress(OSError):
                port.socket.shutdown(socket.SHUT_RDWR)
            port.stopListening()
        self.listening = False

    def _check(self) -> None:
        self._close_websockets()
        unfinished = sum(1 for details in self.connections.values() if _unfinished(details))
        open_http = self._open_http_connections()
        if not unfinished and not open_http and not self.listening:
            logger.info("drained: exiting")
            self.stop()
        elif time.monotonic() >= self.deadline:
            logger.warning(
                "grace period over with %d requests or sockets and %d connections open: exiting",
                unfinished,
                open_http,
            )
            self.cut_short = True
            self.stop()
        else:
            reactor.callLater(CHECK_EVERY_SECONDS, self._check)

    def _open_http_connections(self) -> int:
        """Connections accepted on our ports that still speak HTTP, idle or not, and
        whether a request has begun on them or not (Daphne's own bookkeeping knows only
        requests; an upgraded connection is in it as a WebSocket)."""
        selectables = set(reactor.getReaders()) | set(reactor.getWriters())
        return sum(
            1
            for selectable in selectables
            if isinstance(selectable, tcp.Server)
            and selectable.server in self.ports
            and not isinstance(selectable.protocol, WebSocketProtocol)
        )

    def _close_websockets(self) -> None:
        """1012 to every open socket, including those opened since the last look (a
        reconnect nginx sent over a keep-alive connection it already had to us)."""
        for protocol in list(self.connections):
            if isinstance(protocol, WebSocketProtocol) and protocol.state == protocol.STATE_OPEN:
                # autobahn's sendClose() takes only 1000 and 3000-4999 from applications
                # (so a consumer cannot send 1012); the frame itself may carry any
                # registered code, which is how Daphne sends its own 1011.
                protocol.sendCloseFrame(code=SERVICE_RESTART, reasonUtf8=b"service restart")

    # ----------------------------------------------------------------- Daphne's hooks

    def listen_success(self, port):
        self.ports.append(port)
        super().listen_success(port)

    async def handle_reply(self, protocol, message):
        await super().handle_reply(protocol, message)
        if (
            self.draining
            and message["type"] == "http.response.start"
            and isinstance(protocol, WebRequest)
            and protocol.channel is not None
        ):
            # The headers are written with the first body chunk, after this: the client
            # learns that this connection ends here and sends nothing more on it.
            protocol.responseHeaders.setRawHeaders(b"connection", [b"close"])
            protocol.channel.persistent = False

    def kill_all_applications(self):
        # Daphne expects every connection to have an application by now; a request
        # whose body was still arriving when the grace period ran out has none.
        for protocol, details in list(self.connections.items()):
            if "application_instance" not in details:
                del self.connections[protocol]
        return super().kill_all_applications()


def _unfinished(details: dict) -> bool:
    """A request or socket still open, or its application still running."""
    application = details.get("application_instance")
    return "disconnected" not in details or (application is not None and not application.done())


class CommandLineInterface(DaphneCommandLine):
    server_class = DrainingServer


if __name__ == "__main__":
    CommandLineInterface.entrypoint()
