"""Running the app on uvicorn: bind a socket, say where, serve until Ctrl-C.

The socket is bound here, before uvicorn starts, so that a port in use is one
clear line (not a log record and ``sys.exit`` from inside uvicorn), ``--port 0``
picks a free port, and the URL printed is the one really listening.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Callable
from typing import Any, TextIO

from logistic_neuron.errors import LogisticNeuronError

#: Seconds the server waits for open requests (an event stream, an upload) on Ctrl-C.
GRACEFUL_SHUTDOWN = 3

#: Connections served at once; more get 503 rather than piling up.
MAX_CONNECTIONS = 200


class ServerError(LogisticNeuronError):
    """The server could not start (port in use, unknown host ...)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free one).

    Raises
    ------
    ServerError
        One line: the port is taken, the address is not this machine's ...
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ServerError(
            f"cannot serve on {host!r}: {exc.strerror}; try --host 127.0.0.1"
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == 98:  # EADDRINUSE
            raise ServerError(
                f"port {port} on {host} is already in use: choose another with --port "
                "(or --port 0 for any free one)"
            ) from None
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket) -> str:
    """The address a browser opens for a listening socket."""
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def serve(
    app: Any,
    host: str,
    port: int,
    *,
    out: TextIO | None = None,
    notes: Callable[[], list[str]] | None = None,
) -> None:
    """Serve ``app`` on ``host:port`` until Ctrl-C (or SIGTERM); returns when stopped.

    Parameters
    ----------
    app : ASGI application
    host : str
        ``127.0.0.1`` (this machine only) unless asked otherwise.
    port : int
        0 picks a free port.
    out : text stream
        Where the address and notes are printed (stdout).
    notes : callable, optional
        Extra lines to print once the server listens.
    """
    import uvicorn

    stream = out if out is not None else sys.stdout
    sock = bind(host, port)
    url = url_of(sock)
    config = uvicorn.Config(
        app,
        log_level="warning",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        limit_concurrency=MAX_CONNECTIONS,
        server_header=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    if is_loopback(host):
        where = "only this machine can open it (--host 0.0.0.0 opens it to your network)"
    else:
        where = (
            f"listening on {host}: other machines on your network can open it; it has no "
            "password, so use --host 127.0.0.1 unless you mean that"
        )
    print(f"logistic-neuron is serving the page at {url}", file=stream)
    print(f"  {where}", file=stream)
    for line in notes() if notes is not None else []:
        print(f"  {line}", file=stream)
    print("  press Ctrl-C to stop", file=stream, flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
