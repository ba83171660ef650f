"""What guards the server's door: the request-body limit and the write token.

>>> BodyTooLarge(MAX_BODY).detail
'request body over 20 MB'
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 20 * 1024 * 1024  # bytes; larger request bodies get 413 (the size ``khabar ingest`` reads)


class BodyTooLarge(HTTPException):
    """The request body is over the limit (raised while it streams in)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over {limit // (1024 * 1024)} MB")


class BodyLimit:
    """Answer 413 to request bodies over ``limit`` bytes.

    A declared Content-Length over the limit is refused before anything is read; a body without
    one (chunked) or that lies about it is counted as it streams, and refused once past the limit.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                await _send_json(send, 400, {"error": "Content-Length is not a number"})
                return
            if too_big:
                await _send_json(send, 413, {"error": BodyTooLarge(self.limit).detail})
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as e:  # raised outside a route (the exception handlers did not see it)
            if started:
                raise
            await _send_json(send, 413, {"error": e.detail})


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": body})


def require_token(request: Request) -> None:
    """A route dependency: let the request through only with ``Authorization: Bearer <token>`` when
    the app has a token (``app.state.token``; everything passes when it is None)."""
    token: str | None = request.app.state.token
    if token is None:
        return
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    # compare_digest: the time taken does not tell how much of a guessed token was right
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
        raise HTTPException(401, "writing needs Authorization: Bearer <token> (the server's KHABAR_TOKEN)",
                            headers={"WWW-Authenticate": "Bearer"})
