"""One error hierarchy: a user-facing message, a stable kebab-case code and an HTTP status.

    CrmError
    ├── ValidationError        (invalid-value, unknown-field, ...)   422
    ├── NotFoundError          (not-found)                           404
    ├── ConflictError          (version-conflict, duplicate)         409
    ├── ImportFailedError      (import-failed)                       422
    └── AuthError              (unauthorized)                        401

Other packages subclass `CrmError` for their own codes; a code never changes meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class CrmError(Exception):
    """Base of every error a user may see."""

    code: str = "crm-error"
    status: int = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


@dataclass(frozen=True)
class FieldProblem:
    """One reason a value was rejected: which field, and why."""

    field: str
    reason: str
    code: str = "invalid-value"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason, "code": self.code}


class ValidationError(CrmError):
    code = "invalid-value"
    status = 422

    def __init__(self, problems: list[FieldProblem], *, entity: str = "record") -> None:
        self.problems = problems
        summary = "; ".join(f"{p.field}: {p.reason}" for p in problems)
        code = problems[0].code if len(problems) == 1 else "invalid-value"
        super().__init__(f"Invalid {entity}: {summary}", code=code,
                         details=[p.as_dict() for p in problems])


class NotFoundError(CrmError):
    code = "not-found"
    status = 404


class ConflictError(CrmError):
    code = "version-conflict"
    status = 409


class ImportFailedError(CrmError):
    code = "import-failed"
    status = 422


class AuthError(CrmError):
    code = "unauthorized"
    status = 401


@dataclass
class RowError:
    """A problem in one row of an import: 1-based data row number, column and reason."""

    row: int
    column: str
    reason: str
    code: str = "invalid-value"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason, "code": self.code}


@dataclass
class ImportReport:
    """Outcome of a CSV import."""

    total_rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
