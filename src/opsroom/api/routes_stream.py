"""The live stream: server-sent events filtered by what the caller may see."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from opsroom.api.deps import CurrentUser, StateDep
from opsroom.ops.events import Event

router = APIRouter(prefix="/api/v1", tags=["live"])
KEEPALIVE_S = 15.0


@router.get("/stream", response_class=StreamingResponse)
async def stream(request: Request, user: CurrentUser, state: StateDep) -> StreamingResponse:
    """Server-sent events: incident, unit, gate_flow, crowd_alert, screening_alert."""

    def accepts(event: Event) -> bool:
        return event.audience(user)

    subscriber_id, queue = state.bus.subscribe(accepts)
    state.metrics.stream_clients.inc()

    async def events() -> AsyncIterator[str]:
        try:
            yield f"retry: 3000\n: connected as {user.username}\n\n"
            while not await request.is_disconnected():
                try:
                    sequence, event = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                payload = json.dumps(event.data, ensure_ascii=False, default=str)
                yield f"id: {sequence}\nevent: {event.kind}\ndata: {payload}\n\n"
        finally:
            state.bus.unsubscribe(subscriber_id)
            state.metrics.stream_clients.dec()

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
