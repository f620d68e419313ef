"""The one exception tree of opsroom.

Every class carries the HTTP status the API answers with and a message meant for the user. Services
and cores raise these; the API maps them in one handler and the CLI prints them and exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is (file, row, field) and what is wrong."""

    message: str
    file: str | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class OpsroomError(Exception):
    """Base of every error opsroom raises on purpose."""

    status_code: int = 500
    code: str = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        return {"error": self.code, "message": self.message}


class ConfigError(OpsroomError):
    """A setting is missing or malformed."""

    status_code = 500
    code = "config_error"


class InvalidInputError(OpsroomError):
    """Input data (a file, a request body) is malformed; ``problems`` says where and why."""

    status_code = 422
    code = "invalid_input"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems: list[Problem] = list(problems or [])
        details = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{message}\n{details}" if details else message)
        self.summary = message

    def to_dict(self) -> dict[str, object]:
        return {
            "error": self.code,
            "message": self.summary,
            "problems": [
                {"message": p.message, "file": p.file, "row": p.row, "field": p.field}
                for p in self.problems
            ],
        }


class NotFoundError(OpsroomError):
    """A named thing (scenario, venue, match, incident...) does not exist."""

    status_code = 404
    code = "not_found"


class ConflictError(OpsroomError):
    """The request conflicts with the current state (duplicate id, invalid transition)."""

    status_code = 409
    code = "conflict"


class AuthenticationError(OpsroomError):
    """No valid credentials were given."""

    status_code = 401
    code = "not_authenticated"


class PermissionDeniedError(OpsroomError):
    """The user's role or agency may not do this."""

    status_code = 403
    code = "forbidden"


class TooManyRequestsError(OpsroomError):
    """The caller must wait before trying again (sign-in back-off, a full queue)."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, status_code: int = 429) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
        self.status_code = status_code


class InfeasibleError(OpsroomError):
    """A planning problem has no solution under its hard rules; the message says which ones."""

    status_code = 422
    code = "infeasible"


class StorageError(OpsroomError):
    """The database is unreachable or refused a write."""

    status_code = 503
    code = "storage_unavailable"
