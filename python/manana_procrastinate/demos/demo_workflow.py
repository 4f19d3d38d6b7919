"""Defers the demo's workflows, as the job-dependencies proposal's demo does:
``python -m manana_procrastinate.demos.demo_workflow``. A worker runs them:
``python -m procrastinate --app=manana_procrastinate.demos.app worker``."""

from __future__ import annotations

import asyncio

from .tasks import app, call_flaky_api, download_data, generate_report, notify_on_failure, process_data


async def main() -> None:
    async with app.open_async():
        # One parent, one child: the child runs once its parent has ended.
        parent_job_id = await download_data.defer_async(url="https://example.com/sales.csv")
        other_job_id = await download_data.defer_async(url="https://example.com/costs.csv")
        # A child of two parents, and the report after it.
        process_job_id = await process_data.configure(depends_on=[parent_job_id, other_job_id]).defer_async()
        report_job_id = await generate_report.configure(depends_on=[process_job_id]).defer_async()
        # A parent that fails, whose child still runs and reads that it failed.
        call_job_id = await call_flaky_api.defer_async()
        notify_job_id = await notify_on_failure.configure(depends_on=[call_job_id]).defer_async()
        print(f"deferred: download {parent_job_id}, {other_job_id} → process {process_job_id} → report {report_job_id}; call {call_job_id} (fails) → notify {notify_job_id}")


if __name__ == "__main__":
    asyncio.run(main())
