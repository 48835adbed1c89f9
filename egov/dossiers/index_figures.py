"""Read-only figures of dossiers for the service-quality index (Quyết định 766/QĐ-TTg).

The quality app composes these counts into indicators; this module only counts,
in one aggregate query over the dossiers **received** in ``[start, end)`` whose
receiving agency is one of ``unit_ids`` (``None``: the whole province).

The index's own rule of timeliness (2.1), which differs from the one-stop
statistics (:mod:`egov.dossiers.stats.figures`) on purpose:

* end of processing = result ready, else result returned, else closed (refused,
  stopped, withdrawn), else — still waiting for the applicant — the moment the
  clock stopped; no end yet (or an end after the period) → the end of the period;
* late when that end is after the appointment (``due_at``, which already adds the
  time the clock stood still for a supplement or fees), **or** when a supplement
  was requested more than once, **or** when an apology letter (form 04) moved the
  appointment.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from egov.core.workcalendar import get_calendar
from egov.dossiers.models import (
    REUSED_ORIGINS,
    ApologyLetter,
    Channel,
    Dossier,
    DossierPaper,
    PaperOrigin,
)
from egov.procedures.models import ProcedureVersion

#: Dossiers counted by 3.3 as online.
ONLINE = Channel.ONLINE
#: Day 0 of the local day numbers :func:`working_time_totals` groups by.
EPOCH = date(1970, 1, 1)


def received_in(
    unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> QuerySet[Dossier]:
    """Dossiers received in ``[start, end)`` by the agencies ``unit_ids``."""
    qs = Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
    if unit_ids is not None:
        qs = qs.filter(receiving_agency_id__in=list(unit_ids))
    return qs


def _e_result() -> Exists:
    return Exists(
        DossierPaper.objects.filter(dossier_id=OuterRef("pk"), is_result=True).exclude(file="")
    )


def _reused() -> Exists:
    return Exists(
        DossierPaper.objects.filter(dossier_id=OuterRef("pk"), origin__in=list(REUSED_ORIGINS))
    )


def with_index_end(qs: QuerySet[Dossier], period_end: datetime) -> QuerySet[Dossier]:
    """Annotate ``index_end`` (end of processing by the index's rule) and
    ``index_late`` (see the module's docstring)."""
    end = Least(
        Coalesce(
            F("resolved_at"),
            F("returned_at"),
            F("closed_at"),
            F("paused_at"),
            Value(period_end, output_field=DateTimeField()),
        ),
        Value(period_end, output_field=DateTimeField()),
    )
    apologised = Exists(ApologyLetter.objects.filter(dossier_id=OuterRef("pk")))
    return qs.annotate(
        index_end=ExpressionWrapper(end, output_field=DateTimeField()),
        apologised=apologised,
    )


def late_q() -> Q:
    """Late by the index's rule (on a queryset from :func:`with_index_end`)."""
    return (
        Q(due_at__isnull=False, index_end__gt=F("due_at"))
        | Q(supplement_requests__gt=1)
        | Q(apologised=True)
    )


@dataclass(frozen=True)
class DossierCounts:
    """Counts of the dossiers received in a scope and period (one procedure version,
    or all of them summed)."""

    received: int = 0
    late: int = 0
    online: int = 0
    desk: int = 0
    post: int = 0
    paper_result: int = 0
    e_result: int = 0
    digitised_and_e_result: int = 0
    reused: int = 0
    national_store: int = 0
    vneid_or_lookup: int = 0
    with_fee: int = 0
    resolved: int = 0

    def __add__(self, other: DossierCounts) -> DossierCounts:
        return DossierCounts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


_COLUMNS = [f.name for f in fields(DossierCounts) if f.name != "paper_result"]


def _scope_sql(alias: str, unit_ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    where = f"{alias}.received_at >= %s AND {alias}.received_at < %s"
    params: list[Any] = []
    if unit_ids is not None:
        ids = list(unit_ids) or [0]
        where += f" AND {alias}.receiving_agency_id IN ({', '.join(['%s'] * len(ids))})"
        params = ids
    return where, params


def version_counts(
    unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> dict[int, DossierCounts]:
    """Per procedure version, the counts of the index's dossier indicators, in one
    SQL statement that reads the period's dossiers once: papers are folded into one
    row of flags per dossier first (only digitised papers or papers with an origin),
    apology letters into one row per dossier, so no per-row subquery runs. The
    late rule is :func:`late_q`'s, written in SQL. ``paper_result`` is left 0 here
    (it depends on the procedure, see :func:`dossier_counts`)."""
    dossier = Dossier._meta.db_table
    paper = DossierPaper._meta.db_table
    apology = ApologyLetter._meta.db_table
    ops = connection.ops
    lo, hi = ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end)
    where_d, ids_d = _scope_sql("d", unit_ids)
    where_s, ids_s = _scope_sql("s", unit_ids)
    reused = ", ".join(f"'{origin}'" for origin in REUSED_ORIGINS)
    ended = "COALESCE(d.resolved_at, d.returned_at, d.closed_at, d.paused_at)"
    sql = f"""
        SELECT d.procedure_version_id,
          COUNT(*),
          SUM(CASE WHEN (d.due_at IS NOT NULL
                         AND (CASE WHEN {ended} IS NULL OR {ended} > %s THEN %s
                                   ELSE {ended} END) > d.due_at)
                     OR d.supplement_requests > 1 OR a.dossier_id IS NOT NULL
                   THEN 1 ELSE 0 END),
          SUM(CASE WHEN d.channel = {Channel.ONLINE} THEN 1 ELSE 0 END),
          SUM(CASE WHEN d.channel = {Channel.DESK} THEN 1 ELSE 0 END),
          SUM(CASE WHEN d.channel = {Channel.POST} THEN 1 ELSE 0 END),
          SUM(CASE WHEN p.e_result = 1 THEN 1 ELSE 0 END),
          SUM(CASE WHEN p.e_result = 1 AND p.digitised = 1 THEN 1 ELSE 0 END),
          SUM(CASE WHEN p.reused = 1 THEN 1 ELSE 0 END),
          SUM(CASE WHEN p.store = 1 THEN 1 ELSE 0 END),
          SUM(CASE WHEN d.applicant_vneid OR p.lookup = 1 THEN 1 ELSE 0 END),
          SUM(CASE WHEN d.fee_amount > 0 THEN 1 ELSE 0 END),
          SUM(CASE WHEN d.resolved_at IS NOT NULL THEN 1 ELSE 0 END)
        FROM {dossier} d
        LEFT JOIN (
          SELECT x.dossier_id,
            MAX(CASE WHEN x.is_result AND x.file <> '' THEN 1 ELSE 0 END) AS e_result,
            MAX(CASE WHEN NOT x.is_result AND x.file <> '' THEN 1 ELSE 0 END) AS digitised,
            MAX(CASE WHEN x.origin IN ({reused}) THEN 1 ELSE 0 END) AS reused,
            MAX(CASE WHEN x.origin = '{PaperOrigin.NATIONAL_STORE}' THEN 1 ELSE 0 END) AS store,
            MAX(CASE WHEN x.origin = '{PaperOrigin.LOOKUP}' THEN 1 ELSE 0 END) AS lookup
          FROM {paper} x
          WHERE x.is_draft = %s AND (x.file <> '' OR x.origin <> '')
            AND x.dossier_id IN (SELECT s.id FROM {dossier} s WHERE {where_s})
          GROUP BY x.dossier_id
        ) p ON p.dossier_id = d.id
        LEFT JOIN (SELECT DISTINCT dossier_id FROM {apology}) a ON a.dossier_id = d.id
        WHERE {where_d}
        GROUP BY d.procedure_version_id
    """  # noqa: S608 - table names and enum values only; every value is a parameter
    params = [hi, hi, False, lo, hi, *ids_s, lo, hi, *ids_d]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Past jit_above_cost PostgreSQL compiles this wide expression for longer
            # than it runs it (as for the one-stop statistics).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {row[0]: _row_counts(row[1:]) for row in rows}


def _row_counts(values: Sequence[Any]) -> DossierCounts:
    named = dict(zip(_COLUMNS, values, strict=True))
    return DossierCounts(**{name: int(value or 0) for name, value in named.items()})


def dossier_counts(
    unit_ids: Sequence[int] | None,
    start: datetime,
    end: datetime,
    by_version: dict[int, DossierCounts] | None = None,
) -> DossierCounts:
    """The counts summed over the procedures; ``paper_result`` and ``e_result``
    only over procedures whose result is a paper document."""
    if by_version is None:
        by_version = version_counts(unit_ids, start, end)
    paper_results = set(
        ProcedureVersion.objects.filter(pk__in=list(by_version))
        .exclude(result_type="")
        .values_list("pk", flat=True)
    )
    total = DossierCounts()
    for version_id, counts in by_version.items():
        if version_id not in paper_results:
            counts = dataclasses.replace(counts, e_result=0)
        else:
            counts = dataclasses.replace(counts, paper_result=counts.received)
        total = total + counts
    return total


def lowering_dossiers(
    unit_ids: Sequence[int] | None, start: datetime, end: datetime, kind: str, limit: int = 50
) -> list[tuple[str, str]]:
    """``(code, applicant)`` of up to ``limit`` dossiers that lower an indicator:
    ``late`` (2.1), ``not_online`` (3.3), ``no_e_result`` (4.1), ``not_reused`` (4.3)."""
    qs = with_index_end(received_in(unit_ids, start, end), end)
    if kind == "late":
        qs = qs.filter(late_q())
    elif kind == "not_online":
        qs = qs.exclude(channel=Channel.ONLINE)
    elif kind == "no_e_result":
        qs = qs.exclude(procedure_version__result_type="").annotate(e=_e_result()).filter(e=False)
    elif kind == "not_reused":
        qs = qs.annotate(r=_reused()).filter(r=False)
    else:
        raise ValueError(kind)
    return list(qs.order_by("received_at", "pk").values_list("code", "applicant_name")[:limit])


def online_versions_used(by_version: dict[int, DossierCounts]) -> set[int]:
    """Ids of procedure versions with at least one online dossier received (3.2)."""
    return {version_id for version_id, counts in by_version.items() if counts.online}


def fee_dossier_ids(
    unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> QuerySet[Dossier, Any]:
    """Dossiers received with a non-zero fee (3.6's denominator), as a subquery."""
    return received_in(unit_ids, start, end).filter(fee_amount__gt=0).values("pk")


def _local_seconds_sql(column: str, offset: int) -> str:
    """``column`` as whole seconds since 1970-01-01 00:00 local time (``offset``
    seconds east of UTC)."""
    if connection.vendor == "postgresql":
        return f"(CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT) + {int(offset)})"
    # julianday(), not strftime('%s'): a "%s" in the text would be taken for a parameter.
    return f"(CAST(ROUND((julianday({column}) - 2440587.5) * 86400) AS INTEGER) + {int(offset)})"


def _elapsed_sql(clock: str, sessions: Sequence[tuple[int, int]]) -> str:
    """Working seconds of a working day before the clock time ``clock`` (seconds
    after midnight), for the office ``sessions`` (seconds)."""
    low, high = ("GREATEST", "LEAST") if connection.vendor == "postgresql" else ("MAX", "MIN")
    parts = [f"({high}({low}({clock}, {s}), {e}) - {s})" for s, e in sessions]
    return " + ".join(parts)


def working_time_totals(
    unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> dict[int, tuple[int, float]]:
    """2.2: per procedure version, ``(completed dossiers, total working seconds
    from receipt to result ready)`` for the dossiers received in ``[start, end)``
    and completed, by the core working-day calendar (weekends, Tết and the other
    holidays, overrides, office hours).

    Working time is additive: with ``W(t)`` the working time from a fixed day to
    ``t``, a dossier's working time is ``W(resolved) − W(received)``, and ``W(t)``
    is the working time before ``t``'s local day plus, on a working day, the
    working time already elapsed that day. So SQL only groups the dossiers by
    local day and sums the clock's elapsed working time; the calendar is asked
    once per distinct day. Asia/Ho_Chi_Minh keeps one UTC offset all year (no
    summer time), which is what makes a fixed offset in SQL exact."""
    calendar = get_calendar()
    offset = int((calendar.tz.utcoffset(start) or timedelta(0)).total_seconds())
    sessions = [(s // 1_000_000, e // 1_000_000) for s, e in calendar.sessions]
    dossier = Dossier._meta.db_table
    where, ids = _scope_sql("d", unit_ids)
    ops = connection.ops
    lo, hi = ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end)
    sums: dict[int, list[float]] = {}
    anchor = timezone.localdate(start)
    day_seconds = calendar.working_day_length.total_seconds()
    before: dict[int, float] = {}

    def working_before(day_number: int) -> float:
        """Working seconds from ``anchor`` to local day ``day_number``'s midnight."""
        if day_number not in before:
            day = EPOCH + timedelta(days=day_number)
            days = (
                calendar.count_working_days(anchor, day)
                if day >= anchor
                else -calendar.count_working_days(day, anchor)
            )
            before[day_number] = days * day_seconds
        return before[day_number]

    received = _local_seconds_sql("d.received_at", offset)
    resolved = _local_seconds_sql("d.resolved_at", offset)
    # One pass: each dossier's two local days and clock times, grouped by
    # (procedure, day received, day resolved).
    sql = f"""
        SELECT v.version_id, v.r_day, v.s_day, COUNT(*),
               SUM({_elapsed_sql("v.r_local - v.r_day * 86400", sessions)}),
               SUM({_elapsed_sql("v.s_local - v.s_day * 86400", sessions)})
        FROM (
          SELECT t.version_id, t.r_local, t.s_local,
                 t.r_local / 86400 AS r_day, t.s_local / 86400 AS s_day
          FROM (
            SELECT d.procedure_version_id AS version_id,
                   {received} AS r_local, {resolved} AS s_local
            FROM {dossier} d
            WHERE {where} AND d.resolved_at IS NOT NULL
          ) t
        ) v
        GROUP BY v.version_id, v.r_day, v.s_day
    """  # noqa: S608 - table name and whole numbers only; every value is a parameter
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # as in version_counts
        cursor.execute(sql, [lo, hi, *ids])
        rows = cursor.fetchall()
    working: dict[int, bool] = {}

    def is_working(day_number: int) -> bool:
        if day_number not in working:
            working[day_number] = calendar.is_working_day(EPOCH + timedelta(days=day_number))
        return working[day_number]

    for version_id, r_day, s_day, count, r_elapsed, s_elapsed in rows:
        r_day, s_day = int(r_day), int(s_day)
        total = count * (working_before(s_day) - working_before(r_day))
        if is_working(s_day):
            total += float(s_elapsed or 0)
        if is_working(r_day):
            total -= float(r_elapsed or 0)
        entry = sums.setdefault(version_id, [0, 0.0])
        entry[0] += count
        entry[1] += total
    return {version_id: (int(n), seconds) for version_id, (n, seconds) in sums.items()}
