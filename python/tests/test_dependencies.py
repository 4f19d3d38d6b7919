"""The job-dependencies proposal's Python, word for word, on a Mañana database (DATABASE_URL),
with upstream Procrastinate's own worker. Run by Mañana's `npm test` (worker/python.test.ts)."""

from __future__ import annotations

import asyncio
import logging
import os
import unittest
import uuid

import psycopg
from procrastinate import PsycopgConnector

from manana_procrastinate import App, ManaError

# Tasks here fail on purpose: their tracebacks are not news.
logging.getLogger("procrastinate").setLevel(logging.CRITICAL)


def sql(query: str, *params):
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def make_app():
    """An app of tasks on a queue of this test's own (names unique per test, one database for all)."""
    queue = f"py_{uuid.uuid4().hex[:12]}"
    app = App(connector=PsycopgConnector(conninfo=os.environ["DATABASE_URL"]))
    ran: list[tuple[str, dict]] = []

    @app.task(queue=queue, name=f"{queue}.parent_task")
    async def parent_task():
        ran.append(("parent_task", {}))

    @app.task(queue=queue, name=f"{queue}.child_task")
    async def child_task():
        ran.append(("child_task", {}))

    @app.task(queue=queue, name=f"{queue}.task_a")
    async def task_a():
        ran.append(("task_a", {}))

    @app.task(queue=queue, name=f"{queue}.task_b")
    def task_b():
        raise RuntimeError("task_b fails on purpose")

    @app.task(pass_context=True, queue=queue, name=f"{queue}.task_c")
    async def task_c(context):
        ran.append(("task_c", await context.get_parent_statuses_async()))

    # The proposal's task, unchanged but for its name and queue.
    @app.task(pass_context=True, queue=queue, name=f"{queue}.process_data")
    async def process_data(context):
        parent_statuses = await context.get_parent_statuses_async()
        if all(status == 'succeeded' for status in parent_statuses.values()):
            ran.append(("process_data", parent_statuses))

    return app, queue, ran, locals()


async def run_worker(app, queue):
    await app.run_worker_async(queues=[queue], wait=False, install_signal_handlers=False, concurrency=1)


