"""What a running task reads of its parents: ``context.get_parent_statuses_async()`` and
``context.get_parent_results_async()`` (and their sync twins), as in the job-dependencies
proposal; and the jobs it spawns: ``context.spawn_async(task, **kwargs)`` and
``context.spawn_many_async(task, [kwargs, …], key=…)``. Procrastinate's worker makes the
``JobContext`` itself, so these are added to its class when ``manana_procrastinate`` is imported;
they call Mañana's SQL functions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from procrastinate import JobContext, tasks

from .deferring import run_async, run_sync

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


SPAWN = "SELECT manana_add_pending_spawns(%(job_id)s, %(jobs)s::jsonb)"


def _spawned(task: tasks.Task | str, kwargs_list: Iterable[Mapping[str, Any]], key: str | None, many: bool) -> str:
    """The jobs as manana_spawn_jobs takes them: a Task of this app keeps its queue, priority and
    locks; a name takes what its workers announced."""
    nodes = []
    for kwargs in kwargs_list:
        if not isinstance(kwargs, Mapping):
            raise TypeError(f"each spawned job's arguments must be a mapping of keyword arguments, not {kwargs!r}")
        node: dict[str, Any] = {"task_name": task if isinstance(task, str) else task.name, "args": dict(kwargs)}
        if not isinstance(task, str):
            node.update(queue_name=task.queue, priority=task.priority, lock=task.lock, queueing_lock=task.queueing_lock)
        if key is not None:
            node["items_of" if many else "key"] = key  # items: key[0], key[1], … numbered by manana_spawn_jobs
        nodes.append(node)
    return json.dumps(nodes)


async def spawn_many_async(self: JobContext, task: tasks.Task | str, kwargs_list: Iterable[Mapping[str, Any]], *, key: str | None = None) -> None:
    """Adds jobs of ``task`` (a task or its name) to this job's workflow, one per mapping of
    keyword arguments, deferred with this attempt's success (in the transaction that records it):
    children of this job, waited for by every job that depends on it. A failed attempt spawns
    nothing. With ``key``, they are ``key[0]``, ``key[1]``, … in the console."""
    await run_async(self.app.job_manager, SPAWN, {"job_id": self.job.id, "jobs": _spawned(task, kwargs_list, key, True)})


async def spawn_async(self: JobContext, task: tasks.Task | str, **task_kwargs: Any) -> None:
    """As spawn_many_async(), one job with these keyword arguments."""
    await run_async(self.app.job_manager, SPAWN, {"job_id": self.job.id, "jobs": _spawned(task, [task_kwargs], None, False)})


def spawn_many(self: JobContext, task: tasks.Task | str, kwargs_list: Iterable[Mapping[str, Any]], *, key: str | None = None) -> None:
    """As spawn_many_async(), for a sync task."""
    run_sync(self.app.job_manager, SPAWN, {"job_id": self.job.id, "jobs": _spawned(task, kwargs_list, key, True)})


def spawn(self: JobContext, task: tasks.Task | str, **task_kwargs: Any) -> None:
    """As spawn_async(), for a sync task."""
    run_sync(self.app.job_manager, SPAWN, {"job_id": self.job.id, "jobs": _spawned(task, [task_kwargs], None, False)})


def add_parent_readers() -> None:
    for reader in (get_parent_statuses_async, get_parent_statuses, get_parent_results_async, get_parent_results, spawn_many_async, spawn_async, spawn_many, spawn):
        setattr(JobContext, reader.__name__, reader)
