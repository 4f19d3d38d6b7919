"""Deferring with dependencies: ``task.configure(depends_on=[ids])`` and whole workflows, through
Mañana's ``manana_defer_jobs`` (one transaction: an unknown parent, a cycle or a bad option defers
nothing)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

from procrastinate import exceptions, jobs, manager, tasks

from .errors import from_database_error

#: What upstream's ``Task.configure`` takes; this add-on adds ``depends_on`` and ``run_when``.
UPSTREAM_OPTIONS = frozenset(tasks.ConfigureTaskOptions.__annotations__)
ADDED_OPTIONS = frozenset({"depends_on", "run_when"})
#: The fields of a job in ``App.defer_workflow``.
WORKFLOW_FIELDS = frozenset({"task", "args", "depends_on", "queue", "priority", "lock", "queueing_lock", "schedule_at", "schedule_in", "run_when"})

DEFER = "SELECT key, id FROM manana_defer_jobs(%(jobs)s::jsonb)"
DEFER_NAMED = "SELECT key, id FROM manana_defer_jobs(%(jobs)s::jsonb, %(name)s)"


def check_options(options: Iterable[str], where: str) -> None:
    """Refuses options nobody reads (plain Procrastinate would ignore them without a word)."""
    unknown = sorted(set(options) - UPSTREAM_OPTIONS - ADDED_OPTIONS)
    if unknown:
        known = ", ".join(sorted(UPSTREAM_OPTIONS | ADDED_OPTIONS))
        raise TypeError(f"{where} got unknown option(s) {', '.join(unknown)}; it takes {known}")


def node_of(job: jobs.Job, *, depends_on: Iterable[Any] | None, run_when: str | None, key: str | None = None, given: Iterable[str] | None = None) -> dict[str, Any]:
    """The job as manana_defer_jobs takes it. `given`: for a task this app does not define, the
    options the caller set (the others are left out: the task's announced ones apply)."""
    node: dict[str, Any] = {"task_name": job.task_name, "args": job.task_kwargs}
    settable = {"queue_name": job.queue, "priority": job.priority, "lock": job.lock, "queueing_lock": job.queueing_lock}
    names = {"queue_name": "queue", "priority": "priority", "lock": "lock", "queueing_lock": "queueing_lock"}
    for field, value in settable.items():
        if given is None or names[field] in given:
            node[field] = value
    if job.scheduled_at is not None:
        node["scheduled_at"] = job.scheduled_at.isoformat()
    if key is not None:
        node["key"] = key
    if depends_on is not None:
        if isinstance(depends_on, (str, bytes, Mapping)) or not isinstance(depends_on, Iterable):
            raise TypeError(f"depends_on must be a list of job ids, not {depends_on!r}")
        node["depends_on"] = list(depends_on)
    if run_when is not None:
        node["run_when"] = run_when
    return node


class DependentJobDeferrer(jobs.JobDeferrer):
    """A JobDeferrer whose jobs wait for parents (``depends_on``) or follow a rule (``run_when``)."""

    def __init__(self, job_manager: manager.JobManager, job: jobs.Job, connection: Any | None, *, depends_on: Iterable[int] | None, run_when: str | None, given: Iterable[str] | None = None):
        super().__init__(job_manager=job_manager, job=job, connection=connection)
        self.depends_on = None if depends_on is None else list(depends_on)
        self.run_when = run_when
        self.given = None if given is None else frozenset(given)

    def _arguments(self, task_kwargs: Iterable[dict[str, Any]]) -> dict[str, Any]:
        nodes = [node_of(self.make_new_job(**kwargs), depends_on=self.depends_on, run_when=self.run_when, given=self.given) for kwargs in task_kwargs]
        return {"jobs": json.dumps(nodes)}

    async def defer_async(self, **task_kwargs: Any) -> int:
        return (await self.batch_defer_async(task_kwargs))[0]

    async def batch_defer_async(self, *task_kwargs: dict[str, Any]) -> list[int]:
        rows = await run_async(self.job_manager, DEFER, self._arguments(task_kwargs), self.connection)
        return [row["id"] for row in rows]

    def defer(self, **task_kwargs: Any) -> int:
        return self.batch_defer(task_kwargs)[0]

    def batch_defer(self, *task_kwargs: dict[str, Any]) -> list[int]:
        rows = run_sync(self.job_manager, DEFER, self._arguments(task_kwargs), self.connection)
        return [row["id"] for row in rows]



class DependentTask(tasks.Task):
    """A Procrastinate task whose ``configure`` also takes ``depends_on`` and ``run_when``."""

    def configure(self, **options: Any) -> jobs.JobDeferrer:  # type: ignore[override]
        check_options(options, f"{self.name}.configure()")
        depends_on = options.pop("depends_on", None)
        run_when = options.pop("run_when", None)
        plain = super().configure(**options)
        if depends_on is None and run_when is None:
            return plain
        return DependentJobDeferrer(plain.job_manager, plain.job, plain.connection, depends_on=depends_on, run_when=run_when)


def workflow_arguments(app: Any, workflow: Mapping[str, Mapping[str, Any]], name: str | None) -> tuple[str, dict[str, Any]]:
    """The query and arguments deferring `workflow` ({key: {task, args, depends_on, …}}) in one call."""
    if not isinstance(workflow, Mapping) or not workflow:
        raise TypeError("a workflow is a non-empty dict of jobs by key: {'download': {'task': download, 'args': {...}}}")
    nodes = []
    for key, spec in workflow.items():
        if not isinstance(spec, Mapping):
            raise TypeError(f"job {key}: expected a dict such as {{'task': download, 'args': {{...}}}}")
        unknown = sorted(set(spec) - WORKFLOW_FIELDS)
        if unknown:
            raise TypeError(f"job {key}: unknown field(s) {', '.join(unknown)}; a job takes {', '.join(sorted(WORKFLOW_FIELDS))}")
        task = spec.get("task")
        options = {option: spec[option] for option in ("queue", "priority", "lock", "queueing_lock", "schedule_at", "schedule_in") if option in spec}
        name_of_task = task.name if isinstance(task, tasks.Task) else task
        if not isinstance(name_of_task, str):
            raise TypeError(f"job {key}: 'task' must be a task of this app or a task's name")
        defined = app.tasks.get(name_of_task)
        if defined is not None:
            deferrer = tasks.Task.configure(defined, **options)
            given = None
        else:
            deferrer = tasks.configure_task(name=name_of_task, job_manager=app.job_manager, **options)
            given = set(options)
        job = deferrer.make_new_job(**dict(spec.get("args") or {}))
        nodes.append(node_of(job, depends_on=spec.get("depends_on"), run_when=spec.get("run_when"), key=key, given=given))
    arguments: dict[str, Any] = {"jobs": json.dumps(nodes)}
    if name is None:
        return DEFER, arguments
    return DEFER_NAMED, {**arguments, "name": name}


async def run_async(job_manager: manager.JobManager, query: str, arguments: dict[str, Any], connection: Any | None = None) -> list[dict[str, Any]]:
    connector = job_manager.connector
    try:
        if connection is not None:
            return await connector.execute_query_all_async_with_connection(connection, cast(Any, query), **arguments)
        return await connector.execute_query_all_async(cast(Any, query), **arguments)
    except exceptions.ConnectorException as error:
        raise_refusal(error)


def run_sync(job_manager: manager.JobManager, query: str, arguments: dict[str, Any], connection: Any | None = None) -> list[dict[str, Any]]:
    connector = job_manager.connector.get_sync_connector()
    try:
        if connection is not None:
            return connector.execute_query_all_with_connection(connection, cast(Any, query), **arguments)
        return connector.execute_query_all(cast(Any, query), **arguments)
    except exceptions.ConnectorException as error:
        raise_refusal(error)


def raise_refusal(error: exceptions.ConnectorException) -> Any:
    if isinstance(error, exceptions.UniqueViolation) and error.constraint_name == manager.QUEUEING_LOCK_CONSTRAINT:
        raise exceptions.AlreadyEnqueued(f"Job cannot be enqueued: there is already a job in the queue with the queueing lock {error.queueing_lock}") from error
    raise from_database_error(error) from error

