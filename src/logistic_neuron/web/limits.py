"""The upload size limit: a request body larger than the limit gets 413, early.

An ASGI middleware, written here because it is a dozen lines and no
Starlette component bounds a whole body: a declared ``Content-Length`` above
the limit is answered at once; a body without one (chunked) is counted as it
arrives, and the first byte over the limit raises :class:`BodyTooLarge`,
which the app turns into the same 413. Nothing larger than the limit is ever
held in memory or written anywhere.

A browser that is still sending when the server answers and closes can
report a network error instead of the answer, so a declared body of moderate
size (up to :data:`DRAIN_FACTOR` times the limit) is read and dropped before
the 413 is sent: the page then shows the server's message.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Declared bodies up to this many times the limit are drained before the 413.
DRAIN_FACTOR = 8


class BodyTooLarge(Exception):
    """A request body grew past the upload limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(too_large_message(limit))
        self.limit = limit


def too_large_message(limit: int) -> str:
    """The one line a too-large upload gets."""
    return (
        f"the upload is larger than this server's limit of {describe_bytes(limit)}: "
        "send fewer or smaller photos (or start the server with a larger --max-upload-mb)"
    )


def describe_bytes(count: int) -> str:
    """``20971520`` -> ``'20 MB'``; small limits in KB."""
    if count >= 2**20:
        return f"{count / 2**20:g} MB"
    return f"{count / 2**10:g} KB"


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``limit`` bytes with 413.

    Parameters
    ----------
    app : ASGI application
    limit : int
        Largest body accepted, in bytes.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            if declared <= self.limit * DRAIN_FACTOR:
                await _drain(receive)
            await send_json(send, 413, {"error": too_large_message(self.limit)})
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counting_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def send_json(send: Send, status: int, document: dict[str, Any]) -> None:
    """Send a complete JSON response on a raw ASGI ``send``."""
    body = json.dumps(document).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
