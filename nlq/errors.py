"""Errors of the natural-language layer, each with a stable code (tests assert on codes)."""

from __future__ import annotations

from crm_core.errors import CrmError


class NlqError(CrmError):
    code = "nlq-error"
    status = 400


class SqlParseError(NlqError):
    code = "sql-parse-error"


class MultipleStatementsError(NlqError):
    code = "multiple-statements"


class WriteNotAllowedError(NlqError):
    code = "write-not-allowed"
    status = 403


class UnknownTableError(NlqError):
    code = "unknown-table"


class UnknownColumnError(NlqError):
    code = "unknown-column"


class FunctionNotAllowedError(NlqError):
    code = "function-not-allowed"


class QueryTimeoutError(NlqError):
    code = "query-timeout"
    status = 408


class QueryFailedError(NlqError):
    code = "query-failed"


class RefusedQuestionError(NlqError):
    """A question we will not answer (writes, secrets, injection, unreadable input)."""

    code = "refused"
    status = 422
