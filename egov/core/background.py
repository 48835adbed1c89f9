"""Periodic background jobs, declared by each app and run by one command.

Work that must not happen inside a request or a dossier transaction (sending
notifications, booking postal pickups, asking the payment platform about
payments left pending) is queued as rows by the services and drained here. Each
app registers its jobs in its ``AppConfig.ready()``::

    background.register("notifications.send", send_due, every_seconds=5)

and ``manage.py run_background`` runs every registered job on its own interval
(``--once`` runs each once, for cron). Jobs must be safe to run from several
processes at once: they claim their rows with row locks, never by trusting that
only one runner exists.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import close_old_connections

from egov.core.metrics import JOB_RUNS

logger = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    run: Callable[[], object]
    every_seconds: float
    next_at: float = field(default=0.0)


_JOBS: dict[str, Job] = {}


def register(name: str, run: Callable[[], object], *, every_seconds: float) -> None:
    """Declare a periodic job (idempotent: registering a name again replaces it)."""
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    _JOBS[name] = Job(name=name, run=run, every_seconds=every_seconds)


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def run_job(job: Job) -> bool:
    """Run one job; a failure is logged and the runner goes on with the others."""
    close_old_connections()
    try:
        result = job.run()
    except Exception:
        logger.exception("background job %s failed", job.name)
        JOB_RUNS.labels(job.name, "failed").inc()
        return False
    finally:
        close_old_connections()
    JOB_RUNS.labels(job.name, "ok").inc()
    if result:
        logger.info("background job %s: %s", job.name, result)
    return True


def run_due(now: float | None = None, *, selected: list[Job] | None = None) -> float:
    """Run the jobs whose time has come; return the seconds until the next one."""
    current = time.monotonic() if now is None else now
    pending = selected if selected is not None else jobs()
    for job in pending:
        if job.next_at <= current:
            run_job(job)
            job.next_at = current + job.every_seconds
    if not pending:
        return 60.0
    return max(0.0, min(job.next_at for job in pending) - current)
