"""Refuse the NUL character in a request's path, query string and form body, for every route.

No database column can hold a NUL (PostgreSQL refuses it in text), so a NUL that reached a query
would fail there as a server error. JSON bodies are checked field by field by the request models
(``schemas.Text``); this guard covers what they do not see. A path or query string with a NUL gets
a 422 naming the parameter; a form body (``application/x-www-form-urlencoded`` or
``multipart/form-data``: the sign-in form) is checked while it is received, chunk by chunk, and
the request fails with a 422 as soon as a NUL arrives (raw, or ``%00`` in a url-encoded form).
No route takes a file, so a NUL is never legitimate in a form.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opsroom.api.asgi import send_json

_URLENCODED = b"application/x-www-form-urlencoded"
_MULTIPART = b"multipart/form-data"
_NUL = re.compile(rb"\x00|%00", re.IGNORECASE)
"""A NUL, raw or percent-encoded (query strings and url-encoded forms)."""
_RAW_NUL = re.compile(rb"\x00")
"""A NUL in a multipart body, whose values are not percent-encoded."""
_CARRY = 2
"""Bytes kept from the end of one chunk to find a ``%00`` split across two chunks."""


def _nul_field(scope: Scope) -> str | None:
    """Where the path or query string holds a NUL (``path`` or ``query.NAME``), else None."""
    if "\x00" in scope.get("path", ""):
        return "path"
    query: bytes = scope.get("query_string", b"")
    if _NUL.search(query) is None:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return f"query.{name.replace(chr(0), '')}"
    return "query"


async def _refuse(
    send: Send, field: str, message: str = "must not contain the NUL character"
) -> None:
    body = {
        "error": "invalid_input",
        "message": "request is not valid",
        "problems": [{"field": field, "message": message}],
    }
    await send_json(send, 422, body)


class RefuseNul:
    """ASGI middleware: a request with a NUL in its path, query or form gets a 422."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field = _nul_field(scope)
        if field is not None:
            await _refuse(send, field)
            return
        # The first Content-Type, as Starlette reads it; a second one is refused, since parsers
        # disagree on which counts.
        types = [v for k, v in scope.get("headers", []) if k.lower() == b"content-type"]
        if len(types) > 1:
            await _refuse(send, "header.content-type", "give one Content-Type")
            return
        content_type = types[0].lower() if types else b""
        if content_type.startswith(_URLENCODED):
            receive = _checked(receive, _NUL)
        elif content_type.startswith(_MULTIPART):
            # A charset such as UTF-7 could spell a NUL without a NUL byte: UTF-8 (or none) only.
            charset = content_type.partition(b"charset=")[2].split(b";")[0].strip(b' "')
            if charset not in (b"", b"utf-8", b"utf8"):
                await _refuse(send, "header.content-type", "multipart forms are read as UTF-8")
                return
            receive = _checked(receive, _RAW_NUL)
        await self.app(scope, receive, send)


def _checked(receive: Receive, nul: re.Pattern[bytes]) -> Receive:
    """``receive`` that raises a 422 when the body brings a NUL, before the form is parsed."""
    tail = b""

    async def checked() -> Message:
        nonlocal tail
        message = await receive()
        if message["type"] == "http.request":
            chunk: bytes = message.get("body", b"")
            if nul.search(tail + chunk) is not None:
                raise HTTPException(422, "form fields must not contain the NUL character")
            tail = (tail + chunk)[-_CARRY:]
        return message

    return checked
