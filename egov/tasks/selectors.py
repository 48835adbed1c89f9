"""Reads of tasks: the lists a unit works from, counts per unit and the monthly
summary per assigning leader. Counts are made in the database (one grouped query)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from egov.core.models import Unit
from egov.core.periods import Period
from egov.core.workcalendar import get_calendar
from egov.tasks import access
from egov.tasks.models import (
    OPEN_STATUSES,
    ExtensionRequest,
    ExtensionStatus,
    Task,
    TaskNotice,
    TaskStatus,
)

DUE_SOON_WORKING_DAYS = 3


def today() -> date:
    return timezone.localdate()


def due_soon_limit(day: date) -> date:
    return get_calendar().nth_working_day_after(day, DUE_SOON_WORKING_DAYS)


def _base(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related("lead_unit", "office", "assigned_by")


def for_lead_units(user: Any) -> QuerySet[Task]:
    """Open tasks whose lead unit is one of ``user``'s units (or below)."""
    return _base(
        Task.objects.filter(status__in=OPEN_STATUSES, lead_unit__in=access.lead_units(user))
    ).order_by("due_date", "pk")


def overdue(qs: QuerySet[Task], day: date | None = None) -> QuerySet[Task]:
    return qs.filter(status=TaskStatus.IN_PROGRESS, due_date__lt=day or today())


def due_soon(qs: QuerySet[Task], day: date | None = None) -> QuerySet[Task]:
    day = day or today()
    return qs.filter(
        status=TaskStatus.IN_PROGRESS, due_date__gte=day, due_date__lte=due_soon_limit(day)
    )


def to_decide(user: Any) -> QuerySet[Task]:
    """Tasks waiting for ``user``'s decision: a completion to confirm or an extension."""
    visible = access.visible_tasks(user)
    pending = ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING).values("task_id")
    qs = visible.filter(Q(status=TaskStatus.REPORTED) | Q(pk__in=pending))
    if not user.is_superuser:
        trackers = [u.pk for u in access.offices(user)]
        qs = qs.filter(Q(assigned_by_id=user.pk) | Q(office_id__in=trackers))
    return _base(qs).order_by("due_date", "pk")


def waiting_count(user: Any) -> int | None:
    """What the dashboard shows: open tasks of my units + decisions waiting for me;
    ``None`` for a person with no part in tasks."""
    if not access._paths(user) and not access.offices(user):
        return None
    mine = for_lead_units(user).filter(status=TaskStatus.IN_PROGRESS).values("pk")
    decide = to_decide(user).values("pk")
    return Task.objects.filter(Q(pk__in=mine) | Q(pk__in=decide)).count()


def notices_for(user: Any, *, unread_only: bool = True) -> QuerySet[TaskNotice]:
    qs = TaskNotice.objects.filter(recipient=user).select_related("task")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def detail(user: Any, pk: int) -> Task | None:
    return (
        _base(access.visible_tasks(user))
        .prefetch_related("cooperating_units", "events__actor", "extensions")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class UnitCounts:
    """Tasks of one lead unit (with its subtree when counted for a scope)."""

    unit_id: int
    name: str
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    in_progress: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue + self.in_progress


def _aggregates(day: date) -> dict[str, Count]:
    done = Q(status=TaskStatus.DONE)
    return {
        "on_time": Count("pk", filter=done & Q(completion_reported_on__lte=F("due_date"))),
        "late": Count("pk", filter=done & Q(completion_reported_on__gt=F("due_date"))),
        "overdue": Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=day)),
        "in_progress": Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__gte=day)),
    }


def _in_period(period: Period | None) -> Q:
    """Tasks that matter for a period: assigned by its end and not finished before it."""
    if period is None:
        return Q()
    return Q(assigned_on__lte=period.end) & (
        Q(completed_on__isnull=True) | Q(completed_on__gte=period.start)
    )


