"""Job dependencies for Procrastinate on a Mañana database.

``from manana_procrastinate import App`` instead of ``from procrastinate import App``; then
``task.configure(depends_on=[job_id]).defer_async()``, ``app.defer_workflow({...})``, and in a
task, ``await context.get_parent_statuses_async()`` (added to Procrastinate's JobContext as this
package is imported).
"""

from .app import App
from .context import add_parent_readers
from .errors import ManaError

add_parent_readers()

__all__ = ["App", "ManaError"]
