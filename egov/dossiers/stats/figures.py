"""Statistics of one-stop dossiers (thống kê tình hình giải quyết hồ sơ TTHC).

The buckets follow the national one-stop reporting practice (the report on
receiving and resolving administrative dossiers that every agency sends up each
period: received — carried over and new, by channel —, resolved — early, on
time, late —, in progress — within time, overdue —, plus returned, withdrawn,
refused and stopped).

Scope
-----
For a unit, the dossiers whose **receiving agency** is the unit or lies below it
in the organisation tree (dissolved units included, so history stays counted).
When the unit is itself a one-stop desk (an internal unit flagged
``is_one_stop``, e.g. "Bộ phận Tiếp nhận và Trả kết quả"), the dossiers that desk
received (its ``receiving_unit``): a desk belongs to its agency, but the clerks
who work there see the figures of their own counter. Optionally narrowed to one
field (``procedure_version.field``) and/or one procedure
(``procedure_version.procedure``, any version).

Period
------
``start`` and ``end`` are local dates (Asia/Ho_Chi_Minh), both included: the
period runs from ``start`` 00:00 to the midnight after ``end`` (half-open). The
*end moment* of the in-progress figures is that midnight, or now when the period
has not ended yet (a dossier cannot be overdue in the future). The reporting
period of Nghị định 09/2019/NĐ-CP (15th of the previous month to the 14th) is
simply such a pair of dates: :func:`cutoff_month` and friends build them.

Buckets (each dossier is counted from its timestamps, never from the history):

``carried_over``
    received before the start and still open at the start: not resolved and not
    closed (``resolved_at`` and ``closed_at`` empty or at/after the start).
``new``, ``new_desk`` / ``new_online`` / ``new_post``
    received in the period (``received_at`` in it), split by channel 1 / 2 / 3.
    ``received`` = ``carried_over`` + ``new``. A submission refused at the desk
    (status 3) was never received: it has no ``received_at`` and appears only under
    ``refused``.
``resolved_early`` / ``resolved_on_time`` / ``resolved_late``
    result ready in the period (``resolved_at`` in it; statuses 9 and 10), compared
    with the appointment ``due_at`` as ``services.timeliness_of`` does: *early* when
    ready on a local day before the due day; *on time* when ready on the due day,
    not after ``due_at`` (or when the dossier has no due date); *late* when ready
    after ``due_at``. ``due_at`` already includes the time the clock stood still for
    a supplement or fees. A dossier that was given an apology letter (form 04) is
    *late* whatever its new appointment: the letter moved ``due_at`` because the
    first appointment was going to be missed, and the national practice counts such
    dossiers as late.
``in_progress_not_due`` / ``in_progress_overdue``
    received before the end moment and neither resolved nor closed by then.
    *Overdue* when ``due_at`` is before the end moment while the clock was running,
    or when an apology letter had already replaced an appointment that fell before
    the end moment. A dossier whose clock stopped (``paused_at`` set, before the end
    moment) for a supplement or fees is waiting for the applicant: not yet due.
    These figures read today's columns: for a past end moment they are exact for
    dossiers closed since, and as good as the current pause/appointment for the
    others.
``returned``
    status 10 and the result handed back in the period (``returned_at``).
``withdrawn`` / ``refused`` / ``stopped``
    status 7 / 3 / 8 and ``closed_at`` in the period.
``online_share``
    ``new_online / new`` (``None`` when nothing new).
``on_time_share``
    ``(early + on time) / resolved`` (``None`` when nothing resolved).
``satisfaction`` (on the result, not per row)
    the applicants' ratings of dossiers received in the subtree and rated in the
    period (given by the provider the feedback app registers, see
    :func:`register_satisfaction_provider`); ``None`` when a
    field or procedure filter is set, since ratings are counted per agency.

Balance: ``received`` = resolved + in progress + withdrawn + stopped (+ the few
received dossiers later refused, if the services ever revoke an acceptance).

Speed
-----
One aggregate SQL query per call, whatever the grouping: conditional counts
(``COUNT(…) FILTER (WHERE …)``) grouped by channel, status and, when asked, the
receiving agency (or desk) or the procedure version; the few thousand rows that
come back are folded into children, fields or procedures in Python (never one row
per dossier). Plus two small reads of the unit tree and, for fields and
procedures, one of the catalogue.

* A unit below the top is filtered by the ids of its subtree, so PostgreSQL
  reads a commune's or a district's dossiers through the
  ``(receiving_agency, received_at)`` index; the whole tree needs no filter.
* The province over a year is one parallel sequential scan: the cost is reading
  the rows (the period's columns come after the applicant's text columns), not
  the counting; see ``bench/bench_stats.py`` for figures on a million dossiers.
* PostgreSQL's JIT compiler is turned off for the query (``SET LOCAL``): past
  ``jit_above_cost`` it spends longer compiling this wide expression than
  running it.

Roll-ups
--------
That direct query reads every dossier of the period (about 1 s for a province-year
of 500,000 dossiers on a loaded 2-core machine). When the daily roll-ups are current
(:mod:`egov.dossiers.services.rollups`, kept by the background job
``dossiers.stats_rollups``), the figures are summed from them instead
(:mod:`.rollup_figures`): same buckets, same results, a few thousand rows for a
province-year. Everything comes from the roll-ups except, for a period that has
not ended, *in progress* and *overdue* at this moment: no closed day holds "now",
so those two are counted live from the dossiers open now (a partial index). The
roll-ups' figures are as current as their watermark (``StatsResult.rolled_up_at``,
shown on the page and in the API); when it is older than
:data:`ROLLUPS_STALE_AFTER` (the job stopped) the direct query answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone

from egov.accounts.permissions import Perm, has_perm_in_unit, units_with_perm
from egov.core.models import Unit, UnitLevel
from egov.core.periods import (
    Period,
    calendar_month,
    calendar_quarter,
    calendar_year,
    current_cutoff_month,
    cutoff_month,
    cutoff_quarter,
    cutoff_year,
    local_midnight,
    months_back,
    period_bounds,
)
from egov.dossiers.models import ApologyLetter, Channel, Dossier, Status, Timeliness
from egov.dossiers.services.rollups import rolled_up_at
from egov.dossiers.stats.columns import (  # noqa: F401  (re-exported: pages, Excel)
    REPORT_COLUMNS,
    Column,
    ColumnGroup,
    report_columns,
)
from egov.dossiers.stats.rollup_figures import rollup_figures
from egov.procedures.models import Procedure, ProcedureField, ProcedureVersion
from egov.procedures.text import search_key

GROUP_BY_CHOICES: tuple[str, ...] = ("agency", "field", "procedure")

#: Earliest and latest dates accepted for a period (guards datetime arithmetic).
MIN_DATE = date(1990, 1, 1)
MAX_DATE = date(2999, 12, 30)


# --- results ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """The figures of one group (or of the whole scope)."""

    carried_over: int = 0
    new: int = 0
    new_desk: int = 0
    new_online: int = 0
    new_post: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress_not_due: int = 0
    in_progress_overdue: int = 0
    returned: int = 0
    withdrawn: int = 0
    refused: int = 0
    stopped: int = 0

    @property
    def received(self) -> int:
        return self.carried_over + self.new

    @property
    def resolved(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def resolved_in_time(self) -> int:
        """Early and on time together ("đúng hạn" in the summary reports)."""
        return self.resolved_early + self.resolved_on_time

    @property
    def in_progress(self) -> int:
        return self.in_progress_not_due + self.in_progress_overdue

    @property
    def online_share(self) -> float | None:
        return self.new_online / self.new if self.new else None

    @property
    def on_time_share(self) -> float | None:
        return self.resolved_in_time / self.resolved if self.resolved else None

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in COUNT_FIELDS)

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{name: getattr(self, name) + getattr(other, name) for name in COUNT_FIELDS})

    def as_dict(self) -> dict[str, Any]:
        """Every stored and derived figure, for JSON and templates."""
        data: dict[str, Any] = {name: getattr(self, name) for name in COUNT_FIELDS}
        for name in DERIVED_FIELDS:
            data[name] = getattr(self, name)
        return data


COUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Counts))
DERIVED_FIELDS: tuple[str, ...] = (
    "received",
    "resolved",
    "resolved_in_time",
    "in_progress",
    "online_share",
    "on_time_share",
)


def sum_counts(items: Iterable[Counts]) -> Counts:
    total = Counts()
    for item in items:
        total = total + item
    return total


@dataclass(frozen=True, slots=True)
class StatsRow:
    """One line of a grouped table: a unit (with its subtree), a field or a procedure.

    ``key`` is the unit's identifier code, the field's code or the procedure's
    national code. ``is_self`` marks the line of dossiers received by the chosen
    unit itself, not by one of its children.
    """

    kind: str
    key: str
    name: str
    counts: Counts
    pk: int | None = None
    is_self: bool = False


@dataclass(frozen=True, slots=True)
class StatsResult:
    unit: Unit
    start: date
    end: date
    starts_at: datetime
    ends_at: datetime
    as_of: datetime
    field: ProcedureField | None
    procedure: Procedure | None
    group_by: str | None
    by_desk: bool
    totals: Counts
    rows: list[StatsRow] = dataclasses.field(default_factory=list)
    satisfaction: dict[str, Any] | None = None
    #: Figures read from the roll-ups: every change before this moment is counted
    #: (``None``: read from the dossier table, current).
    rolled_up_at: datetime | None = None


# --- quick periods ------------------------------------------------------------------


def quick_periods(today: date) -> dict[str, list[tuple[str, Period]]]:
    """The quick choices of the statistics page: ``{"calendar": [...], "cutoff": [...]}``,
    each a list of ``(slot, period)`` with slot ``this_month``, ``last_month``,
    ``this_quarter``, ``last_quarter``, ``this_year``, ``last_year``."""
    quarter = (today.month - 1) // 3 + 1
    last_month = months_back(today.year, today.month, 1)
    last_quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    calendar = [
        ("this_month", calendar_month(today.year, today.month)),
        ("last_month", calendar_month(*last_month)),
        ("this_quarter", calendar_quarter(today.year, quarter)),
        ("last_quarter", calendar_quarter(*last_quarter)),
        ("this_year", calendar_year(today.year)),
        ("last_year", calendar_year(today.year - 1)),
    ]
    this_cut = current_cutoff_month(today)
    previous_cut = cutoff_month(*months_back(this_cut.year, this_cut.number, 1))
    # The reporting month containing today names the reporting quarter and year too.
    cut_quarter = cutoff_quarter(this_cut.year, (this_cut.number - 1) // 3 + 1)
    cut_year = cutoff_year(this_cut.year)
    previous_quarter = (
        cutoff_quarter(cut_quarter.year, cut_quarter.number - 1)
        if cut_quarter.number > 1
        else cutoff_quarter(cut_quarter.year - 1, 4)
    )
    cutoff = [
        ("this_month", this_cut),
        ("last_month", previous_cut),
        ("this_quarter", cut_quarter),
        ("last_quarter", previous_quarter),
        ("this_year", cut_year),
        ("last_year", cutoff_year(cut_year.year - 1)),
    ]
    return {"calendar": calendar, "cutoff": cutoff}


# --- scope -----------------------------------------------------------------------


def is_desk(unit: Unit) -> bool:
    """A one-stop desk: an internal unit that receives for its agency."""
    return bool(unit.is_one_stop and unit.level == UnitLevel.INTERNAL)


@dataclass(frozen=True, slots=True)
class _UnitInfo:
    pk: int
    path: str
    depth: int
    code: str
    name: str
    level: str
    dissolved: bool


def _subtree(unit: Unit) -> list[_UnitInfo]:
    """``unit`` and every unit below it, dissolved ones included (what they received
    belongs to the period's history), in tree order."""
    rows = (
        Unit.objects.filter(path__startswith=unit.path)
        .order_by("path")
        .values_list("pk", "path", "depth", "code", "name", "level", "dissolved_at")
    )
    return [
        _UnitInfo(pk, path, depth, code, name, level, dissolved is not None)
        for pk, path, depth, code, name, level, dissolved in rows
    ]


@dataclass(frozen=True, slots=True)
class _Scope:
    column: str  # the column that places a dossier in the tree
    unit_ids: list[int] | None  # None: the whole tree, no filter
    versions: QuerySet[ProcedureVersion, Any] | None  # None: every procedure

    def dossiers(self) -> QuerySet[Dossier]:
        qs = Dossier.objects.all()
        if self.unit_ids is not None:
            qs = qs.filter(**{f"{self.column}__in": self.unit_ids})
        if self.versions is not None:
            qs = qs.filter(procedure_version_id__in=self.versions)
        return qs


def _scope(
    unit: Unit,
    subtree: list[_UnitInfo],
    field: ProcedureField | None,
    procedure: Procedure | None,
) -> _Scope:
    """What is in scope: the subtree's units and the procedure versions."""
    column = "receiving_unit_id" if is_desk(unit) else "receiving_agency_id"
    unit_ids = None
    # The ids themselves, not a subquery: PostgreSQL then knows how many dossiers a
    # commune has and reads them through the index instead of the whole table. When
    # the subtree is the whole tree (a single-province deployment), no filter at all.
    if unit.depth > 1 or len(subtree) < Unit.objects.count():
        unit_ids = [info.pk for info in subtree]
    if field is None and procedure is None:
        return _Scope(column, unit_ids, None)
    versions = ProcedureVersion.objects.all()
    if field is not None:
        versions = versions.filter(field=field)
    if procedure is not None:
        versions = versions.filter(procedure=procedure)
    # A subquery on the small catalogue table instead of a join on the big one.
    return _Scope(column, unit_ids, versions.values("pk"))


def _open_at(moment: datetime, *, received_first: bool = True) -> Q:
    """Received before ``moment`` and neither resolved nor closed by then. Conditions
    are evaluated left to right and stop at the first false one: put first the one
    most rows fail."""
    received = Q(received_at__lt=moment)
    still_open = (Q(resolved_at__isnull=True) | Q(resolved_at__gte=moment)) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=moment)
    )
    return received & still_open if received_first else still_open & received


