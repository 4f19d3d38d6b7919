"""What a running task reads of its parents: ``context.get_parent_statuses_async()`` and
``context.get_parent_results_async()`` (and their sync twins), as in the job-dependencies
proposal. Procrastinate's worker makes the ``JobContext`` itself, so these are added to its class
when ``manana_procrastinate`` is imported; they read Mañana's SQL functions."""

from __future__ import annotations

from typing import Any

from procrastinate import JobContext

STATUSES = "SELECT manana_get_parent_statuses(%(job_id)s) AS parents"
RESULTS = "SELECT manana_get_parent_results(%(job_id)s) AS parents"


def _by_id(row: dict[str, Any]) -> dict[int, Any]:
    return {int(job_id): value for job_id, value in (row["parents"] or {}).items()}


async def get_parent_statuses_async(self: JobContext) -> dict[int, str]:
    """Each parent's status by job id: 'succeeded', 'failed', 'cancelled' or 'aborted' once this job runs."""
    return _by_id(await self.app.connector.execute_query_one_async(STATUSES, job_id=self.job.id))


def get_parent_statuses(self: JobContext) -> dict[int, str]:
    """As get_parent_statuses_async(), for a sync task."""
    return _by_id(self.app.connector.get_sync_connector().execute_query_one(STATUSES, job_id=self.job.id))


async def get_parent_results_async(self: JobContext) -> dict[int, Any]:
    """Each parent's result by job id: what a TypeScript task returned; None for a Python one (Procrastinate keeps none)."""
    return _by_id(await self.app.connector.execute_query_one_async(RESULTS, job_id=self.job.id))


def get_parent_results(self: JobContext) -> dict[int, Any]:
    """As get_parent_results_async(), for a sync task."""
    return _by_id(self.app.connector.get_sync_connector().execute_query_one(RESULTS, job_id=self.job.id))


def add_parent_readers() -> None:
    for reader in (get_parent_statuses_async, get_parent_statuses, get_parent_results_async, get_parent_results):
        setattr(JobContext, reader.__name__, reader)
