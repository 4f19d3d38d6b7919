"""Mañana's errors, as its SQL functions raise them: a stable code and a message."""

from __future__ import annotations

from typing import Any

# The SQLSTATEs of Mañana's SQL functions and their codes (lib/queue/errors.ts has the same
# table; a test checks that they agree).
CODES_BY_SQLSTATE = {
    "MN001": "invalid_job",
    "MN002": "invalid_args",
    "MN003": "duplicate_key",
    "MN004": "unknown_parent",
    "MN005": "unknown_parent_key",
    "MN006": "dependency_cycle",
    "MN007": "job_not_found",
    "MN008": "job_not_retryable",
    "MN009": "job_not_finishable",
    "MN010": "job_not_deletable",
    "MN011": "job_has_unfinished_children",
    "MN012": "job_not_cancellable",
    "MN013": "workflow_not_found",
    "MN014": "workflow_definition_not_found",
    "MN015": "invalid_retention",
    "MN016": "invalid_queue",
    "MN017": "unknown_queue",
    "MN018": "job_not_markable",
    "MN019": "worker_not_found",
    "MN020": "schedule_not_found",
    "MN021": "workflow_too_large",
}


class ManaError(Exception):
    """A refusal of Mañana's: `code` is stable (invalid_job, unknown_parent, dependency_cycle…)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def from_database_error(error: BaseException) -> BaseException:
    """The ManaError a database error stands for (through Procrastinate's wrapping), or the error itself."""
    cause: Any = error
    while cause is not None:
        sqlstate = getattr(cause, "sqlstate", None)
        if sqlstate in CODES_BY_SQLSTATE:
            return ManaError(CODES_BY_SQLSTATE[sqlstate], cause.diag.message_primary or str(cause))
        cause = cause.__cause__
    return error
