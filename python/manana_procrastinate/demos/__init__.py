"""The job-dependencies proposal's demo, on a Mañana database: its app is
``manana_procrastinate.demos.app`` (``python -m procrastinate --app=manana_procrastinate.demos.app worker``)."""

from .tasks import app

__all__ = ["app"]
