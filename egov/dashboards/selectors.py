"""Reads of the plan: its targets evaluated (live or as reported) and its projects."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from egov.core.periods import Period
from egov.dashboards.measures import MEASURES, Measurement
from egov.dashboards.models import Comparison, Plan, Project, Target

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evaluated:
    target: Target
    value: float | None
    #: ``True`` Đạt, ``False`` Chưa đạt, ``None`` no figure yet.
    reached: bool | None
    live: bool
    measurement: Measurement | None

    @property
    def verdict(self) -> str:
        if self.reached is None:
            return _("No figure yet")
        return _("Reached") if self.reached else _("Not reached")


def _reached(target: Target, value: float | Decimal | None) -> bool | None:
    if value is None:
        return None
    if target.comparison == Comparison.AT_MOST:
        return Decimal(str(value)) <= target.value
    return Decimal(str(value)) >= target.value


def evaluate(target: Target, period: Period) -> Evaluated:
    if target.measure:
        measure = MEASURES.get(target.measure)
        measurement = None
        if measure is not None:
            try:
                measurement = measure(period)
            except Exception:  # a failing measure shows as "no figure", never a 500
                log.exception("measure %s failed", target.measure)
        value = measurement.value if measurement else None
        return Evaluated(target, value, _reached(target, value), True, measurement)
    value = float(target.reported_value) if target.reported_value is not None else None
    return Evaluated(target, value, _reached(target, target.reported_value), False, None)


def current_plan() -> Plan | None:
    return Plan.objects.order_by("-year", "-pk").first()


def evaluated_targets(plan: Plan, period: Period) -> list[Evaluated]:
    return [evaluate(t, period) for t in plan.targets.select_related("reported_by")]


@dataclass(frozen=True)
class ProjectTotals:
    budget: int
    disbursed: int

    @property
    def share(self) -> float | None:
        return round(100 * self.disbursed / self.budget, 1) if self.budget else None


def projects(plan: Plan) -> list[Project]:
    return list(plan.projects.all())


def totals(items: list[Project], funding: str | None = None) -> ProjectTotals:
    chosen = [p for p in items if funding is None or p.funding == funding]
    return ProjectTotals(sum(p.budget for p in chosen), sum(p.disbursed for p in chosen))
