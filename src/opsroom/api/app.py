"""The application factory: state, routes, error handling, request logs and metrics."""

from __future__ import annotations

import gc
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from argon2 import PasswordHasher
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from opsroom import __version__
from opsroom.api import (
    routes_auth,
    routes_incidents,
    routes_intel,
    routes_scans,
    routes_state,
    routes_stream,
)
from opsroom.api.bodylimit import MAX_BODY_BYTES, BodyLimit, bearer_of
from opsroom.api.deps import StateDep, token_is_live
from opsroom.api.guards import RefuseNul
from opsroom.api.headers import SecurityHeaders
from opsroom.api.metrics import Metrics, method_label
from opsroom.api.schemas import ErrorOut
from opsroom.api.signin_gate import SignInGate
from opsroom.api.state import AppState, password_threads
from opsroom.config import Settings
from opsroom.errors import (
    AuthenticationError,
    OpsroomError,
    TooManyRequestsError,
)
from opsroom.ops.events import EventBus
from opsroom.ops.identity import DEFAULT_HASHER, Clock, utc_now
from opsroom.ops.status import VenueMonitor
from opsroom.scenario import BUILTIN_SCENARIOS, load_scenario
from opsroom.scenario.scenario import Scenario
from opsroom.store import Database, create_database, upgrade
from opsroom.store.models import ScenarioRow
from opsroom.store.scenarios import read_scenario, save_scenario
from opsroom.web import mount_dashboard

log = logging.getLogger("opsroom.api")
__all__ = ["MAX_BODY_BYTES", "create_app"]
RETRY_AFTER_S = 5
"""Seconds a client is asked to wait (``Retry-After``) when the database is unavailable."""


def _scenario_in(database: Database, scenario_id: str) -> Scenario:
    """The scenario from the database; a built-in one is loaded into it on first start."""
    with database.transaction() as session:
        if session.get(ScenarioRow, scenario_id) is None and scenario_id in BUILTIN_SCENARIOS:
            save_scenario(session, load_scenario(scenario_id))
    with database.transaction() as session:
        return read_scenario(session, scenario_id)


def _error(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(status_code=status, content=body, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(OpsroomError)
    async def opsroom_error(_request: Request, exc: OpsroomError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else None
        if isinstance(exc, TooManyRequestsError):
            headers = {"Retry-After": str(exc.retry_after)}
        elif exc.status_code == 503:
            headers = {"Retry-After": str(RETRY_AFTER_S)}
        return _error(exc.status_code, exc.to_dict(), headers)

    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The driver's error class only: the message would carry the statement's parameters.
        cause = getattr(exc, "orig", None) or exc
        log.warning(
            "database unavailable",
            extra={"path": request.url.path, "cause": type(cause).__name__},
        )
        return _error(
            503,
            {"error": "storage_unavailable", "message": "the database is unavailable; retry"},
            {"Retry-After": str(RETRY_AFTER_S)},
        )

    # Lost or refused connections, lock and statement timeouts, a locked SQLite file, and a pool
    # with no free connection: the request may succeed later, so 503 rather than 500.
    for transient in (OperationalError, InterfaceError, PoolTimeoutError):
        app.add_exception_handler(transient, database_unavailable)

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
        # Two writes of the same key at once (both passed the check before either committed):
        # the loser is told so. Only the class is logged: the driver's detail names the values.
        log.warning(
            "write conflict",
            extra={"path": request.url.path, "cause": type(exc.orig).__name__},
        )
        return _error(
            409,
            {
                "error": "conflict",
                "message": "the request conflicts with a record written at the same moment",
            },
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(p) for p in err["loc"] if p != "body") or None,
                "message": err["msg"],
            }
            for err in exc.errors()
        ]
        return _error(
            422, {"error": "invalid_input", "message": "request is not valid", "problems": problems}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, {"error": "http_error", "message": str(exc.detail)})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, DBAPIError):
            # A database error's text carries the driver's detail (values of the row): the
            # class and the place are enough to find it.
            log.error(
                "unhandled database error",
                extra={"path": request.url.path, "cause": type(exc.orig).__name__},
            )
        else:
            log.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
        return _error(500, {"error": "internal_error", "message": "internal error"})


