"""The request body's size, enforced while it is received, whatever its framing.

A ``Content-Length`` over the limit is refused before a byte of the body is read. A chunked body
(or one whose length was not declared) is counted as it arrives and refused as soon as it passes
the limit, so no body over the limit is ever held whole. Anonymous callers may send only small
bodies (a sign-in form is a few hundred bytes): past ``anonymous_limit`` the bearer token is
checked before another byte is read, so an outsider cannot make the server receive, buffer or
parse megabytes.

This is plain ASGI, outside FastAPI's routing, so it also covers requests that match no route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opsroom.api.asgi import send_json

MAX_BODY_BYTES = 8 * 1024 * 1024
"""Largest request body accepted (a full batch of 5,000 scans is about 1.2 MB)."""
MAX_ANONYMOUS_BODY_BYTES = 64 * 1024
"""Largest body read before the caller's token has been checked."""

TokenCheck = Callable[[str], Awaitable[bool | None]]
"""Whether a bearer token is live (its user enabled); None when the database cannot tell."""
RETRY_AFTER_S = 5


def bearer_of(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def _refuse(send: Send, status: int, error: str, message: str) -> None:
    headers: tuple[tuple[bytes, bytes], ...] = ((b"connection", b"close"),)
    if status == 401:
        headers += ((b"www-authenticate", b"Bearer"),)
    if status == 503:
        headers += ((b"retry-after", str(RETRY_AFTER_S).encode()),)
    await send_json(send, status, {"error": error, "message": message}, headers)


class BodyLimit:
    """Receive the whole body within the limits, then hand it to the application."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token_check: TokenCheck,
        limit: int = MAX_BODY_BYTES,
        anonymous_limit: int = MAX_ANONYMOUS_BODY_BYTES,
    ) -> None:
        self.app = app
        self.token_check = token_check
        self.limit = limit
        self.anonymous_limit = anonymous_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        too_large = f"request body over {self.limit} bytes"
        if declared is not None:
            if not declared.isdigit():
                await _refuse(send, 400, "invalid_input", "Content-Length is not a number")
                return
            if int(declared) > self.limit:
                await _refuse(send, 413, "too_large", too_large)
                return
        token = bearer_of(headers)
        checked = False
        if declared is not None and int(declared) > self.anonymous_limit:
            if not await self._token_passes(token, send):
                return
            checked = True
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _refuse(send, 413, "too_large", too_large)
                return
            if size > self.anonymous_limit and not checked:
                if not await self._token_passes(token, send):
                    return
                checked = True
            if chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _token_passes(self, token: str | None, send: Send) -> bool:
        """Whether the body may go on; if not, the refusal has been sent."""
        live = None if token is None else await self.token_check(token)
        if token is not None and live is None:
            await _refuse(send, 503, "storage_unavailable", "the database is unavailable; retry")
            return False
        if not live:
            await _refuse(send, 401, "unauthenticated", "a valid bearer token is needed")
            return False
        return True


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body once, then passes on what the client sends (disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
