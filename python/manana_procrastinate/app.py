"""``manana_procrastinate.App``: Procrastinate's App whose tasks take ``depends_on``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import procrastinate
from procrastinate import blueprints, jobs, tasks

from .deferring import DependentJobDeferrer, DependentTask, check_options, run_async, run_sync, workflow_arguments
from .failures import record_failures


class App(procrastinate.App):
    """A drop-in for ``procrastinate.App``: its tasks' ``configure`` takes ``depends_on=[job ids]``
    (and ``run_when``), it defers whole workflows (``defer_workflow``), and its workers keep a
    failed attempt's exception where the console shows it (Procrastinate 3.9 or later), on a
    Mañana database."""

    def __init__(self, **options: Any):
        super().__init__(**options)
        if "worker_middleware" in procrastinate.app.WorkerOptions.__annotations__:
            middlewares = list(self.worker_defaults.get("worker_middleware") or [])
            self.worker_defaults = {**self.worker_defaults, "worker_middleware": [record_failures, *middlewares]}

    def _register_task(self, task: tasks.Task) -> None:
        task.__class__ = DependentTask  # the same task, with configure(depends_on=…)
        super()._register_task(task)

    def add_tasks_from(self, blueprint: blueprints.Blueprint, *, namespace: str) -> None:
        super().add_tasks_from(blueprint, namespace=namespace)
        for task in self.tasks.values():
            task.__class__ = DependentTask

    def configure_task(self, name: str, *, allow_unknown: bool = True, **options: Any) -> jobs.JobDeferrer:
        """As upstream's, for a task this app may not define (a TypeScript one, say): it takes the
        queue, priority and locks its workers announced unless given here."""
        check_options(options, f"configure_task({name!r})")
        self.perform_import_paths()
        if name in self.tasks:
            return self.tasks[name].configure(**options)
        if not allow_unknown:
            raise procrastinate.exceptions.TaskNotFound(name)
        depends_on = options.pop("depends_on", None)
        run_when = options.pop("run_when", None)
        plain = tasks.configure_task(name=name, job_manager=self.job_manager, **options)
        return DependentJobDeferrer(self.job_manager, plain.job, plain.connection, depends_on=depends_on, run_when=run_when, given=options)

    async def defer_workflow_async(self, workflow: Mapping[str, Mapping[str, Any]], *, name: str | None = None) -> dict[str, int]:
        """Defers jobs that depend on each other, in one transaction: ``{key: {'task': task,
        'args': {...}, 'depends_on': [other keys or job ids], …}}``; returns their ids by key."""
        query, arguments = workflow_arguments(self, workflow, name)
        return {row["key"]: row["id"] for row in await run_async(self.job_manager, query, arguments)}

    def defer_workflow(self, workflow: Mapping[str, Mapping[str, Any]], *, name: str | None = None) -> dict[str, int]:
        """As defer_workflow_async()."""
        query, arguments = workflow_arguments(self, workflow, name)
        return {row["key"]: row["id"] for row in run_sync(self.job_manager, query, arguments)}
