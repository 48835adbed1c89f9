"""What the staff dashboard shows of reporting (registered in ``apps.py``)."""

from __future__ import annotations

from typing import Any

from egov.core.models import Unit
from egov.core.periods import Period
from egov.core.selectors.units import subtree
from egov.reporting import selectors
from egov.reporting.access import home_units


def due_count(user: Any) -> int | None:
    """Reports the person's units must file, or that wait for their approval; ``None``
    (row hidden) for someone who files no report anywhere."""
    if not home_units(user).exists():
        return None
    return len(selectors.reports_due_for(user))


def missing_in_subtree(unit: Unit, period: Period) -> int:
    """Reports not filed by their deadline, by the units of ``unit``'s subtree, for the
    reporting periods that end in ``period``."""
    return selectors.missing_reports(subtree(unit).values_list("pk", flat=True), period)