def _aggregates(starts_at: datetime, ends_at: datetime, as_of: datetime) -> dict[str, Count]:
    """The conditional counts, per channel and status (grouping by those two columns
    replaces six filtered counts). Every condition is evaluated on each row of the
    period, so the list is kept short: late is ``resolved - in_time``, on time
    ``in_time - early``, not yet due ``in_progress - overdue``."""
    tz = ZoneInfo(settings.TIME_ZONE)
    resolved = Q(resolved_at__gte=starts_at, resolved_at__lt=ends_at)
    # A dossier whose appointment was moved by an apology letter (form 04) was late
    # against the appointment the applicant was first given: it counts as late (or
    # overdue) whatever the new date. One uncorrelated subquery each: PostgreSQL
    # hashes it once instead of probing an index per row.
    apologised = Q(pk__in=ApologyLetter.objects.values("dossier_id"))
    in_time = resolved & (Q(due_at__isnull=True) | Q(resolved_at__lte=F("due_at"))) & ~apologised
    # Early: ready before the due day. The services record it when the result is
    # ready (``timeliness``, same rule): a cheap comparison; rows without it (written
    # by other means) are recomputed from the local dates.
    early_day = Q(timeliness=Timeliness.EARLY) | (
        Q(timeliness="")
        & Q(due_at__isnull=False)
        & Q(LessThan(TruncDate("resolved_at", tzinfo=tz), TruncDate("due_at", tzinfo=tz)))
    )
    in_progress = _open_at(as_of, received_first=False)
    overdue = in_progress & _overdue_if_open(as_of)
    return {
        "carried_over": Count("pk", filter=_open_at(starts_at)),
        "new": Count("pk", filter=Q(received_at__gte=starts_at, received_at__lt=ends_at)),
        "resolved": Count("pk", filter=resolved),
        "resolved_in_time": Count("pk", filter=in_time),
        "resolved_early": Count("pk", filter=resolved & early_day & ~apologised),
        "in_progress": Count("pk", filter=in_progress),
        "in_progress_overdue": Count("pk", filter=overdue),
        "returned": Count("pk", filter=Q(returned_at__gte=starts_at, returned_at__lt=ends_at)),
        "closed": Count("pk", filter=Q(closed_at__gte=starts_at, closed_at__lt=ends_at)),
    }


