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
