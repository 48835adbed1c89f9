"""Reads of reporting: which regimes a unit files, a unit's report, aggregation up
the tree, completeness and timeliness per period (DHIS2's reporting-rate view),
and what waits for a person (for the dashboards).

For other apps: :func:`reports_due_for` and :func:`missing_reports`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from egov.core.models import Unit
from egov.reporting import access
from egov.reporting.models import IndicatorKind, Regime, Report, Status
from egov.reporting.periods import (
    ReportPeriod,
    deadline_of,
    due_period,
    keys_back,
    period_of,
)

REPORTED = (Status.APPROVED, Status.SENT, Status.ACKNOWLEDGED)


def active_regimes() -> QuerySet[Regime]:
    return Regime.objects.filter(is_active=True).order_by("position", "code")


def regimes_for_unit(unit: Unit) -> list[Regime]:
    return [r for r in active_regimes() if unit.level in (r.levels or [])]


def current_report(regime: Regime, unit: Unit, period_key: str) -> Report | None:
    return (
        Report.objects.filter(regime=regime, unit=unit, period_key=period_key, is_current=True)
        .select_related("regime", "unit")
        .first()
    )


def history(report: Report) -> list[Report]:
    """Every version of the report's period, newest first."""
    return list(
        Report.objects.filter(
            regime=report.regime, unit=report.unit, period_key=report.period_key
        ).order_by("-version")
    )


def _line_paths(unit: Unit) -> list[str]:
    """``unit``'s path and its ancestors', nearest first."""
    return [unit.path[: Unit.steplen * n] for n in range(unit.depth, 0, -1)]


def _lines(units: Iterable[Unit]) -> dict[str, Unit]:
    """The existing units on the lines from the root to each of ``units``, by path."""
    paths = {path for unit in units for path in _line_paths(unit)}
    return {u.path: u for u in Unit.objects.filter(path__in=paths, dissolved_at__isnull=True)}


def filing_unit(unit: Unit, regime: Regime, found: dict[str, Unit] | None = None) -> Unit | None:
    """The nearest unit at or above ``unit`` that files ``regime`` (``found``: the
    units of its line, read beforehand by :func:`_lines`)."""
    paths = _line_paths(unit)
    if found is None:
        found = _lines([unit])
    for path in paths:
        candidate = found.get(path)
        if candidate is not None and candidate.level in (regime.levels or []):
            return candidate
    return None


def filing_units(user: Any, regime: Regime) -> list[Unit]:
    """The units whose ``regime`` reports ``user`` prepares."""
    units: dict[int, Unit] = {}
    for home in access.home_units(user):
        found = filing_unit(home, regime)
        if found is not None:
            units[found.pk] = found
    return sorted(units.values(), key=lambda u: u.path)


def _expected_units(regime: Regime, root: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(
            path__startswith=root.path,
            level__in=list(regime.levels or []),
            dissolved_at__isnull=True,
        ).order_by("path")
    )


def _nearest_below(regime: Regime, root: Unit) -> list[Unit]:
    """The filing units below ``root`` with no other filing unit between: communes
    for a district, districts (and provincial agencies) for the province."""
    below = [u for u in _expected_units(regime, root) if u.pk != root.pk]
    chosen: list[Unit] = []
    for unit in below:  # tree order: an ancestor comes before its descendants
        if not any(unit.path.startswith(c.path) for c in chosen):
            chosen.append(unit)
    return chosen


def aggregate_below(regime: Regime, period_key: str, root: Unit) -> tuple[dict[str, str], int]:
    """Sums of the entered whole and decimal figures of the reported reports of the
    units just below ``root``: ``({code: total}, number of reports)``."""
    units = _nearest_below(regime, root)
    reports = Report.objects.filter(
        regime=regime,
        period_key=period_key,
        is_current=True,
        status__in=REPORTED,
        unit__in=units,
    )
    codes = [
        i.code
        for i in regime.indicators.all()
        if not i.source and i.kind in (IndicatorKind.INTEGER, IndicatorKind.DECIMAL)
    ]
    totals: dict[str, Decimal] = {}
    count = 0
    for report in reports:
        count += 1
        for code in codes:
            raw = (report.values.get(code) or {}).get("value", "")
            try:
                number = Decimal(raw)
            except (InvalidOperation, TypeError):
                continue
            totals[code] = totals.get(code, Decimal(0)) + number
    return {code: format(total.normalize(), "f") for code, total in totals.items()}, count


# --- completeness and timeliness ----------------------------------------------------------


@dataclass
class CompletenessRow:
    unit: Unit
    report: Report | None
    state: str  # missing, draft, waiting, on_time, late


@dataclass
class Completeness:
    regime: Regime
    period: ReportPeriod
    deadline: date
    rows: list[CompletenessRow] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return len(self.rows)

    def count(self, *states: str) -> int:
        return sum(1 for row in self.rows if row.state in states)

    @property
    def reported(self) -> int:
        return self.count("on_time", "late")

    @property
    def on_time(self) -> int:
        return self.count("on_time")

    @property
    def late(self) -> int:
        return self.count("late")

    @property
    def missing(self) -> list[CompletenessRow]:
        return [row for row in self.rows if row.state not in ("on_time", "late")]

    @property
    def reporting_rate(self) -> float | None:
        return 100 * self.reported / self.expected if self.expected else None

    @property
    def timeliness_rate(self) -> float | None:
        return 100 * self.on_time / self.expected if self.expected else None


def _state(report: Report | None) -> str:
    if report is None:
        return "missing"
    if report.status in REPORTED:
        return "late" if report.is_late else "on_time"
    if report.status == Status.SUBMITTED:
        return "waiting"
    return "draft"


def completeness(regime: Regime, period: ReportPeriod, root: Unit) -> Completeness:
    """Every unit of ``root``'s subtree that files ``regime``, with its report's state
    for ``period``: who has not reported, who was late."""
    units = _expected_units(regime, root)
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(
            regime=regime, period_key=period.key, is_current=True, unit__in=units
        )
    }
    # A report corrected after approval still counts as reported, on its first time.
    rows = [CompletenessRow(u, reports.get(u.pk), _state(reports.get(u.pk))) for u in units]
    return Completeness(regime, period, deadline_of(regime, period), rows)


# --- for the dashboards -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDue:
    regime_title: str
    unit_name: str
    period_label: str
    deadline: date
    action: str  # "file" (prepare and submit) or "approve"
    url: str
    report_id: int | None


def reports_due_for(user: Any, today: date | None = None) -> list[ReportDue]:
    """Reports ``user``'s units must still file (no report yet, or a draft) for the
    latest period whose cut-off has passed, and reports waiting for ``user``'s
    approval; each with its deadline, soonest first."""
    today = today or timezone.localdate()
    due: list[ReportDue] = []
    homes = list(access.home_units(user))
    lines = _lines(homes)
    wanted: list[tuple[Regime, ReportPeriod, Unit]] = []
    for regime in active_regimes():
        period = due_period(regime, today)
        if period is None:
            continue
        units: dict[int, Unit] = {}
        for home in homes:
            found = filing_unit(home, regime, lines)
            if found is not None:
                units[found.pk] = found
        wanted += [(regime, period, unit) for unit in sorted(units.values(), key=lambda u: u.path)]
    reports: dict[tuple[int, int, str], Report] = {}
    if wanted:
        # The current reports of every (regime, unit, period) in one query.
        for row in Report.objects.filter(
            regime_id__in={regime.pk for regime, _p, _u in wanted},
            unit_id__in={unit.pk for _r, _p, unit in wanted},
            period_key__in={period.key for _r, period, _u in wanted},
            is_current=True,
        ):
            reports[(row.regime_id, row.unit_id, row.period_key)] = row
    for regime, period, unit in wanted:
        report = reports.get((regime.pk, unit.pk, period.key))
        if report is None or report.status == Status.DRAFT:
            url = (
                reverse("reporting:report", args=[report.pk])
                if report
                else reverse("reporting:unit", args=[unit.pk])
            )
            due.append(
                ReportDue(
                    regime.title,
                    unit.name,
                    period.label,
                    deadline_of(regime, period),
                    "file",
                    url,
                    report.pk if report else None,
                )
            )
    waiting = Report.objects.filter(status=Status.SUBMITTED, is_current=True).select_related(
        "regime", "unit"
    )
    for report in waiting:
        if access.may_approve(user, report.unit):
            due.append(
                ReportDue(
                    report.regime.title,
                    report.unit.name,
                    report.period_label,
                    report.deadline,
                    "approve",
                    reverse("reporting:report", args=[report.pk]),
                    report.pk,
                )
            )
    return sorted(due, key=lambda d: d.deadline)


def missing_reports(unit_ids: Iterable[int], period: Any, today: date | None = None) -> int:
    """How many reports the units ``unit_ids`` (each counted itself, not its
    subtree) have not filed — no approved report — for the reporting periods whose
    deadline has passed by ``today`` and whose cut-off falls in ``period`` (anything
    with ``start`` and ``end`` dates, e.g. a ``core.periods.Period``)."""
    today = today or timezone.localdate()
    ids = list(unit_ids)
    units = list(Unit.objects.filter(pk__in=ids, dissolved_at__isnull=True))
    # Which (regime, period) pairs count, then every approved report of them in one
    # query (a province has a thousand filing units and a year a dozen periods).
    expected: list[tuple[Regime, str, list[Unit]]] = []
    for regime in active_regimes():
        filers = [u for u in units if u.level in (regime.levels or [])]
        if not filers:
            continue
        for key in _keys_in(regime, period.start, period.end):
            found = period_of(regime, key)
            if found is None or not period.start <= found.end <= period.end:
                continue
            if deadline_of(regime, found) >= today:
                continue
            expected.append((regime, found.key, filers))
    if not expected:
        return 0
    done = set(
        Report.objects.filter(
            regime_id__in={regime.pk for regime, _key, _filers in expected},
            period_key__in={key for _regime, key, _filers in expected},
            is_current=True,
            status__in=REPORTED,
            unit_id__in=[u.pk for u in units],
        ).values_list("regime_id", "period_key", "unit_id")
    )
    return sum(
        1
        for regime, key, filers in expected
        for unit in filers
        if (regime.pk, key, unit.pk) not in done
    )


def _keys_in(regime: Regime, start: date, end: date) -> list[str]:
    months = (end.year - start.year) * 12 + end.month - start.month + 2
    return keys_back(regime, end, max(1, months))


def reports_sent_online(start: date, end: date) -> tuple[int, int]:
    """``(sent, reported)``: of the periodic reports approved for periods whose cut-off
    falls between ``start`` and ``end``, how many went to the Government reporting
    system (the plan's target: at least 30% of periodic reports sent online)."""
    reported = Report.objects.filter(
        is_current=True, status__in=REPORTED, period_end__gte=start, period_end__lte=end
    )
    sent = reported.filter(status__in=(Status.SENT, Status.ACKNOWLEDGED)).count()
    return sent, reported.count()