def _overdue_if_open(as_of: datetime) -> Q:
    """Overdue at ``as_of``, for a dossier open then: the appointment passed while the
    clock was running, or an apology letter replaced one that fell before."""
    missed_by_end = Q(
        pk__in=ApologyLetter.objects.filter(previous_due_at__lt=as_of).values("dossier_id")
    )
    clock_running = Q(paused_at__isnull=True) | Q(paused_at__gte=as_of)
    return (Q(due_at__lt=as_of) & clock_running) | missed_by_end


def _relevant(starts_at: datetime, ends_at: datetime) -> Q:
    """Rows that can fall in some bucket: prunes dossiers closed before the period
    and dossiers received after it."""
    return (Q(closed_at__isnull=True) | Q(closed_at__gte=starts_at)) & (
        Q(received_at__lt=ends_at) | Q(received_at__isnull=True, closed_at__lt=ends_at)
    )


_CHANNEL_FIELD = {Channel.DESK: "new_desk", Channel.ONLINE: "new_online", Channel.POST: "new_post"}
_CLOSED_FIELD = {
    Status.WITHDRAWN: "withdrawn",
    Status.REFUSED: "refused",
    Status.STOPPED: "stopped",
}


def _counts(row: Mapping[str, Any]) -> Counts:
    """Counts of one (group, channel, status) row of the aggregate query: early is a
    subset of in time, overdue of in progress; the channel places the new dossiers,
    the status the returned and closed ones."""
    in_time = int(row["resolved_in_time"])
    early = int(row["resolved_early"])
    in_progress = int(row["in_progress"])
    overdue = int(row["in_progress_overdue"])
    new = int(row["new"])
    extra: dict[str, int] = {}
    channel_field = _CHANNEL_FIELD.get(row["channel"])
    if channel_field:
        extra[channel_field] = new
    if row["status"] == Status.RETURNED:
        extra["returned"] = int(row["returned"])
    closed_field = _CLOSED_FIELD.get(row["status"])
    if closed_field:
        extra[closed_field] = int(row["closed"])
    return Counts(
        carried_over=int(row["carried_over"]),
        new=new,
        resolved_early=early,
        resolved_on_time=in_time - early,
        resolved_late=int(row["resolved"]) - in_time,
        in_progress_not_due=in_progress - overdue,
        in_progress_overdue=overdue,
        **extra,
    )