def _install_middleware(app: FastAPI, state: AppState) -> None:
    """From the outside in: the client's address (trusted proxies only), security headers,
    request logs and metrics, then the body limit, then the routes."""

    async def token_check(token: str) -> bool | None:
        try:
            return await run_in_threadpool(token_is_live, state, token)
        except (OperationalError, InterfaceError, PoolTimeoutError):
            return None  # the database cannot tell: BodyLimit answers 503

    app.add_middleware(BodyLimit, token_check=token_check)
    metrics = state.metrics

    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        metrics.requests.labels(
            method_label(request.method), template, str(response.status_code)
        ).inc()
        metrics.latency.labels(template).observe(elapsed)
        log.info(
            "request",
            extra={
                "method": method_label(request.method),
                "path": request.url.path,
                "status": response.status_code,
                "ms": round(elapsed * 1000, 2),
                "client": request.client.host if request.client else None,
            },
        )
        return response

    # Outside the request log: a flood of refused sign-ins costs neither a log line nor a route.
    app.add_middleware(SignInGate, state=state)
    app.add_middleware(SecurityHeaders)
    proxies = [p.strip() for p in state.settings.trusted_proxies.split(",") if p.strip()]
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)


def _check_metrics_reader(state: AppState, request: Request) -> None:
    """Only the scraper's secret (``OPSROOM_METRICS_TOKEN``) reads metrics: their counts by route
    would tell any agency's user how busy the others' intelligence work is."""
    token = bearer_of(request.headers)
    secret = state.settings.metrics_token
    if not secret:
        raise AuthenticationError("metrics are off: set OPSROOM_METRICS_TOKEN for a scraper")
    if token is None or not hmac.compare_digest(token.encode(), secret.encode()):
        raise AuthenticationError("the metrics token is needed")


def _describe_errors(app: FastAPI) -> None:
    """Make the OpenAPI description say what errors really look like, with examples."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error.pop("$defs", {}))
        components["HTTPValidationError"] = error
        components.pop("ValidationError", None)
        for name, schema in components.items():
            if name.startswith("Body_token"):
                schema["examples"] = [{"username": "amina", "password": "a long passphrase"}]
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    clock: Clock = utc_now,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> FastAPI:
    """Build the application: migrations (if enabled), the scenario, routes and handlers."""
    db = database or create_database(
        settings.database_url,
        lock_timeout_s=settings.database_lock_timeout_s,
        statement_timeout_s=settings.database_statement_timeout_s,
    )
    if settings.auto_migrate:
        upgrade(db)
    scenario = _scenario_in(db, settings.default_scenario)
    metrics = Metrics()
    state = AppState(
        settings=settings,
        database=db,
        scenario=scenario,
        monitor=VenueMonitor(scenario, clock=clock),
        bus=EventBus(),
        metrics=metrics,
        clock=clock,
        hasher=hasher,
        hash_limiter=anyio.CapacityLimiter(settings.password_hash_concurrency),
        hashers=password_threads(settings.password_hash_concurrency),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # What exists at start-up lives as long as the server; keeping it out of the garbage
        # collector's full passes removes their pauses from request latency (p99 of a batch of
        # 500 scans from about 120 ms to about 30 ms, benchmarks/ops_load.py).
        gc.freeze()
        log.info(
            "started",
            extra={"scenario": scenario.info.id, "database": db.engine.url.render_as_string()},
        )
        yield
        if database is None:
            db.dispose()

    app = FastAPI(
        title="opsroom",
        version=__version__,
        summary="The joint security operations room for mega sporting events.",
        lifespan=lifespan,
        # The interactive pages would load their scripts from a CDN; the system runs air-gapped,
        # so they are off. The description itself is at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.opsroom = state
    _install_error_handlers(app)
    app.add_middleware(RefuseNul)
    _install_middleware(app, state)
    for module in (
        routes_auth,
        routes_state,
        routes_scans,
        routes_incidents,
        routes_intel,
        routes_stream,
    ):
        app.include_router(module.router)

    _describe_errors(app)
    mount_dashboard(app)

    @app.get("/health", tags=["system"])
    def health(state: StateDep) -> JSONResponse:
        """Whether the database answers; 503 when it does not."""
        reachable = state.database.ping()
        body = {
            "status": "ok" if reachable else "degraded",
            "database": "ok" if reachable else "unreachable",
            "version": __version__,
            "scenario": state.scenario.info.id,
        }
        return JSONResponse(status_code=200 if reachable else 503, content=body)

    @app.get("/metrics", tags=["system"], response_class=Response)
    def prometheus(state: StateDep, request: Request) -> Response:
        """Prometheus text format, for a scraper's secret or a commander's token."""
        _check_metrics_reader(state, request)
        return Response(state.metrics.render(), media_type="text/plain; version=0.0.4")

    return app