def _counts(condition: Q, period: Period | None, day: date | None) -> list[UnitCounts]:
    day = day or today()
    rows: Any = (
        Task.objects.filter(condition)
        .exclude(status=TaskStatus.CANCELLED)
        .filter(_in_period(period))
        .values("lead_unit_id", "lead_unit__name")
        .annotate(**_aggregates(day))
        .order_by("lead_unit__path")
    )
    return [
        UnitCounts(
            r["lead_unit_id"],
            r["lead_unit__name"],
            r["on_time"],
            r["late"],
            r["overdue"],
            r["in_progress"],
        )
        for r in rows
    ]


def counts_by_unit(
    scope: Unit, period: Period | None = None, day: date | None = None
) -> list[UnitCounts]:
    """Counts per lead unit in ``scope``'s subtree (units with tasks only)."""
    return _counts(Q(lead_unit__path__startswith=scope.path), period, day)


def counts_for_offices(
    offices: Iterable[Unit], period: Period | None = None, day: date | None = None
) -> list[UnitCounts]:
    """Counts per lead unit of the tasks ``offices`` track (what they assigned)."""
    condition = Q(pk__in=[])
    for office in offices:
        condition |= Q(office__path__startswith=office.path)
    return _counts(condition, period, day)


def totals(scope: Unit, period: Period | None = None, day: date | None = None) -> UnitCounts:
    day = day or today()
    row = (
        Task.objects.filter(lead_unit__path__startswith=scope.path)
        .exclude(status=TaskStatus.CANCELLED)
        .filter(_in_period(period))
        .aggregate(**_aggregates(day))
    )
    return UnitCounts(scope.pk, scope.name, *(row[k] or 0 for k in _aggregates(day)))


@dataclass(frozen=True)
class LeaderMonth:
    leader_id: int
    leader_name: str
    assigned: int
    done_on_time: int
    done_late: int
    open_overdue: int
    open_in_time: int


def monthly_summary(offices: Iterable[Unit], year: int, month: int) -> list[LeaderMonth]:
    """Per assigning leader: tasks assigned in the month and where they stand now."""
    from egov.core.periods import calendar_month

    period = calendar_month(year, month)
    day = today()
    done = Q(status=TaskStatus.DONE)
    condition = Q()
    for office in offices:
        condition |= Q(office__path__startswith=office.path)
    if not condition:
        return []
    rows = (
        Task.objects.filter(condition, assigned_on__gte=period.start, assigned_on__lte=period.end)
        .exclude(status=TaskStatus.CANCELLED)
        .values("assigned_by_id", "assigned_by__full_name")
        .annotate(
            assigned=Count("pk"),
            done_on_time=Count("pk", filter=done & Q(completion_reported_on__lte=F("due_date"))),
            done_late=Count("pk", filter=done & Q(completion_reported_on__gt=F("due_date"))),
            open_overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=day)),
            open_in_time=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__gte=day)),
        )
        .order_by("assigned_by__full_name")
    )
    return [
        LeaderMonth(
            r["assigned_by_id"],
            r["assigned_by__full_name"],
            r["assigned"],
            r["done_on_time"],
            r["done_late"],
            r["open_overdue"],
            r["open_in_time"],
        )
        for r in rows
    ]


def lead_unit_choices(office: Unit) -> QuerySet[Unit]:
    """Units a task can be given to: any active unit (departments, districts, communes)
    except one-stop desks."""
    return Unit.objects.filter(dissolved_at__isnull=True, is_one_stop=False).order_by("path")


def finished_in(scope: Unit, period: Period) -> tuple[int, int]:
    """(on time, late) of the tasks of ``scope``'s subtree confirmed done in ``period``."""
    done = Q(status=TaskStatus.DONE)
    row = Task.objects.filter(
        done,
        lead_unit__path__startswith=scope.path,
        completed_on__gte=period.start,
        completed_on__lte=period.end,
    ).aggregate(
        on_time=Count("pk", filter=Q(completion_reported_on__lte=F("due_date"))),
        late=Count("pk", filter=Q(completion_reported_on__gt=F("due_date"))),
    )
    return row["on_time"] or 0, row["late"] or 0
