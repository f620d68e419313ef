"""The operations-room dashboard: one page served by the API's own app, air-gapped.

Plain HTML, CSS and JavaScript modules from this package (no CDN, no web fonts, no map tiles);
the page talks to ``/api/v1`` like any other client. See ``docs/dashboard.md``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(str(files("opsroom.web") / "static"))
"""Where the page's files live (inside the installed package)."""

_NO_CACHE = {"Cache-Control": "no-cache"}
_STATIC_NAME = "dashboard-static"


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard at ``/`` and its files under ``/static/`` from ``app`` (once)."""
    if any(getattr(route, "name", None) == _STATIC_NAME for route in app.routes):
        return
    index = STATIC_DIR / "index.html"

    async def dashboard() -> FileResponse:
        return FileResponse(index, media_type="text/html", headers=_NO_CACHE)

    app.add_api_route("/", dashboard, methods=["GET"], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name=_STATIC_NAME)


__all__ = ["STATIC_DIR", "mount_dashboard"]
