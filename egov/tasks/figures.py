"""The key figures the task app gives the leaders' dashboard (``core.staff_dashboard``)."""

from __future__ import annotations

from egov.core.models import Unit
from egov.core.periods import Period
from egov.tasks import selectors


def overdue_tasks(unit: Unit, period: Period) -> int:
    """Open tasks past their deadline whose lead unit is in ``unit``'s subtree (now)."""
    return selectors.totals(unit, None).overdue


def on_time_share(unit: Unit, period: Period) -> float | None:
    """Share of the tasks finished in ``period`` that were finished by their deadline."""
    counts = selectors.finished_in(unit, period)
    done = counts[0] + counts[1]
    return round(100 * counts[0] / done, 1) if done else None
