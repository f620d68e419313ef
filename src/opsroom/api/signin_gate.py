"""Sign-ins from an address that must wait are refused before anything else is done.

A guesser who keeps sending after its address has been made to wait gets a 429 from this plain
ASGI layer, a second later: no body read, no form parsed, no route, no thread, no database. The
waits are the ones the sign-in route has already recorded in the database and remembered in memory
(``AppState.sign_in_blocks``); each wait is written to the audit log once, not every refusal.
"""

from __future__ import annotations

import asyncio
import math

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from opsroom.api.asgi import send_json
from opsroom.api.state import AppState
from opsroom.ops import audit, signin

SIGN_IN_PATH = "/api/v1/auth/token"
HOLD_S = 1.0
"""A refusal is sent after this long (or the wait's end, if sooner): a guesser that sends again
as soon as it is answered is slowed to one attempt a second per connection, where an immediate
answer would let it spend the server's time on hundreds a second. Holding costs an idle
coroutine."""


class SignInGate:
    def __init__(self, app: ASGIApp, *, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("path") != SIGN_IN_PATH
            or scope.get("method") != "POST"
        ):
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        key = signin.address_key(client)
        end = self.state.sign_in_blocks.get(key)
        now = self.state.clock()
        if end is None or end <= now:
            await self.app(scope, receive, send)
            return
        self.state.metrics.sign_ins_refused.inc()
        if self.state.first_refusal_of("", client, end):
            await anyio.to_thread.run_sync(self._audit, client, limiter=self.state.sign_in_db)
        await asyncio.sleep(min(HOLD_S, (end - now).total_seconds()))
        retry_after = max(1, math.ceil((end - now).total_seconds()))
        await send_json(
            send,
            429,
            {
                "error": "too_many_requests",
                "message": "too many failed sign-ins: wait before trying again",
            },
            ((b"retry-after", str(retry_after).encode()),),
        )

    def _audit(self, client: str) -> None:
        with self.state.database.transaction() as session:
            audit.record_event(
                session,
                username="",
                agency_id="",
                role="",
                action="sign_in_throttled",
                object_type="sign_in",
                object_id=f"address {client}",
                client=client,
                clock=self.state.clock,
            )
