"""The staff dashboard (the staff home ``/can-bo/``), filled by the apps that own the work.

``core`` draws the page but knows none of the domain apps (ADR 1, ADR 6): each app
declares in ``AppConfig.ready()`` what waits for a person and which key figures a
leader sees for their subtree::

    staff_dashboard.register_waiting(
        "dossiers.my_queue",
        label=gettext_lazy("Dossiers in my queue"),
        order=10,
        count=lambda user: queue_for(user, "processing").count(),   # None: not for them
        url_name="dossiers:worklist",
    )
    staff_dashboard.register_figure(
        "dossiers.on_time_rate",
        label=gettext_lazy("One-stop on-time rate"),
        order=10,
        value=lambda unit, period: 93.5,   # None: no data for the period
        unit="%",
        better="higher",
    )

A ``count`` that returns ``None`` hides its row (the person has no part in that
work); zero shows (nothing waits). A figure's ``value`` is called with the root
unit of the leader's scope and a :class:`egov.core.periods.Period`; its optional
``series`` with the unit and a list of periods (for the chart) returns one value
(or ``None``) per period. Every callable is wrapped: one app failing never takes
the dashboard down (the row shows as unavailable and the error is logged).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

from egov.core.models import Unit
from egov.core.periods import Period

log = logging.getLogger(__name__)

Number = int | float


@dataclass(frozen=True)
class Waiting:
    name: str
    label: str | Promise
    order: int
    count: Callable[[Any], int | None]
    url_name: str


@dataclass(frozen=True)
class Figure:
    name: str
    label: str | Promise
    order: int
    value: Callable[[Unit, Period], Number | None]
    #: ``"%"`` for a share in percent, ``""`` for a count.
    unit: str = ""
    #: ``"higher"`` or ``"lower"``: which direction is good (colours the chart).
    better: str = "higher"
    url_name: str = ""
    series: Callable[[Unit, Sequence[Period]], list[Number | None]] | None = None
    #: Keep values in the cache (expensive figures over big tables): a past period
    #: for an hour, the running one for a minute.
    cache: bool = False
    #: Draw this figure's chart over the last periods.
    chart: bool = False


@dataclass(frozen=True)
class WaitingRow:
    name: str
    label: str | Promise
    count: int | None
    url: str
    failed: bool = False


@dataclass(frozen=True)
class FigureRow:
    name: str
    label: str | Promise
    value: Number | None
    unit: str
    better: str
    url: str
    failed: bool = False


_WAITING: dict[str, Waiting] = {}
_FIGURES: dict[str, Figure] = {}


def register_waiting(
    name: str,
    *,
    label: str | Promise,
    order: int,
    count: Callable[[Any], int | None],
    url_name: str,
) -> None:
    """Declare one kind of work that waits for a person (registering again replaces it)."""
    _WAITING[name] = Waiting(name, label, order, count, url_name)


def register_figure(
    name: str,
    *,
    label: str | Promise,
    order: int,
    value: Callable[[Unit, Period], Number | None],
    unit: str = "",
    better: str = "higher",
    url_name: str = "",
    series: Callable[[Unit, Sequence[Period]], list[Number | None]] | None = None,
    cache: bool = False,
    chart: bool = False,
) -> None:
    """Declare one key figure of a leader's subtree (registering again replaces it)."""
    if better not in ("higher", "lower"):
        raise ValueError("better must be 'higher' or 'lower'")
    _FIGURES[name] = Figure(name, label, order, value, unit, better, url_name, series, cache, chart)


def unregister(name: str) -> None:
    _WAITING.pop(name, None)
    _FIGURES.pop(name, None)


def figures() -> list[Figure]:
    return sorted(_FIGURES.values(), key=lambda item: (item.order, item.name))


def waiting_for(user: Any) -> list[WaitingRow]:
    """What waits for ``user``, in order; rows whose count is ``None`` are left out."""
    rows: list[WaitingRow] = []
    for item in sorted(_WAITING.values(), key=lambda item: (item.order, item.name)):
        try:
            count = item.count(user)
        except Exception:  # one app's failure must not take the page down
            log.exception("dashboard waiting %s failed", item.name)
            rows.append(WaitingRow(item.name, item.label, None, reverse(item.url_name), True))
            continue
        if count is None:
            continue
        rows.append(WaitingRow(item.name, item.label, count, reverse(item.url_name)))
    return rows


def _value(item: Figure, unit: Unit, period: Period) -> Number | None:
    if not item.cache:
        return item.value(unit, period)
    from django.utils import timezone

    return cached_value(item, unit, period, timezone.localdate())