def _fold(rows: Iterable[Mapping[str, Any]], key: str | None) -> dict[Any, Counts]:
    """Sum the (channel, status) rows of each group."""
    folded: dict[Any, Counts] = {}
    for row in rows:
        group = row[key] if key else None
        counts = _counts(row)
        folded[group] = folded[group] + counts if group in folded else counts
    return folded


def _run(qs: QuerySet[Dossier, dict[str, Any]]) -> list[dict[str, Any]]:
    """Evaluate the aggregate. On PostgreSQL, without JIT compilation: the query is
    large and its cost estimate grows with the table, and past ``jit_above_cost``
    compiling it takes longer (0.5 s measured) than running it."""
    if connection.vendor != "postgresql":
        return list(qs)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        return list(qs)


def dossier_statistics(
    unit: Unit,
    start: date,
    end: date,
    *,
    field: ProcedureField | None = None,
    procedure: Procedure | None = None,
    group_by: str | None = "agency",
    now: datetime | None = None,
    source: str = "auto",
) -> StatsResult:
    """Figures of the dossiers in ``unit``'s scope for the period ``start``–``end``
    (local dates, both included), optionally narrowed to a field and/or procedure
    and grouped by ``"agency"`` (direct children of ``unit``, each with its subtree),
    ``"field"``, ``"procedure"`` or not at all (``None``).

    Permission-free: pages and the API decide who may see which unit.
    ``now`` fixes the present (tests); by default the current time.

    ``source``: ``"rollups"`` reads the daily roll-ups (:mod:`.rollup_figures`),
    ``"direct"`` the dossier table; ``"auto"`` the roll-ups when they are current
    (their watermark less than :data:`ROLLUPS_STALE_AFTER` old), else the table.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    if end < start:
        raise ValueError("end must not be before start")
    if group_by is not None and group_by not in GROUP_BY_CHOICES:
        raise ValueError(f"unknown grouping {group_by!r}")
    starts_at, ends_at = period_bounds(start, end)
    as_of = min(ends_at, now or timezone.now())
    subtree = _subtree(unit)
    scope = _scope(unit, subtree, field, procedure)
    key = {None: None, "agency": scope.column}.get(group_by, "procedure_version_id")
    rolled_at = _rollups_watermark(source)
    if rolled_at is not None:
        grouped = _from_rollups(scope, key, start, end, as_of, ends_at)
    else:
        qs = scope.dossiers().filter(_relevant(starts_at, ends_at)).order_by()
        aggregates = _aggregates(starts_at, ends_at, as_of)
        columns = [key, "channel", "status"] if key else ["channel", "status"]
        grouped = _fold(_run(qs.values(*columns).annotate(**aggregates)), key)
    totals = sum_counts(grouped.values())
    rows: list[StatsRow] = []
    if group_by == "agency":
        rows = _agency_rows(unit, subtree, grouped)
    elif group_by is not None:
        rows = _catalogue_rows(group_by, grouped)
    return StatsResult(
        unit=unit,
        start=start,
        end=end,
        starts_at=starts_at,
        ends_at=ends_at,
        as_of=as_of,
        field=field,
        procedure=procedure,
        group_by=group_by,
        by_desk=is_desk(unit),
        totals=totals,
        rows=rows,
        satisfaction=_satisfaction(subtree, start, end, field, procedure),
        rolled_up_at=rolled_at,
    )


SOURCES: tuple[str, ...] = ("auto", "rollups", "direct")

#: ``source="auto"`` reads the dossier table when the roll-ups' watermark is older
#: than this (the background runner stopped): slower, never stale.
ROLLUPS_STALE_AFTER = timedelta(minutes=15)


def _rollups_watermark(source: str) -> datetime | None:
    """The roll-ups' watermark when the figures are to be read from them."""
    if source == "direct":
        return None
    mark = rolled_up_at()
    if source == "rollups":
        if mark is None:
            raise ValueError("the statistics roll-ups have not been built")
        return mark
    if mark is None or timezone.now() - mark > ROLLUPS_STALE_AFTER:
        return None
    return mark


