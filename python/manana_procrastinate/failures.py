"""A worker middleware that keeps a failed attempt's exception in Mañana's errors table, so that
the console shows a Python failure's message and traceback as it shows a TypeScript one's
(Procrastinate itself keeps no error text). The attempt's number is Mañana's: 1 for the first run."""

from __future__ import annotations

import logging
import traceback
from typing import Any

RECORD = """INSERT INTO manana_job_errors (job_id, attempt, worker_id, message, stack)
            VALUES (%(job_id)s, %(attempt)s, %(worker_id)s, %(message)s, %(stack)s)
            ON CONFLICT (job_id, attempt) DO UPDATE SET message = EXCLUDED.message, stack = EXCLUDED.stack, at = now()"""

logger = logging.getLogger(__name__)


async def record_failures(call_next: Any, context: Any, worker: Any) -> Any:
    try:
        return await call_next()
    except Exception as error:
        try:
            await context.app.connector.execute_query_async(
                RECORD,
                job_id=context.job.id,
                attempt=(context.job.attempts or 0) + 1,
                worker_id=getattr(worker, "worker_id", None),
                message=str(error) or type(error).__name__,
                stack="".join(traceback.format_exception(error)),
            )
        except Exception as failure:  # the job's outcome matters more than its message
            logger.warning("could not keep the error of job %s: %s", context.job.id, failure)
        raise