def figure_rows(unit: Unit, period: Period) -> list[FigureRow]:
    """The key figures of ``unit``'s subtree for ``period``."""
    rows: list[FigureRow] = []
    for item in figures():
        url = reverse(item.url_name) if item.url_name else ""
        try:
            value = _value(item, unit, period)
        except Exception:  # one app's failure must not take the page down
            log.exception("dashboard figure %s failed", item.name)
            rows.append(FigureRow(item.name, item.label, None, item.unit, item.better, url, True))
            continue
        rows.append(FigureRow(item.name, item.label, value, item.unit, item.better, url))
    return rows


def figure_series(name: str, unit: Unit, periods: Sequence[Period]) -> list[Number | None]:
    """One figure over several periods (its ``series`` if given, else one value each)."""
    item = _FIGURES[name]
    try:
        if item.series is not None:
            return list(item.series(unit, periods))
        return [_value(item, unit, period) for period in periods]
    except Exception:
        log.exception("dashboard series %s failed", name)
        return [None for _ in periods]


# --- the leader's scope and periods ------------------------------------------------------

#: Holding one of these somewhere makes a person a leader on the dashboard.
LEADER_PERMS = ("documents.assign", "dossiers.approve", "platform.operate")

PERIOD_KINDS = ("month", "quarter", "year")
#: How many periods of each kind the charts show (the last one is the chosen period).
CHART_PERIODS = {"month": 6, "quarter": 4, "year": 3}


def _agency_of(unit: Unit) -> Unit:
    """``unit`` or its nearest ancestor that is not an internal division."""
    if unit.level != "internal":
        return unit
    prefixes = [unit.path[:i] for i in range(Unit.steplen, len(unit.path), Unit.steplen)]
    found = (
        Unit.objects.filter(path__in=prefixes).exclude(level="internal").order_by("-depth").first()
    )
    return found or unit


def province_root() -> Unit | None:
    return Unit.objects.filter(depth=1).order_by("path").first()


def leader_scopes(user: Any, assignments: list[Any] | None = None) -> list[Unit]:
    """The subtrees whose key figures ``user`` sees: the agency of each unit where they
    hold a leader's permission; the whole province for platform operators and for
    leaders of the units named in ``EGOV_DASHBOARD_PROVINCE_WIDE_UNITS`` (the
    provincial People's Committee and its office). Empty: not a leader."""
    from django.conf import settings

    from egov.accounts.permissions import active_assignments

    if not getattr(user, "is_authenticated", False):
        return []
    province_codes = set(getattr(settings, "EGOV_DASHBOARD_PROVINCE_WIDE_UNITS", ()))
    scopes: dict[int, Unit] = {}
    if assignments is None:
        assignments = list(active_assignments(user))
    for assignment in assignments:
        perms = set(assignment.role.permissions or ())
        if not perms & set(LEADER_PERMS):
            continue
        if "platform.operate" in perms or assignment.unit.code in province_codes:
            root = province_root()
            if root is not None:
                return [root]
        agency = _agency_of(assignment.unit)
        scopes.setdefault(agency.pk, agency)
    if user.is_superuser and not scopes:
        root = province_root()
        return [root] if root is not None else []
    return sorted(scopes.values(), key=lambda unit: unit.path)