def _from_rollups(
    scope: _Scope, key: str | None, start: date, end: date, as_of: datetime, ends_at: datetime
) -> dict[Any, Counts]:
    """The groups' figures from the roll-ups. When the period has not ended, the
    dossiers in progress (and overdue) now come from a live query on the dossiers
    open now: no closed day holds them."""
    ended = as_of >= ends_at
    figures = rollup_figures(
        start=start,
        end=end,
        ended=ended,
        column=scope.column,
        unit_ids=scope.unit_ids,
        version_ids=scope.versions,
        key=key,
    )
    grouped = {group: Counts(**values) for group, values in figures.items()}
    if ended:
        return grouped
    live = (
        scope.dossiers()
        # The same pruning as the direct query (it matters only for a period that
        # starts after now: dossiers closed before its start are left out).
        .filter(_open_at(as_of), _relevant(local_midnight(start), ends_at))
        # Implied by the line above; spelled out so that PostgreSQL reads the open
        # dossiers through their partial index (and the two timestamps' indexes).
        .filter(
            Q(resolved_at__isnull=True, closed_at__isnull=True)
            | Q(resolved_at__gte=as_of)
            | Q(closed_at__gte=as_of)
        )
        .order_by()
        .values(*([key] if key else []))
        .annotate(
            in_progress=Count("pk"),
            in_progress_overdue=Count("pk", filter=_overdue_if_open(as_of)),
        )
    )
    for row in _run(live):
        group = row[key] if key else None
        overdue = int(row["in_progress_overdue"])
        counts = Counts(
            in_progress_overdue=overdue, in_progress_not_due=int(row["in_progress"]) - overdue
        )
        grouped[group] = grouped[group] + counts if group in grouped else counts
    return grouped