class DependenciesTest(unittest.IsolatedAsyncioTestCase):
    async def test_the_proposals_snippets_run_in_dependency_order(self):
        app, queue, ran, tasks = make_app()
        parent_task, child_task, task_a, task_b, task_c, process_data = (tasks[name] for name in ("parent_task", "child_task", "task_a", "task_b", "task_c", "process_data"))
        async with app.open_async():
            # The proposal's lines, as written.
            child_job_id = None
            parent_job_id = await parent_task.defer_async()
            child_job_id = await child_task.configure(depends_on=[parent_job_id]).defer_async()

            job_a_id = await task_a.defer_async()
            job_b_id = await task_b.defer_async()
            job_c_id = await task_c.configure(depends_on=[job_a_id, job_b_id]).defer_async()
            process_id = await process_data.configure(depends_on=[parent_job_id, job_a_id]).defer_async()

            edges = sql("SELECT job_id, depends_on_job_id FROM procrastinate_job_dependencies WHERE job_id = ANY(%s) ORDER BY 1, 2", [child_job_id, job_c_id, process_id])
            self.assertEqual(edges, [(child_job_id, parent_job_id), (job_c_id, job_a_id), (job_c_id, job_b_id), (process_id, parent_job_id), (process_id, job_a_id)])
            # Deferred children first in the queue: they still wait for their parents.
            await run_worker(app, queue)

        order = [name for name, _ in ran]
        self.assertLess(order.index("parent_task"), order.index("child_task"))
        self.assertLess(order.index("task_a"), order.index("task_c"))
        # The child of a failed parent still runs, and reads that it failed.
        self.assertEqual(dict(ran)["task_c"], {job_a_id: "succeeded", job_b_id: "failed"})
        self.assertEqual(dict(ran)["process_data"], {parent_job_id: "succeeded", job_a_id: "succeeded"})
        statuses = dict(sql("SELECT id, status::text FROM procrastinate_jobs WHERE id = ANY(%s)", [[parent_job_id, child_job_id, job_a_id, job_b_id, job_c_id, process_id]]))
        self.assertEqual(statuses, {parent_job_id: "succeeded", child_job_id: "succeeded", job_a_id: "succeeded", job_b_id: "failed", job_c_id: "succeeded", process_id: "succeeded"})
        # The failure's message and traceback are kept, as the console shows them.
        self.assertEqual(sql("SELECT attempt, message, stack LIKE '%%RuntimeError: task_b fails%%' FROM manana_job_errors WHERE job_id = %s", job_b_id), [(1, "task_b fails on purpose", True)])
        # Each started after its parents ended, by the database's clock.
        late = sql("""SELECT child.job_id FROM procrastinate_job_dependencies AS child
                      WHERE child.job_id = ANY(%s)
                        AND (SELECT min(at) FROM procrastinate_events WHERE job_id = child.job_id AND type = 'started')
                          < (SELECT max(at) FROM procrastinate_events WHERE job_id = child.depends_on_job_id AND type IN ('succeeded', 'failed'))""",
                   [child_job_id, job_c_id, process_id])
        self.assertEqual(late, [])

    async def test_batch_defer_and_a_whole_workflow_in_one_call(self):
        app, queue, ran, tasks = make_app()
        async with app.open_async():
            parent = await tasks["parent_task"].defer_async()
            children = await tasks["child_task"].configure(depends_on=[parent]).batch_defer_async({}, {})
            self.assertEqual(sql("SELECT count(*) FROM procrastinate_job_dependencies WHERE job_id = ANY(%s) AND depends_on_job_id = %s", children, parent), [(2,)])
            ids = await app.defer_workflow_async(
                {
                    "a": {"task": tasks["task_a"]},
                    "b": {"task": tasks["task_b"]},
                    "c": {"task": tasks["task_c"], "depends_on": ["a", "b"]},
                    "after_parent": {"task": f"{queue}.child_task", "depends_on": [parent], "priority": 5},
                },
                name="nightly",
            )
            self.assertEqual(sorted(ids), ["a", "after_parent", "b", "c"])
            self.assertEqual(sql("SELECT w.name FROM manana_workflows AS w JOIN procrastinate_jobs AS j ON j.workflow_id = w.id WHERE j.id = %s", ids["a"]), [("nightly",)])
            self.assertEqual(sql("SELECT queue_name, priority FROM procrastinate_jobs WHERE id = %s", ids["after_parent"]), [(queue, 5)])
            await run_worker(app, queue)
        self.assertEqual(dict(ran)["task_c"], {ids["a"]: "succeeded", ids["b"]: "failed"})

    async def test_a_task_spawns_jobs_that_its_dependents_wait_for_and_a_failure_spawns_nothing(self):
        app, queue, ran, tasks = make_app()

        @app.task(queue=queue, name=f"{queue}.piece")
        async def piece(n):
            ran.append(("piece", {"n": n}))

        @app.task(pass_context=True, queue=queue, name=f"{queue}.spawner")
        async def spawner(context, fail=False):
            await context.spawn_many_async(piece, [{"n": 0}, {"n": 1}, {"n": 2}], key="piece")
            if fail:
                raise RuntimeError("fails after spawning, on purpose")

        @app.task(pass_context=True, queue=queue, name=f"{queue}.greedy")
        async def greedy(context):
            try:
                await context.spawn_many_async(piece, [{"n": n} for n in range(10_000)])
            except ManaError as refused:
                ran.append(("greedy", {"code": refused.code}))
                raise

        async with app.open_async():
            spawning = await spawner.defer_async()
            after = await tasks["child_task"].configure(depends_on=[spawning]).defer_async()
            await spawner.defer_async(fail=True)
            too_many = await greedy.defer_async()
            await run_worker(app, queue)
        # Too many is refused as the task spawns: its attempt fails as any failure does, spawning nothing.
        self.assertEqual(dict(ran)["greedy"], {"code": "workflow_too_large"})
        self.assertEqual(sql("SELECT status::text FROM procrastinate_jobs WHERE id = %s", too_many), [("failed",)])
        pieces = sql("SELECT step_key, status::text, spawned_by FROM procrastinate_jobs WHERE task_name = %s ORDER BY id", f"{queue}.piece")
        self.assertEqual(pieces, [("piece[0]", "succeeded", spawning), ("piece[1]", "succeeded", spawning), ("piece[2]", "succeeded", spawning)])
        # The dependent waited for the spawned jobs too, and ran after the last of them.
        self.assertEqual(sql("SELECT count(*) FROM procrastinate_job_dependencies WHERE job_id = %s", after), [(4,)])
        order = [name for name, _ in ran]
        self.assertGreater(order.index("child_task"), max(i for i, name in enumerate(order) if name == "piece"))
        self.assertEqual(sql("SELECT count(*) FROM manana_pending_spawns"), [(0,)])

    async def test_refusals_defer_nothing(self):
        app, queue, _, tasks = make_app()
        async with app.open_async():
            count = lambda: sql("SELECT count(*) FROM procrastinate_jobs WHERE queue_name = %s", queue)[0][0]
            with self.assertRaises(ManaError) as refused:
                await tasks["child_task"].configure(depends_on=[987654321]).defer_async()
            self.assertEqual(refused.exception.code, "unknown_parent")
            with self.assertRaises(ManaError) as cycle:
                await app.defer_workflow_async({"a": {"task": tasks["task_a"], "depends_on": ["b"]}, "b": {"task": tasks["task_a"], "depends_on": ["a"]}})
            self.assertEqual(cycle.exception.code, "dependency_cycle")
            with self.assertRaises(TypeError) as unknown:
                tasks["child_task"].configure(depends_onn=[1])
            self.assertIn("unknown option(s) depends_onn", str(unknown.exception))
            with self.assertRaises(TypeError):
                tasks["child_task"].configure(depends_on=5)
            self.assertEqual(count(), 0)


class SyncTest(unittest.TestCase):
    def test_sync_defer_and_readers(self):
        app, queue, ran, tasks = make_app()
        with app.open():
            parent = tasks["task_a"].defer()
            child = tasks["task_c"].configure(depends_on=[parent]).defer()
            batch = tasks["child_task"].configure(depends_on=[parent]).batch_defer({}, {})
            ids = app.defer_workflow({"x": {"task": tasks["task_a"], "depends_on": [child]}})
        self.assertEqual(sql("SELECT unfinished_parents FROM procrastinate_jobs WHERE id = ANY(%s) ORDER BY id", [child, *batch, ids["x"]]), [(1,), (1,), (1,), (1,)])
        asyncio.run(self._run(app, queue))
        self.assertEqual(dict(ran)["task_c"], {parent: "succeeded"})

    async def _run(self, app, queue):
        async with app.open_async():
            await run_worker(app, queue)


if __name__ == "__main__":
    unittest.main()