def periods_back(kind: str, today: Any, count: int) -> list[Period]:
    """The ``count`` calendar periods of ``kind`` ending with the one holding ``today``."""
    from egov.core.periods import calendar_month, calendar_quarter, calendar_year, months_back

    found: list[Period] = []
    for back in range(count - 1, -1, -1):
        if kind == "month":
            year, month = months_back(today.year, today.month, back)
            found.append(calendar_month(year, month))
        elif kind == "quarter":
            index = today.year * 4 + (today.month - 1) // 3 - back
            found.append(calendar_quarter(index // 4, index % 4 + 1))
        else:
            found.append(calendar_year(today.year - back))
    return found


def _entry_key(item: Figure, unit: Unit, period: Period) -> str:
    return f"dash:{item.name}:{unit.pk}:{period.key}"


def cached_value(
    item: Figure,
    unit: Unit,
    period: Period,
    today: Any,
    *,
    refresh: bool = False,
    timeout: int | None = None,
) -> Number | None:
    """A figure's value through the cache. Read on a page: a past period is kept for
    an hour, the running one for a minute (its figures move as work is done), unless
    the warm-up job (:func:`warm_figures`) stored it for longer. ``refresh``
    recomputes whatever the cache holds; ``timeout`` overrides the lifetime."""
    import time

    from django.core.cache import cache

    key = _entry_key(item, unit, period)
    if not refresh:
        hit = cache.get(key)
        if isinstance(hit, tuple) and len(hit) == 2:
            return hit[0]
    value = item.value(unit, period)
    if timeout is None:
        timeout = 60 if period.end >= today else 3600
    # (value, when computed): the warm-up job renews what is about to grow old.
    cache.set(key, (value, time.time()), timeout)
    return value


# --- keeping the leaders' figures warm ----------------------------------------------------


def warm_scopes() -> list[Unit]:
    """Every subtree a leader's dashboard shows: the whole province first, then the
    agency of each unit where someone holds a leader's permission (see
    :func:`leader_scopes`: the units whose leaders see the province are the root)."""
    from django.conf import settings

    from egov.accounts.models import Role, RoleAssignment

    root = province_root()
    scopes: dict[int, Unit] = {root.pk: root} if root is not None else {}
    province_codes = set(getattr(settings, "EGOV_DASHBOARD_PROVINCE_WIDE_UNITS", ()))
    roles = {
        role.pk: set(role.permissions or ())
        for role in Role.objects.only("pk", "permissions")
        if set(role.permissions or ()) & set(LEADER_PERMS)
    }
    units = (
        Unit.objects.filter(
            role_assignments__role_id__in=list(roles),
            role_assignments__revoked_at__isnull=True,
            role_assignments__user__is_active=True,
            dissolved_at__isnull=True,
        )
        .distinct()
        .order_by("path")
    )
    operators = set(
        RoleAssignment.objects.filter(
            role_id__in=[pk for pk, perms in roles.items() if "platform.operate" in perms],
            revoked_at__isnull=True,
        ).values_list("unit_id", flat=True)
    )
    for unit in units:
        if unit.pk in operators or unit.code in province_codes:
            continue  # the province root, already there
        agency = _agency_of(unit)
        scopes.setdefault(agency.pk, agency)
    return list(scopes.values())


def warm_periods(today: Any) -> list[Period]:
    """The periods of every chart and of the period switch, each once."""
    found: dict[str, Period] = {}
    for kind in PERIOD_KINDS:
        for period in periods_back(kind, today, CHART_PERIODS[kind]):
            found.setdefault(period.key, period)
    return list(found.values())


def cache_is_shared() -> bool:
    """Whether the default cache is seen by every process (not per-process memory)."""
    from django.core.cache import caches
    from django.core.cache.backends.dummy import DummyCache
    from django.core.cache.backends.locmem import LocMemCache

    return not isinstance(caches["default"], LocMemCache | DummyCache)


def warm_figures(
    today: Any = None,
    *,
    every_seconds: float | None = None,
    scopes: list[Unit] | None = None,
    shared_only: bool = False,
) -> str:
    """Compute the cached key figures of every leader's subtree for every period the
    dashboard offers, before the page needs them (the background job
    ``dashboards.warm_figures`` runs it every ``EGOV_DASHBOARD_WARM_SECONDS``).

    The running periods are recomputed on every run and kept for three runs, so a
    page always finds them (at most one run old); a past period is recomputed once its
    value is an hour old and kept four hours. A figure that fails is logged and
    skipped. Helps only with a cache shared by the processes (``EGOV_CACHE`` redis,
    file or database): with ``memory`` each process warms only itself, so the job
    (``shared_only``) does nothing then."""
    import time

    from django.conf import settings
    from django.core.cache import cache
    from django.utils import timezone

    if shared_only and not cache_is_shared():
        return ""
    day = today or timezone.localdate()
    every = float(every_seconds or settings.EGOV_DASHBOARD_WARM_SECONDS)
    running_ttl = int(3 * every) + 60
    past_ttl, past_age = 4 * 3600, 3600
    cached = [item for item in figures() if item.cache]
    periods = warm_periods(day)
    computed = kept = failed = 0
    chosen = scopes if scopes is not None else warm_scopes()
    for unit in chosen:
        for period in periods:
            running = period.end >= day
            for item in cached:
                if not running:
                    hit = cache.get(_entry_key(item, unit, period))
                    if isinstance(hit, tuple) and len(hit) == 2 and time.time() - hit[1] < past_age:
                        kept += 1
                        continue
                try:
                    cached_value(
                        item,
                        unit,
                        period,
                        day,
                        refresh=True,
                        timeout=running_ttl if running else past_ttl,
                    )
                except Exception:
                    log.exception("warming figure %s of unit %s failed", item.name, unit.pk)
                    failed += 1
                    continue
                computed += 1
    if not computed and not failed:
        return ""
    return f"{len(chosen)} scope(s): {computed} computed, {kept} still fresh, {failed} failed"