#: Who answers "how satisfied were the applicants" (the feedback app, which builds
#: on this one, registers itself from its ``AppConfig.ready``): called with the
#: unit ids of the subtree and the period's first and last dates.
SatisfactionProvider = Callable[[list[int], date, date], dict[str, Any] | None]
_satisfaction_provider: list[SatisfactionProvider] = []


def register_satisfaction_provider(provider: SatisfactionProvider | None) -> None:
    """Have ``provider`` give the statistics' satisfaction figures (``None``: none)."""
    _satisfaction_provider[:] = [provider] if provider is not None else []


def _satisfaction(
    subtree: list[_UnitInfo],
    start: date,
    end: date,
    field: ProcedureField | None,
    procedure: Procedure | None,
) -> dict[str, Any] | None:
    if field is not None or procedure is not None or not _satisfaction_provider:
        return None
    return _satisfaction_provider[0]([info.pk for info in subtree], start, end)


def _agency_rows(
    unit: Unit, subtree: list[_UnitInfo], grouped: Mapping[int, Counts]
) -> list[StatsRow]:
    """Fold counts per receiving unit into the direct children of ``unit``."""
    child_length = len(unit.path) + Unit.steplen
    path_of = {info.pk: info.path for info in subtree}
    by_path: dict[str, Counts] = {}
    own = Counts()
    for pk, counts in grouped.items():
        path = path_of.get(pk, "")
        if len(path) < child_length:
            own = own + counts  # received by the chosen unit itself
        else:
            prefix = path[:child_length]
            by_path[prefix] = by_path.get(prefix, Counts()) + counts
    rows: list[StatsRow] = []
    if not own.is_empty:
        rows.append(StatsRow("unit", unit.code, unit.name, own, pk=unit.pk, is_self=True))
    for child in subtree:
        if child.depth != unit.depth + 1:
            continue
        counts = by_path.get(child.path, Counts())
        # Internal units (divisions, desks) and dissolved units only show when they
        # have figures; agencies always do, so a quiet commune is seen as quiet.
        hidden = child.level == UnitLevel.INTERNAL or child.dissolved
        if hidden and counts.is_empty:
            continue
        rows.append(StatsRow("unit", child.code, child.name, counts, pk=child.pk))
    return rows


