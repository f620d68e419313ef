"""The live stream: server-sent events filtered by what the caller may see.

A stream lives only as long as its right to exist: its token and user are checked again every
``OPSROOM_STREAM_RECHECK_SECONDS`` (15 s by default) and before every event that carries
intelligence. When the token has expired or been revoked (sign-out, a new password) or the user
has been disabled or changed, the stream sends a ``closed`` event saying why and ends; the
intelligence event that prompted the check is not sent. Event ids count what this stream has
sent (1, 2, 3...), so a reader learns nothing of the events others were sent.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from opsroom.api.deps import CurrentUser, StateDep, TokenDep
from opsroom.api.state import AppState
from opsroom.errors import AuthenticationError
from opsroom.ops.events import Event
from opsroom.ops.identity import Principal, authenticate

router = APIRouter(prefix="/api/v1", tags=["live"])
KEEPALIVE_S = 15.0


def _why_not_valid(state: AppState, token: str, user: Principal) -> str | None:
    """None while the token is live and its user unchanged; otherwise why not."""
    try:
        with state.database.transaction() as session:
            now = authenticate(session, token, clock=state.clock)
    except AuthenticationError as exc:
        return exc.message
    return None if now == user else "user changed"


@router.get("/stream", response_class=StreamingResponse)
async def stream(
    request: Request, user: CurrentUser, token: TokenDep, state: StateDep
) -> StreamingResponse:
    """Server-sent events: incident, unit, gate_flow, crowd_alert, screening_alert, and a last
    ``closed`` event when the caller's token or user stops being valid."""

    def accepts(event: Event) -> bool:
        return event.audience(user)

    recheck_s = state.settings.stream_recheck_seconds
    subscriber_id, queue = state.bus.subscribe(accepts)
    state.metrics.stream_clients.inc()

    async def events() -> AsyncIterator[str]:
        sent = 0
        next_check = time.monotonic() + recheck_s
        last_write = time.monotonic()
        try:
            yield f"retry: 3000\n: connected as {user.username}\n\n"
            while not await request.is_disconnected():
                now = time.monotonic()
                timeout = max(0.0, min(next_check, last_write + KEEPALIVE_S) - now)
                event: Event | None
                try:
                    event = await asyncio.wait_for(queue.get(), timeout)
                except TimeoutError:
                    event = None
                if time.monotonic() >= next_check or (event is not None and event.intelligence):
                    why = await run_in_threadpool(_why_not_valid, state, token, user)
                    if why is not None:
                        yield f"event: closed\ndata: {json.dumps({'reason': why})}\n\n"
                        return
                    next_check = time.monotonic() + recheck_s
                if event is None:
                    if time.monotonic() - last_write >= KEEPALIVE_S:
                        last_write = time.monotonic()
                        yield ": keep-alive\n\n"
                    continue
                sent += 1
                last_write = time.monotonic()
                payload = json.dumps(event.data, ensure_ascii=False, default=str)
                yield f"id: {sent}\nevent: {event.kind}\ndata: {payload}\n\n"
        finally:
            state.bus.unsubscribe(subscriber_id)
            state.metrics.stream_clients.dec()

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
