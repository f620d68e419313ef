"""One typed settings object, read from the environment (prefix ``OPSROOM_``) and passed in.

Build it once at start-up with :func:`load_settings` and hand it to whatever needs it; tests build
their own ``Settings(...)`` instead of touching the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from opsroom.errors import ConfigError

DEFAULT_DATABASE_FILE = "opsroom.db"


def default_database_url() -> str:
    """A SQLite file in the working directory: zero set-up for a first run."""
    return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"


class Settings(BaseSettings):
    """Every setting of the system. Each one is documented in ``docs/configuration.md``."""

    model_config = SettingsConfigDict(env_prefix="OPSROOM_", frozen=True, extra="ignore")

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL of the system of record: sqlite:///FILE or "
        "postgresql+psycopg://USER@HOST:PORT/DB.",
    )
    database_echo: bool = Field(default=False, description="Log every SQL statement.")
    default_scenario: str = Field(
        default="qatar2022",
        description="The scenario the server runs: a scenario id in the database, or a built-in "
        "name loaded into it on first start.",
    )
    token_lifetime_minutes: int = Field(
        default=720, gt=0, le=7 * 24 * 60, description="How long a bearer token lasts."
    )
    auto_migrate: bool = Field(
        default=True, description="Apply database migrations when the server starts."
    )
    log_level: str = Field(default="INFO", description="Level of the JSON logs on stderr.")
    stream_recheck_seconds: float = Field(
        default=15.0,
        gt=0,
        le=60,
        description="How often an open live stream checks again that its token and user are "
        "still valid (it also checks before every intelligence event); the stream closes when "
        "either is not.",
    )
    sign_in_free_failures: int = Field(
        default=5,
        ge=1,
        description="Wrong passwords allowed for one account before each further attempt must "
        "wait (the wait doubles with every failure, from 1 s to 15 min).",
    )
    sign_in_free_failures_per_address: int = Field(
        default=20,
        ge=1,
        description="Failed sign-ins allowed from one client address, over any accounts, before "
        "its attempts must wait in the same way.",
    )
    password_hash_concurrency: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Passwords checked at once; further sign-ins wait their turn without holding "
        "a worker thread, so a flood of sign-ins cannot starve gate scans.",
    )
    password_hash_pause_ratio: float = Field(
        default=0.0,
        ge=0,
        le=10,
        description="After a password check that took t, the next starts no sooner than this "
        "times t later (0: at once). Password checks already run at the lowest CPU priority; "
        "this also caps their share where priorities cannot be lowered.",
    )
    password_hash_queue: int = Field(
        default=64,
        ge=1,
        description="Sign-ins allowed to wait for a password check; more get 503 with Retry-After.",
    )
    metrics_token: str = Field(
        default="",
        description="The bearer secret a Prometheus scraper gives on GET /metrics; empty: "
        "metrics are off.",
    )
    trusted_proxies: str = Field(
        default="",
        max_length=1000,
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For is "
        "believed; empty: the client address is the socket's.",
    )
    scan_max_age_hours: float = Field(
        default=12,
        gt=0,
        description="A gate scan older than this before its venue's newest scan is rejected.",
    )
    scan_period_margin_hours: float = Field(
        default=24,
        ge=0,
        description="Gate scans must fall between the first and the last kick-off of the "
        "tournament, widened by this much on each side.",
    )
    database_lock_timeout_s: float = Field(
        default=5.0,
        gt=0,
        le=600,
        description="How long a statement waits for a lock (PostgreSQL lock_timeout, SQLite "
        "busy_timeout) before the request is answered with a 503.",
    )
    database_statement_timeout_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How long one statement may run on PostgreSQL (statement_timeout) before "
        "the request is answered with a 503.",
    )

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value


def load_settings() -> Settings:
    """Read settings from the environment, turning a bad value into a :class:`ConfigError`."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"OPSROOM_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc
