"""The statistics' figures read from the roll-ups instead of the dossier table.

:mod:`egov.dossiers.services.rollups` keeps, per day and per calendar month, the
flows (received by channel, resolved in time / early / late, returned, withdrawn,
refused, stopped) and the changes of the two stocks (in progress, overdue) at each
local midnight. A period ``start``–``end`` then needs:

* the flows of its days: the calendar months it covers whole from the monthly
  rows, the days of the months it cuts from the daily rows;
* *carried over*: the dossiers in progress at the midnight starting ``start``,
  the sum of every stock change up to that day (months before it from the monthly
  rows, the month's first days from the daily rows);
* *in progress / overdue at the end* when the period has ended: the same sum at
  the midnight after ``end``.

When the period has not ended, the end moment is *now*, which no closed day can
answer: :func:`egov.dossiers.stats.figures.dossier_statistics` counts those two
figures with a narrow live query on the dossiers open now, and takes the rest
from here. Every other figure is as current as the roll-ups' watermark.

One aggregate query (monthly rows UNION ALL daily rows), grouped by the receiving
agency (or desk) or the procedure version like the direct query, folded in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import IntegerField, Q, QuerySet, Sum, Value

from egov.dossiers.models import DossierRollupDay, DossierRollupMonth
from egov.dossiers.services.rollups import month_start, next_month

FLOWS: tuple[str, ...] = (
    "new_desk",
    "new_online",
    "new_post",
    "resolved",
    "resolved_in_time",
    "resolved_early",
    "returned",
    "withdrawn",
    "refused",
    "stopped",
)
STOCKS: tuple[str, ...] = ("open_delta", "overdue_delta")

_ONE_DAY = timedelta(days=1)


def _full_months(start: date, end: date) -> tuple[date, date] | None:
    """First days of the first and last calendar months inside ``start``–``end``."""
    first = start if start.day == 1 else next_month(start)
    last = month_start(end + _ONE_DAY)  # the month after the last whole one
    if first >= last:
        return None
    return first, last - _ONE_DAY  # last: a day of the last whole month


def _conditions(
    start: date, end: date, stock_days: Iterable[tuple[str, date]]
) -> tuple[dict[str, Q], dict[str, Q]]:
    """For each figure to sum, the rows to sum: (monthly rows, daily rows)."""
    months: dict[str, Q] = {}
    days: dict[str, Q] = {}
    full = _full_months(start, end)
    if full is None:
        flow_days = [(start, end)]
    else:
        months["flow"] = Q(month__gte=full[0], month__lte=full[1])
        flow_days = [(start, full[0] - _ONE_DAY), (next_month(full[1]), end)]
    flow_days = [(first, last) for first, last in flow_days if first <= last]
    if flow_days:
        days["flow"] = _or(Q(day__gte=first, day__lte=last) for first, last in flow_days)
    for name, day in stock_days:
        months[name] = Q(month__lt=month_start(day))
        days[name] = Q(day__gte=month_start(day), day__lte=day)
    return months, days


def _or(conditions: Iterable[Q]) -> Q:
    where = Q()
    for condition in conditions:
        where |= condition
    return where


def _grouped(
    qs: QuerySet[Any], group: str, names: list[str], conditions: dict[str, Q]
) -> QuerySet[Any]:
    """The sums per ``group`` of the rows each condition selects, as columns named
    ``<condition>__<counter>`` in the order of ``names`` (zeros for a condition this
    table does not answer), so that the two tables' queries can be joined by UNION."""
    aggregates: dict[str, Any] = {}
    for name in names:
        condition = conditions.get(name)
        for field in FLOWS if name == "flow" else STOCKS:
            label = f"{name}__{field}"
            aggregates[label] = (
                Sum(field, filter=condition)
                if condition is not None
                else Value(0, output_field=IntegerField())
            )
    return qs.filter(_or(conditions.values())).order_by().values(group).annotate(**aggregates)


def _run(qs: QuerySet[Any]) -> list[dict[str, Any]]:
    """On PostgreSQL without parallel workers nor JIT: the query reads a few thousand
    rows, less time than starting a worker or compiling takes. One round trip for
    both settings (on a loaded machine each round trip waits for a core)."""
    if connection.vendor != "postgresql":
        return list(qs)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('max_parallel_workers_per_gather', '0', true), "
            "set_config('jit', 'off', true)"
        )
        return list(qs)


def rollup_figures(
    *,
    start: date,
    end: date,
    ended: bool,
    column: str,
    unit_ids: list[int] | None,
    version_ids: QuerySet[Any] | None,
    key: str | None,
) -> dict[Any, dict[str, int]]:
    """Figures per group (``key``: ``receiving_agency_id``, ``receiving_unit_id``,
    ``procedure_version_id`` or ``None`` for one group) as keyword arguments of
    ``Counts``; without the in-progress figures when the period has not ``ended``.
    ``unit_ids`` narrows ``column`` to a subtree, ``version_ids`` to a field or
    procedure. One query: the monthly and the daily sums joined by UNION ALL."""
    stock_days = [("start", start)]
    if ended:
        stock_days.append(("end", end + _ONE_DAY))
    month_conditions, day_conditions = _conditions(start, end, stock_days)
    names = ["flow", *(name for name, _ in stock_days)]
    group = key or column  # without grouping: per unit, added up below
    parts: list[QuerySet[Any]] = []
    for model, conditions in (
        (DossierRollupMonth, month_conditions),
        (DossierRollupDay, day_conditions),
    ):
        if not conditions:
            continue
        qs = model.objects.all()
        if model is DossierRollupMonth:
            # The rows summed over the versions, unless versions are asked for.
            per_version = version_ids is not None or key == "procedure_version_id"
            qs = qs.filter(procedure_version__isnull=not per_version)
        if unit_ids is not None:
            qs = qs.filter(**{f"{column}__in": unit_ids})
        if version_ids is not None:
            qs = qs.filter(procedure_version_id__in=version_ids)
        parts.append(_grouped(qs, group, names, conditions))
    rows = _run(parts[0].union(*parts[1:], all=True)) if parts else []
    totals: dict[Any, dict[str, int]] = {}
    for row in rows:
        acc = totals.setdefault(row[group] if key else None, {})
        for name, value in row.items():
            if "__" in name and value:
                acc[name] = acc.get(name, 0) + int(value)
    return {group: _counts(acc, ended) for group, acc in totals.items()}


def _counts(acc: dict[str, int], ended: bool) -> dict[str, int]:
    def get(name: str) -> int:
        return acc.get(name, 0)

    new_desk, new_online, new_post = (
        get(f"flow__{c}") for c in ("new_desk", "new_online", "new_post")
    )
    resolved, in_time, early = (
        get(f"flow__{c}") for c in ("resolved", "resolved_in_time", "resolved_early")
    )
    counts = {
        "carried_over": get("start__open_delta"),
        "new": new_desk + new_online + new_post,
        "new_desk": new_desk,
        "new_online": new_online,
        "new_post": new_post,
        "resolved_early": early,
        "resolved_on_time": in_time - early,
        "resolved_late": resolved - in_time,
        "returned": get("flow__returned"),
        "withdrawn": get("flow__withdrawn"),
        "refused": get("flow__refused"),
        "stopped": get("flow__stopped"),
    }
    if ended:
        overdue = get("end__overdue_delta")
        counts["in_progress_overdue"] = overdue
        counts["in_progress_not_due"] = get("end__open_delta") - overdue
    return counts
