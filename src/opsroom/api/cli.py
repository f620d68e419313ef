"""``opsroom serve``: the operations-room server."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from opsroom.api.app import create_app
from opsroom.api.logs import configure_logging
from opsroom.config import load_settings


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Start the API (and dashboard) on the database from OPSROOM_DATABASE_URL."""
    settings = load_settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        **settings.uvicorn_proxy_options(),
    )
