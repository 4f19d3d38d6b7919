"""The demo's tasks: download → process → report, and a parent that fails whose child still runs
and says so. Run them with ``python -m procrastinate --app=manana_procrastinate.demos.app worker``
(DATABASE_URL names the database); defer them with ``python -m manana_procrastinate.demos.demo_workflow``.
They take the queue ``python_demo``, apart from a TypeScript worker's."""

from __future__ import annotations

import asyncio
import os
import random

from procrastinate import PsycopgConnector

from manana_procrastinate import App

QUEUE = "python_demo"

app = App(connector=PsycopgConnector(conninfo=os.environ.get("DATABASE_URL", "postgresql:///manana")))


@app.task(queue=QUEUE)
async def download_data(url: str) -> None:
    await asyncio.sleep(random.uniform(0.1, 0.5))
    print(f"downloaded {url}")


@app.task(queue=QUEUE, pass_context=True)
async def process_data(context) -> None:
    parent_statuses = await context.get_parent_statuses_async()
    if all(status == "succeeded" for status in parent_statuses.values()):
        print(f"processing the data of {len(parent_statuses)} download(s)")
    else:
        print(f"some downloads did not succeed ({parent_statuses}): processing what is there")
    await asyncio.sleep(random.uniform(0.1, 0.3))


@app.task(queue=QUEUE, pass_context=True)
async def generate_report(context) -> None:
    parent_statuses = await context.get_parent_statuses_async()
    print(f"report ready; its parents: {parent_statuses}")


@app.task(queue=QUEUE)
async def call_flaky_api() -> None:
    raise RuntimeError("the partner API answered 503 (this demo task fails on purpose)")


@app.task(queue=QUEUE, pass_context=True)
async def notify_on_failure(context) -> None:
    parent_statuses = await context.get_parent_statuses_async()
    failed = [job_id for job_id, status in parent_statuses.items() if status == "failed"]
    print(f"parent(s) {failed or 'none'} failed: an operator is told")