def fold_name(text: str) -> str:
    """Sort key for Vietnamese names: without tone marks, đ as d, case-insensitive."""
    return search_key(text)


def _catalogue_rows(group_by: str, grouped: Mapping[int, Counts]) -> list[StatsRow]:
    # A procedure with no figure in the period has no line. (Whether it came back as
    # a group of zeros depends on how the figures were read: the dossier table's
    # pruning and the roll-ups' stock changes that cancel out do not agree on it.)
    grouped = {pk: counts for pk, counts in grouped.items() if not counts.is_empty}
    versions = ProcedureVersion.objects.filter(pk__in=list(grouped)).select_related(
        "field", "procedure"
    )
    acc: dict[int, Counts] = {}
    meta: dict[int, tuple[str, str, int]] = {}  # group pk -> (key, name, version number)
    for version in versions:
        counts = grouped[version.pk]
        if group_by == "field":
            pk, key, name, number = version.field_id, version.field.code, version.field.name, 0
        else:
            pk = version.procedure_id
            key, name, number = version.procedure.national_code, version.name, version.number
        acc[pk] = acc.get(pk, Counts()) + counts
        # A procedure is named after the newest version that has dossiers here.
        if pk not in meta or number > meta[pk][2]:
            meta[pk] = (key, name, number)
    rows = [
        StatsRow(group_by, meta[pk][0], meta[pk][1], counts, pk=pk) for pk, counts in acc.items()
    ]
    if group_by == "field":
        rows.sort(key=lambda row: fold_name(row.name))
    else:
        rows.sort(key=lambda row: row.key)
    return rows


# --- who may see which unit (pages and the API check; the selector does not) ------------

#: Holding any of these in a unit (or above it) shows that unit's statistics: the
#: people who work on dossiers there, those who may read its audit log (leaders,
#: agency administrators) and the platform's operators.
STATISTICS_PERMS: tuple[str, ...] = (
    Perm.RECEIVE_DOSSIERS,
    Perm.PROCESS_DOSSIERS,
    Perm.APPROVE_DOSSIERS,
    Perm.RETURN_RESULTS,
    Perm.VIEW_AUDIT,
    Perm.OPERATE_PLATFORM,
)


def may_view_statistics(user: Any, unit: Unit) -> bool:
    """Whether ``user`` may see the statistics of ``unit`` (and so of its subtree)."""
    return any(has_perm_in_unit(user, perm, unit) for perm in STATISTICS_PERMS)


def can_view_statistics(user: Any) -> bool:
    """Whether to offer the statistics page to ``user`` at all (e.g. in the menu)."""
    return any(has_perm_in_unit(user, perm, None) for perm in STATISTICS_PERMS)


def statistics_units(user: Any) -> list[Unit]:
    """The units whose statistics ``user`` may see and that have figures of their
    own: agencies, and one-stop desks; not the internal divisions, whose dossiers
    are counted under their agency. Active units, in tree order."""
    allowed = Unit.objects.none()
    for perm in STATISTICS_PERMS:
        allowed = allowed | units_with_perm(user, perm)
    return list(
        allowed.filter(dissolved_at__isnull=True)
        .exclude(level=UnitLevel.INTERNAL, is_one_stop=False)
        .distinct()
        .order_by("path")
    )
