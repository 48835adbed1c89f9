"""Keep the statistics' roll-ups current: the only writer of the roll-up tables.

What is stored
--------------
``DossierRollupDay`` holds, per local day × receiving agency × receiving unit ×
procedure version, the additive figures of :mod:`egov.dossiers.stats.figures`
(see ``RollupCounts``): the flows of the day (received by channel, result ready —
in time, early —, handed back, withdrawn, refused, stopped) and the changes of
the two stocks at the day's midnight (in progress, overdue). ``DossierRollupMonth``
holds the same sums per calendar month, so that a year reads twelve months of rows
and only the days of the months a period cuts are read day by day; it has them per
procedure version and, for the figures that need no version (per agency, no field or
procedure filter), summed over the versions: a province-year is then a few thousand
rows.

Each dossier is counted by the rules of the direct query, from its columns as they
are now (as the direct query does):

* received on the local day of ``received_at``, in the counter of its channel;
* resolved on the day of ``resolved_at``; *in time* when there is no appointment or
  the result was ready by ``due_at``, *early* when ``timeliness`` says so (or, when
  it is empty, when the result was ready on a local day before the due day); never
  in time nor early once an apology letter was issued;
* handed back on the day of ``returned_at`` (status 10); withdrawn, refused,
  stopped on the day of ``closed_at`` (status 7, 3, 8);
* in progress at the midnight starting day *T* when received before it and
  neither resolved nor closed before it: +1 on the day after the receipt, −1 on
  the day after the result or the closing;
* overdue at that midnight when in progress and either the appointment had
  passed while the clock was running (``due_at`` before it, ``paused_at`` empty or
  not before it), or an apology letter had replaced an appointment that fell
  before it. Both are ranges of days; their union is counted as range 1 + range
  2 − their overlap, each range a +1 and a −1.

How it is kept current
----------------------
Rows are grouped in *parts*: the dossiers submitted in one calendar month
(``submitted_at`` never changes). A part is always recomputed whole, from its
dossiers, so a dossier whose appointment or result moved needs no memory of the
days it counted in before; only the rows that differ from the stored ones are
replaced, and only the calendar months they fall in are summed again.
:func:`refresh_rollups` (the background job ``dossiers.stats_rollups``, every
minute) takes the watermark row's lock, finds
the dossiers changed since the watermark (indexed ``updated_at``, minus a small
overlap for transactions that committed late), rebuilds their parts, then the
monthly rows of every month those parts count in, and moves the watermark to the
moment the run started. Rebuilding is idempotent; a second runner that finds the
row locked skips its turn. :func:`rebuild_rollups` rebuilds a range of parts (the
command ``rebuild_stats_rollups``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Sum
from django.utils import timezone

from egov.core.periods import local_midnight
from egov.dossiers.models import (
    ApologyLetter,
    Channel,
    Dossier,
    DossierRollupDay,
    DossierRollupMonth,
    RollupWatermark,
    Status,
    Timeliness,
)

logger = logging.getLogger(__name__)

WATERMARK = "dossier_stats"

#: Dossiers changed this long before the watermark are looked at again: a
#: transaction that stamped ``updated_at`` before the last run started but committed
#: after it read is still seen. Rebuilding a part twice is harmless.
OVERLAP = timedelta(minutes=5)

COUNTERS: tuple[str, ...] = (
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
    "open_delta",
    "overdue_delta",
)
_INDEX = {name: position for position, name in enumerate(COUNTERS)}
_CHANNEL = {Channel.DESK: "new_desk", Channel.ONLINE: "new_online", Channel.POST: "new_post"}
_CLOSED = {Status.WITHDRAWN: "withdrawn", Status.REFUSED: "refused", Status.STOPPED: "stopped"}
_DIMENSIONS = ("receiving_agency_id", "receiving_unit_id", "procedure_version_id")
_COLUMNS = (
    *_DIMENSIONS,
    "pk",
    "channel",
    "status",
    "received_at",
    "due_at",
    "paused_at",
    "resolved_at",
    "returned_at",
    "closed_at",
    "timeliness",
)

Key = tuple[date, int, int, int]
_ONE_DAY = timedelta(days=1)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


# --- one dossier's contribution -------------------------------------------------------


def _ranges(
    row: dict[str, Any], letter_due: datetime | None, zone: ZoneInfo
) -> Iterator[tuple[str, date, date | None, int]]:
    """The stock ranges of one dossier: ``(counter, first day, last day or None for
    open-ended, sign)``; a range of days *T* whose midnight the dossier is in."""
    received = row["received_at"]
    if received is None:
        return
    opened = received.astimezone(zone).date() + _ONE_DAY
    ends = [moment for moment in (row["resolved_at"], row["closed_at"]) if moment is not None]
    last = min(ends).astimezone(zone).date() if ends else None
    yield "open_delta", opened, last, 1
    due = row["due_at"]
    paused = row["paused_at"]
    paused_day = paused.astimezone(zone).date() if paused is not None else None
    first_due = due.astimezone(zone).date() + _ONE_DAY if due is not None else None
    first_letter = letter_due.astimezone(zone).date() + _ONE_DAY if letter_due else None
    running_last = _min_day(last, paused_day)
    if first_due is not None:
        yield "overdue_delta", max(opened, first_due), running_last, 1
    if first_letter is not None:
        yield "overdue_delta", max(opened, first_letter), last, 1
        if first_due is not None:
            yield "overdue_delta", max(opened, first_due, first_letter), running_last, -1


def _min_day(first: date | None, second: date | None) -> date | None:
    if first is None:
        return second
    if second is None:
        return first
    return min(first, second)


def contributions(
    row: dict[str, Any], letter_due: datetime | None, zone: ZoneInfo
) -> Iterator[tuple[date, str, int]]:
    """``(day, counter, amount)`` of one dossier (``letter_due``: the earliest
    appointment an apology letter replaced, ``None`` without a letter)."""
    day = lambda moment: moment.astimezone(zone).date()  # noqa: E731
    received = row["received_at"]
    if received is not None:
        channel = _CHANNEL.get(row["channel"])
        if channel:
            yield day(received), channel, 1
    resolved = row["resolved_at"]
    if resolved is not None:
        due = row["due_at"]
        yield day(resolved), "resolved", 1
        if letter_due is None:
            if due is None or resolved <= due:
                yield day(resolved), "resolved_in_time", 1
            timeliness = row["timeliness"]
            early = timeliness == Timeliness.EARLY or (
                timeliness == "" and due is not None and day(resolved) < day(due)
            )
            if early:
                yield day(resolved), "resolved_early", 1
    if row["returned_at"] is not None and row["status"] == Status.RETURNED:
        yield day(row["returned_at"]), "returned", 1
    closed = _CLOSED.get(row["status"])
    if closed and row["closed_at"] is not None:
        yield day(row["closed_at"]), closed, 1
    for counter, first, last, sign in _ranges(row, letter_due, zone):
        if last is not None and last < first:
            continue
        yield first, counter, sign
        if last is not None:
            yield last + _ONE_DAY, counter, -sign


# --- rebuilding ----------------------------------------------------------------------


def _part_rows(part: date, zone: ZoneInfo) -> dict[Key, list[int]]:
    """The daily figures of the dossiers submitted in the month ``part``."""
    begins, ends = local_midnight(part), local_midnight(next_month(part))
    dossiers = Dossier.objects.filter(submitted_at__gte=begins, submitted_at__lt=ends).order_by()
    letters = dict(
        ApologyLetter.objects.filter(
            dossier__submitted_at__gte=begins, dossier__submitted_at__lt=ends
        )
        .order_by()
        .values("dossier_id")
        .annotate(first=Min("previous_due_at"))
        .values_list("dossier_id", "first")
    )
    acc: dict[Key, list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    for row in dossiers.values(*_COLUMNS).iterator(chunk_size=5000):
        dims = (row["receiving_agency_id"], row["receiving_unit_id"], row["procedure_version_id"])
        for day, counter, amount in contributions(row, letters.get(row["pk"]), zone):
            acc[(day, *dims)][_INDEX[counter]] += amount
    return {key: values for key, values in acc.items() if any(values)}


def _rebuild_part(part: date, zone: ZoneInfo) -> set[date]:
    """Bring the daily rows of ``part`` in line with its dossiers; return the months
    whose rows changed. Only rows that differ are deleted and written: a run after a
    quiet minute touches a handful."""
    rows = _part_rows(part, zone)
    stale: list[int] = []
    months: set[date] = set()
    for pk, day, agency, unit, version, *values in DossierRollupDay.objects.filter(
        part=part
    ).values_list("pk", "day", *_DIMENSIONS, *COUNTERS):
        key = (day, agency, unit, version)
        if rows.get(key) == values:
            del rows[key]  # unchanged: neither deleted nor written again
        else:
            stale.append(pk)
            months.add(month_start(day))
    for start in range(0, len(stale), 1000):
        DossierRollupDay.objects.filter(pk__in=stale[start : start + 1000]).delete()
    DossierRollupDay.objects.bulk_create(
        (
            DossierRollupDay(
                part=part,
                day=day,
                receiving_agency_id=agency,
                receiving_unit_id=unit,
                procedure_version_id=version,
                **dict(zip(COUNTERS, values, strict=True)),
            )
            for (day, agency, unit, version), values in rows.items()
        ),
        batch_size=2000,
    )
    months.update(month_start(day) for day, *_ in rows)
    return months


def _rebuild_month(month: date) -> None:
    """Replace the monthly rows of ``month`` by the sums of its daily rows: per
    procedure version, and for all versions together."""
    DossierRollupMonth.objects.filter(month=month).delete()
    days = DossierRollupDay.objects.filter(day__gte=month, day__lt=next_month(month)).order_by()
    sums = {f"sum_{name}": Sum(name) for name in COUNTERS}
    for dimensions in (_DIMENSIONS, _DIMENSIONS[:2]):
        DossierRollupMonth.objects.bulk_create(
            (
                DossierRollupMonth(
                    month=month,
                    **{name: row[name] for name in dimensions},
                    **{name: row[f"sum_{name}"] for name in COUNTERS},
                )
                for row in days.values(*dimensions).annotate(**sums)
                if any(row[f"sum_{name}"] for name in COUNTERS)
            ),
            batch_size=2000,
        )


def _rebuild_parts(parts: Iterable[date]) -> tuple[int, int]:
    zone = _zone()
    months: set[date] = set()
    count = 0
    for part in sorted(set(parts)):
        months |= _rebuild_part(part, zone)
        count += 1
    for month in sorted(months):
        _rebuild_month(month)
    return count, len(months)


def _parts_of(moments: Iterable[datetime], zone: ZoneInfo) -> set[date]:
    return {month_start(moment.astimezone(zone).date()) for moment in moments}


def _all_parts(zone: ZoneInfo) -> list[date]:
    bounds = Dossier.objects.order_by().aggregate(first=Min("submitted_at"))
    if bounds["first"] is None:
        return []
    last = Dossier.objects.order_by("-submitted_at").values_list("submitted_at", flat=True)[0]
    part, stop = month_start(bounds["first"].astimezone(zone).date()), last.astimezone(zone).date()
    parts = []
    while part <= stop:
        parts.append(part)
        part = next_month(part)
    return parts


def _watermark(*, wait: bool) -> RollupWatermark | None:
    """The watermark row, locked until the end of the transaction; ``None`` when
    another run holds it and ``wait`` is false."""
    RollupWatermark.objects.get_or_create(name=WATERMARK)
    rows = RollupWatermark.objects.select_for_update(skip_locked=not wait).filter(name=WATERMARK)
    return rows.first()


def refresh_rollups(*, now: datetime | None = None) -> str:
    """Bring the roll-ups up to date (the background job). The first run builds
    everything; later runs rebuild the parts of the dossiers changed since."""
    started = now or timezone.now()
    zone = _zone()
    with transaction.atomic():
        mark = _watermark(wait=False)
        if mark is None:
            return "another run holds the roll-ups' lock"
        if mark.value is None:
            DossierRollupDay.objects.all().delete()
            DossierRollupMonth.objects.all().delete()
            parts: set[date] = set(_all_parts(zone))
        else:
            changed = Dossier.objects.filter(updated_at__gte=mark.value - OVERLAP).order_by()
            parts = _parts_of(changed.values_list("submitted_at", flat=True), zone)
        counts = _rebuild_parts(parts)
        mark.value = started
        mark.save(update_fields=["value", "updated_at"])
    return (
        f"{counts[0]} submission month(s), {counts[1]} calendar month(s) rebuilt" if parts else ""
    )


def rebuild_rollups(first: date | None = None, last: date | None = None) -> tuple[int, int]:
    """Rebuild the parts (months of submission) from ``first``'s month to ``last``'s,
    every part when both are ``None``; waits for a running refresh. The watermark is
    left alone, except that a full rebuild of never-built roll-ups sets it (to the
    moment the rebuild started). Returns (parts, calendar months) rebuilt."""
    started = timezone.now()
    zone = _zone()
    with transaction.atomic():
        mark = _watermark(wait=True)
        assert mark is not None
        parts = [
            part
            for part in _all_parts(zone)
            if (first is None or part >= month_start(first))
            and (last is None or part <= month_start(last))
        ]
        counts = _rebuild_parts(parts)
        if first is None and last is None and mark.value is None:
            mark.value = started
            mark.save(update_fields=["value", "updated_at"])
    return counts


def rolled_up_at() -> datetime | None:
    """Every dossier changed before this moment is counted in the roll-ups (``None``:
    never built)."""
    return RollupWatermark.objects.filter(name=WATERMARK).values_list("value", flat=True).first()
