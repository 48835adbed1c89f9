"""Reads of dossiers for worklists, dossier pages and the API.

Worklists (:func:`queue_for`) are scoped by the person's roles: which dossiers a
queue kind holds, and where the person must hold which permission for them, is the
table of :mod:`egov.dossiers.worklists`.
Every queue row is annotated with ``is_overdue`` and ``is_due_soon``; "soon" is
measured in working time (default: within the next 8 working hours, one day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.db.models import BooleanField, Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from egov.accounts.permissions import Perm, has_perm_in_unit, units_with_perm
from egov.core.models import Unit
from egov.core.workcalendar import get_calendar
from egov.dossiers import worklists
from egov.dossiers.models import ApologyLetter, Dossier, DossierEvent, Status

QueueKind = Literal["receive", "process", "approve", "return"]
QUEUE_KINDS: tuple[str, ...] = worklists.KINDS
DUE_SOON_WORKING_HOURS = 8

#: Statuses in which the clock runs.
RUNNING_STATUSES = (Status.RECEIVED, Status.PROCESSING)
_DOSSIER_PERMS = (
    Perm.RECEIVE_DOSSIERS,
    Perm.PROCESS_DOSSIERS,
    Perm.APPROVE_DOSSIERS,
    Perm.RETURN_RESULTS,
)


@dataclass(frozen=True)
class QueueFilters:
    """Optional narrowing of a worklist."""

    status: int | None = None
    procedure: str | None = None  # national code, e.g. "1.001193"
    overdue: bool | None = None
    due_soon: bool | None = None
    due_before: datetime | None = None
    search: str | None = None  # start of the dossier code, or part of the applicant's name


def due_soon_limit(now: datetime, within_working_hours: float = DUE_SOON_WORKING_HOURS) -> datetime:
    """The instant ``within_working_hours`` of working time after ``now``."""
    return get_calendar().add_working_hours(now, within_working_hours)


def overdue_q(now: datetime) -> Q:
    """Running and past the appointment, or stopped (5, 6) while already late."""
    running = Q(status__in=RUNNING_STATUSES, paused_at__isnull=True, due_at__isnull=False)
    return (running & Q(due_at__lt=now)) | Q(paused_at__isnull=False, remaining_seconds__lt=0)


def due_soon_q(now: datetime, within_working_hours: float = DUE_SOON_WORKING_HOURS) -> Q:
    """Running, not yet late, appointment within ``within_working_hours`` of working time."""
    return Q(
        status__in=RUNNING_STATUSES,
        paused_at__isnull=True,
        due_at__gte=now,
        due_at__lte=due_soon_limit(now, within_working_hours),
    )


def with_flags(
    qs: QuerySet[Dossier],
    now: datetime | None = None,
    within_working_hours: float = DUE_SOON_WORKING_HOURS,
) -> QuerySet[Dossier]:
    """Annotate ``is_overdue`` (:func:`overdue_q`) and ``is_due_soon``
    (:func:`due_soon_q`) on each row."""
    now = now or timezone.now()
    return qs.annotate(
        is_overdue=Case(
            When(overdue_q(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_due_soon=Case(
            When(due_soon_q(now, within_working_hours), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def filter_flags(
    qs: QuerySet[Dossier],
    now: datetime,
    *,
    overdue: bool | None = None,
    due_soon: bool | None = None,
) -> QuerySet[Dossier]:
    """Keep the rows that are (``True``) or are not (``False``) overdue / due soon."""
    if overdue is not None:
        qs = qs.filter(overdue_q(now)) if overdue else qs.exclude(overdue_q(now))
    if due_soon is not None:
        qs = qs.filter(due_soon_q(now)) if due_soon else qs.exclude(due_soon_q(now))
    return qs


def _in_units(units: Iterable[Unit] | QuerySet[Unit]) -> Q:
    return Q(current_unit__in=units)


def _queue_base(user: Any, kind: str) -> QuerySet[Dossier]:
    return Dossier.objects.filter(worklists.membership(user, kind))


def most_urgent_first(qs: QuerySet[Dossier], now: datetime) -> QuerySet[Dossier]:
    """Overdue dossiers first (:func:`overdue_q`), then by appointment, soonest
    first, dossiers without one (not received yet) last; the code breaks ties."""
    return qs.alias(
        overdue_rank=Case(
            When(overdue_q(now), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("overdue_rank", F("due_at").asc(nulls_last=True), "code")


def queue_for(
    user: Any,
    kind: QueueKind | str,
    filters: QueueFilters | None = None,
    *,
    now: datetime | None = None,
) -> QuerySet[Dossier]:
    """The dossiers waiting for ``user`` in one worklist (:mod:`.worklists`), most
    urgent first (:func:`most_urgent_first`), with ``is_overdue``/``is_due_soon``
    annotations."""
    now = now or timezone.now()
    filters = filters or QueueFilters()
    qs = _queue_base(user, kind)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    if filters.procedure:
        qs = qs.filter(procedure_version__procedure__national_code=filters.procedure.strip())
    if filters.due_before is not None:
        qs = qs.filter(due_at__lt=filters.due_before)
    if filters.search:
        term = filters.search.strip()
        qs = qs.filter(Q(code__istartswith=term) | Q(applicant_name__icontains=term))
    qs = filter_flags(qs, now, overdue=filters.overdue, due_soon=filters.due_soon)
    return most_urgent_first(
        with_flags(qs, now).select_related(
            "procedure_version__procedure",
            "receiving_agency",
            "receiving_unit",
            "current_unit",
            "current_assignee",
            "current_step",
        ),
        now,
    )


def holding_units(qs: QuerySet[Dossier], limit: int = 2) -> list[Unit]:
    """Up to ``limit`` distinct units holding the dossiers of ``qs``: a list whose rows
    all sit in one unit need not say so on every row."""
    ids = list(qs.order_by().values_list("current_unit", flat=True).distinct()[:limit])
    found = {unit.pk: unit for unit in Unit.objects.filter(pk__in=[i for i in ids if i])}
    return [found[i] for i in ids if i in found]


def due_soon(
    units: Iterable[Unit] | QuerySet[Unit],
    within_working_hours: float = DUE_SOON_WORKING_HOURS,
    now: datetime | None = None,
) -> QuerySet[Dossier]:
    """Running dossiers in ``units`` due within the next working hours (not yet late)."""
    now = now or timezone.now()
    return (
        Dossier.objects.filter(
            _in_units(units),
            status__in=RUNNING_STATUSES,
            paused_at__isnull=True,
            due_at__gte=now,
            due_at__lte=due_soon_limit(now, within_working_hours),
        )
        .select_related("procedure_version__procedure", "current_unit")
        .order_by("due_at", "code")
    )


def overdue(
    units: Iterable[Unit] | QuerySet[Unit], now: datetime | None = None
) -> QuerySet[Dossier]:
    """Running dossiers in ``units`` whose appointment has passed."""
    now = now or timezone.now()
    return (
        Dossier.objects.filter(
            _in_units(units),
            status__in=RUNNING_STATUSES,
            paused_at__isnull=True,
            due_at__lt=now,
        )
        .select_related("procedure_version__procedure", "current_unit")
        .order_by("due_at", "code")
    )


def dossier_detail(code: str) -> Dossier:
    """One dossier with everything its page shows: procedure, units, papers, the
    history (events with people and units) and apology letters. Raises
    ``Dossier.DoesNotExist``."""
    events = DossierEvent.objects.select_related(
        "actor", "to_user", "from_unit", "to_unit", "step"
    ).order_by("at", "id")
    return (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "procedure_version__field",
            "receiving_agency",
            "receiving_unit",
            "current_unit",
            "current_assignee",
            "current_step",
            "consult_origin_unit",
            "applicant",
        )
        .prefetch_related(
            "papers",
            Prefetch("events", queryset=events),
            Prefetch(
                "apologies",
                queryset=ApologyLetter.objects.select_related("issued_by", "issuing_unit"),
            ),
        )
        .get(code=code.strip())
    )


def can_view(user: Any, dossier: Dossier) -> bool:
    """Staff may see a dossier their agency received, one in a unit where they
    handle dossiers, or one that passed through such a unit (liên thông)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if dossier.applicant_id is not None and user.pk == dossier.applicant_id:
        return True
    units: list[Unit] = [dossier.receiving_agency, dossier.receiving_unit]
    if dossier.current_unit is not None:
        units.append(dossier.current_unit)
    if dossier.consult_origin_unit is not None:
        units.append(dossier.consult_origin_unit)
    for unit in units:
        if any(has_perm_in_unit(user, perm, unit) for perm in _DOSSIER_PERMS):
            return True
    visited = (
        DossierEvent.objects.filter(dossier=dossier, to_unit__isnull=False)
        .exclude(to_unit__in=[u.pk for u in units])
        .values_list("to_unit", flat=True)
        .distinct()
    )
    for unit in Unit.objects.filter(pk__in=list(visited)):
        if any(has_perm_in_unit(user, perm, unit) for perm in _DOSSIER_PERMS):
            return True
    return False


def visible_dossier(user: Any, code: str) -> Dossier | None:
    """The dossier ``code`` with what its page shows, if ``user`` may see it as staff
    (:func:`can_view`); ``None`` both when it does not exist and when it is out of
    the person's scope, so pages never tell the two apart."""
    try:
        dossier = dossier_detail(code.strip())
    except Dossier.DoesNotExist:
        return None
    return dossier if can_view(user, dossier) else None


def visible_dossiers(user: Any) -> QuerySet[Dossier]:
    """Every dossier ``user`` may see as staff (received by, or now in, a unit where
    they hold a dossier permission)."""
    condition = Q(pk__in=[])
    for perm in _DOSSIER_PERMS:
        units = units_with_perm(user, perm)
        condition |= (
            Q(receiving_agency__in=units) | Q(receiving_unit__in=units) | Q(current_unit__in=units)
        )
    return Dossier.objects.filter(condition)


def flags(
    dossier: Dossier,
    now: datetime | None = None,
    within_working_hours: float = DUE_SOON_WORKING_HOURS,
) -> tuple[bool, bool]:
    """``(is_overdue, is_due_soon)`` of one dossier, as :func:`with_flags` computes
    them in SQL for lists."""
    now = now or timezone.now()
    if dossier.paused_at is not None:
        return (dossier.remaining_seconds or 0) < 0, False
    if dossier.status not in RUNNING_STATUSES or dossier.due_at is None:
        return False, False
    if dossier.due_at < now:
        return True, False
    return False, dossier.due_at <= due_soon_limit(now, within_working_hours)


def recent_agencies_of(user: Any, limit: int = 5) -> list[int]:
    """The receiving agencies (pks) of ``user``'s latest dossiers as applicant,
    newest first, each once: what a new submission most likely goes to again."""
    if not getattr(user, "is_authenticated", False):
        return []
    seen: list[int] = []
    rows = (
        Dossier.objects.filter(applicant=user)
        .order_by("-submitted_at", "-pk")
        .values_list("receiving_agency_id", flat=True)[: limit * 4]
    )
    for pk in rows:
        if pk not in seen:
            seen.append(pk)
    return seen[:limit]


def dossier_for_sync(pk: int) -> Dossier:
    """A dossier with what its state on the national portal needs (papers, history,
    procedure and agency), in three queries."""
    return (
        Dossier.objects.select_related("procedure_version__procedure", "receiving_agency")
        .prefetch_related("papers", "events")
        .get(pk=pk)
    )


def dossier_versions(after_pk: int = 0, limit: int = 5000) -> list[tuple[int, int]]:
    """``(id, version)`` of dossiers by id after ``after_pk``, ``limit`` at a time (for
    apps that keep a row per dossier, e.g. the national portal's sync outbox)."""
    return list(
        Dossier.objects.filter(pk__gt=after_pk).order_by("pk").values_list("pk", "version")[:limit]
    )
