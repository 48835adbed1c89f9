"""The working-day calendar: office hours, weekly days off, public holidays, overrides.

Everything is wall-clock time in ``settings.TIME_ZONE`` (Asia/Ho_Chi_Minh).

Vocabulary and rules (the one-stop module, the API and the tests rely on them):

* **Working day**: decided in this order, first match wins —
  1. a :class:`~egov.core.models.CalendarOverride` row (admin-edited swaps);
  2. a public holiday from ``holidays.VN`` (lunar ones and observed days included):
     not working;
  3. a weekend day the government ordered worked in exchange for a day off
     (``holidays.VN().weekend_workdays``): working;
  4. the weekday: working when listed in ``settings.EGOV_WORKING_WEEKDAYS``.
* **Working time**: the office sessions of a working day
  (``settings.EGOV_OFFICE_HOURS``), each half-open ``[start, end)``; 17:00 sharp is
  already outside the afternoon session.
* **Working moment**: an instant inside working time.
* :meth:`WorkingCalendar.add_working_days` counts from the *anchor*, the
  :meth:`~WorkingCalendar.next_working_moment` of the start (the start itself when
  it is inside working time; received at 18:00, on a Sunday, at 12:00 or at 17:00
  sharp, the start of the next session). The due moment is the same clock time as
  the anchor on the Nth working day after the anchor's day; ``n = 0`` gives the
  anchor. The due moment is therefore always a working moment.
* :meth:`WorkingCalendar.add_working_hours` returns the *earliest* instant at which
  the requested working time has elapsed, so it may land on a session's end
  (07:30 + 4 h = 11:30, not 13:30; 07:30 + 7.5 h = 17:00 the same day).
* :meth:`WorkingCalendar.working_time_between` is antisymmetric: negative when
  ``b < a`` (``working_time_between(due, now)`` > 0 reads as "late by").

Holidays are computed per year on first use and cached for the life of the process
(they only change with a new ``holidays`` release); overrides come from the database
and are refreshed every ``EGOV_CALENDAR_CACHE_SECONDS``, or at once in this process
when :mod:`egov.core.services.calendar` changes one.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as clock_time
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language, gettext

from egov.core.models import CalendarOverride

#: Upper bound of one computation, in working days (about 14 years): anything longer
#: is a typo, and refusing it keeps every computation cheap.
MAX_WORKING_DAYS = 3650

_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3600 * _US_PER_SECOND
_ONE_US = timedelta(microseconds=1)


class CalendarRangeError(ValueError):
    """A date outside the years the calendar has holiday data for."""


class DaySource(StrEnum):
    """Why a day is (not) a working day."""

    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    SWAP = "swap"
    OVERRIDE = "override"


@dataclass(frozen=True, slots=True)
class Override:
    """An admin decision for one date; wins over every other rule."""

    is_working_day: bool
    reason: str


@dataclass(frozen=True, slots=True)
class DayStatus:
    day: date
    is_working_day: bool
    source: DaySource
    reason: str


@dataclass(frozen=True, slots=True)
class YearHolidays:
    """Public holidays of one year, and the weekend days worked in exchange for them."""

    days_off: Mapping[date, str]
    weekend_workdays: frozenset[date] = frozenset()


HolidaySource = Callable[[int], YearHolidays]


@dataclass(frozen=True, slots=True)
class _YearTable:
    working: tuple[int, ...]  # sorted ordinals of the year's working days
    working_set: frozenset[int]


# --- settings parsing -------------------------------------------------------------


def _parse_clock(text: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    value = clock_time(int(hours), int(minutes or 0))
    return (value.hour * 60 + value.minute) * 60 * _US_PER_SECOND


def parse_office_hours(spec: str) -> tuple[tuple[int, int], ...]:
    """``"07:30-11:30,13:30-17:00"`` → sessions as (start, end) microseconds after
    midnight, checked to be ordered and non-overlapping."""
    sessions: list[tuple[int, int]] = []
    try:
        for part in spec.split(","):
            if not part.strip():
                continue
            start_text, end_text = part.split("-")
            sessions.append((_parse_clock(start_text), _parse_clock(end_text)))
    except ValueError as exc:
        raise ImproperlyConfigured(f"EGOV_OFFICE_HOURS: cannot read {spec!r} ({exc})") from exc
    if not sessions:
        raise ImproperlyConfigured("EGOV_OFFICE_HOURS: no working session given")
    previous_end = -1
    for start, end in sessions:
        if not start < end or start < previous_end:
            raise ImproperlyConfigured(
                f"EGOV_OFFICE_HOURS: sessions in {spec!r} must be ordered and not overlap"
            )
        previous_end = end
    return tuple(sessions)


@functools.lru_cache(maxsize=8)
def _day_hours(spec: str) -> Decimal:
    day_us = sum(end - start for start, end in parse_office_hours(spec))
    return (Decimal(day_us) / Decimal(3_600 * _US_PER_SECOND)).quantize(Decimal("0.01"))


def working_day_hours() -> Decimal:
    """Working hours in one working day (7.50 with 07:30-11:30 and 13:30-17:00), from
    ``settings.EGOV_OFFICE_HOURS`` as the calendar counts them: the one length that
    legal time limits in working days are converted with."""
    return _day_hours(settings.EGOV_OFFICE_HOURS)


def parse_working_weekdays(spec: str | Iterable[int | str]) -> frozenset[int]:
    """``"0,1,2,3,4"`` (Monday=0) → a set of weekday numbers."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    try:
        days = frozenset(int(str(item).strip()) for item in items if str(item).strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"EGOV_WORKING_WEEKDAYS: {exc}") from exc
    if not days or not days <= set(range(7)):
        raise ImproperlyConfigured(
            f"EGOV_WORKING_WEEKDAYS: {spec!r} must list weekdays between 0 (Monday) and 6"
        )
    return days


# --- holidays ----------------------------------------------------------------------


@functools.cache
def vn_holiday_years() -> range:
    """Years ``holidays.VN`` has data for; outside them the package returns nothing, and
    silently treating Tết as a working day would be worse than refusing.

    The ``holidays`` package (every country's rules: ~0.5 s and ~11 MB) is imported
    when a calendar is first built, not when a worker starts."""
    import holidays as holidays_lib

    return range(holidays_lib.VN.start_year, holidays_lib.VN.end_year + 1)


@functools.cache
def vietnam_public_holidays(year: int) -> YearHolidays:
    """Vietnamese public holidays of ``year`` with their Vietnamese names.

    Built once per year per process: constructing ``holidays.VN`` costs milliseconds.
    """
    import holidays as holidays_lib

    source = holidays_lib.VN(years=year, language="vi")
    days_off = {day: str(name) for day, name in sorted(source.items()) if day.year == year}
    worked = frozenset(day for day in source.weekend_workdays if day.year == year)
    return YearHolidays(days_off=MappingProxyType(days_off), weekend_workdays=worked)


def _static_holiday_source(days_off: Mapping[date, str]) -> HolidaySource:
    by_year: dict[int, dict[date, str]] = {}
    for day, name in days_off.items():
        by_year.setdefault(day.year, {})[day] = name

    def source(year: int) -> YearHolidays:
        return YearHolidays(days_off=MappingProxyType(by_year.get(year, {})))

    return source


def _to_microseconds(amount: float | int | Decimal | timedelta) -> int:
    """Working time as an integer of microseconds; numbers are hours."""
    if isinstance(amount, timedelta):
        return amount // _ONE_US
    if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal):
        raise TypeError(gettext("Working time must be a number of hours or a timedelta."))
    if isinstance(amount, float) and not math.isfinite(amount):
        raise ValueError(gettext("Working time must be a finite number of hours."))
    if isinstance(amount, Decimal):
        if not amount.is_finite():
            raise ValueError(gettext("Working time must be a finite number of hours."))
        return int((amount * _US_PER_HOUR).to_integral_value())
    return round(amount * _US_PER_HOUR)


_weekend_reason_cache: dict[str | None, tuple[str, ...]] = {}


def _weekend_reasons() -> tuple[str, ...]:
    """ "Weekend (<day name>)" for Monday..Sunday in the active language; cached
    because gettext costs more than the rest of a skipped-days listing."""
    language = get_language()
    reasons = _weekend_reason_cache.get(language)
    if reasons is None:
        reasons = tuple(
            gettext("Weekend (%(weekday)s)") % {"weekday": WEEKDAYS[weekday]}
            for weekday in range(7)
        )
        _weekend_reason_cache[language] = reasons
    return reasons


# --- the calendar ------------------------------------------------------------------


class WorkingCalendar:
    """Immutable working-day arithmetic over sessions, days off and overrides.

    ``holidays`` is either a fixed mapping ``{date: name}`` or a function giving a
    year's :class:`YearHolidays`; years are resolved on first use and memoised
    (the memo never changes an answer, so the object behaves as immutable and is
    safe to share between threads).
    """

    __slots__ = (
        "_day_us",
        "_overrides",
        "_sessions",
        "_source",
        "_supported_years",
        "_tables",
        "_tz",
        "_weekdays",
        "_year_holidays",
    )

    def __init__(
        self,
        *,
        sessions: str | Iterable[tuple[int, int]] = "07:30-11:30,13:30-17:00",
        working_weekdays: str | Iterable[int] = (0, 1, 2, 3, 4),
        holidays: Mapping[date, str] | HolidaySource | None = None,
        overrides: Mapping[date, Override] | None = None,
        tz: tzinfo | str = "Asia/Ho_Chi_Minh",
        supported_years: range = range(1, 10000),
    ) -> None:
        self._sessions = (
            parse_office_hours(sessions) if isinstance(sessions, str) else tuple(sessions)
        )
        self._day_us = sum(end - start for start, end in self._sessions)
        self._weekdays = parse_working_weekdays(working_weekdays)
        if holidays is None:
            holidays = {}
        self._source: HolidaySource = (
            _static_holiday_source(holidays) if isinstance(holidays, Mapping) else holidays
        )
        self._overrides: Mapping[date, Override] = MappingProxyType(dict(overrides or {}))
        self._tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self._supported_years = supported_years
        self._tables: dict[int, _YearTable] = {}
        self._year_holidays: dict[int, YearHolidays] = {}

    # -- read-only views

    @property
    def tz(self) -> tzinfo:
        return self._tz

    @property
    def overrides(self) -> Mapping[date, Override]:
        return self._overrides

    @property
    def sessions(self) -> tuple[tuple[int, int], ...]:
        """The office sessions of a working day: (start, end) microseconds after
        midnight, ordered, each half-open."""
        return self._sessions

    @property
    def working_day_length(self) -> timedelta:
        """Working time in one working day (7 h 30 min with the default sessions)."""
        return timedelta(microseconds=self._day_us)

    @property
    def supported_years(self) -> range:
        return self._supported_years

    # -- per-year tables

    def _holidays(self, year: int) -> YearHolidays:
        found = self._year_holidays.get(year)
        if found is None:
            self._check_year(year)
            found = self._source(year)
            self._year_holidays[year] = found
        return found

    def _check_year(self, year: int) -> None:
        if year not in self._supported_years:
            raise CalendarRangeError(
                gettext(
                    "The working-day calendar covers the years %(first)s to %(last)s "
                    "only; %(year)s is outside them."
                )
                % {
                    "first": self._supported_years.start,
                    "last": self._supported_years.stop - 1,
                    "year": year,
                }
            )

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            table = self._build_table(year)
            self._tables[year] = table
        return table

    def _build_table(self, year: int) -> _YearTable:
        year_holidays = self._holidays(year)
        working: list[int] = []
        day = date(year, 1, 1)
        for ordinal in range(day.toordinal(), date(year, 12, 31).toordinal() + 1):
            current = date.fromordinal(ordinal)
            override = self._overrides.get(current)
            if override is not None:
                is_working = override.is_working_day
            elif current in year_holidays.days_off:
                is_working = False
            elif current in year_holidays.weekend_workdays:
                is_working = True
            else:
                is_working = current.weekday() in self._weekdays
            if is_working:
                working.append(ordinal)
        return _YearTable(working=tuple(working), working_set=frozenset(working))

    # -- days

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            day = self._local(day)[0]
        return day.toordinal() in self._table(day.year).working_set

    def describe(self, day: date) -> DayStatus:
        """Whether ``day`` is a working day, and why (reason in the active language,
        holiday names in Vietnamese as the ``holidays`` package gives them)."""
        override = self._overrides.get(day)
        if override is not None:
            return DayStatus(day, override.is_working_day, DaySource.OVERRIDE, override.reason)
        year_holidays = self._holidays(day.year)
        name = year_holidays.days_off.get(day)
        if name is not None:
            return DayStatus(day, False, DaySource.HOLIDAY, name)
        if day in year_holidays.weekend_workdays:
            return DayStatus(day, True, DaySource.SWAP, gettext("Make-up working day"))
        weekday = day.weekday()
        if weekday in self._weekdays:
            return DayStatus(day, True, DaySource.WEEKDAY, "")
        return DayStatus(day, False, DaySource.WEEKEND, _weekend_reasons()[weekday])

    def special_days(self, year: int) -> list[DayStatus]:
        """Days of ``year`` that differ from the plain weekly rhythm: holidays (also
        those falling on a weekend), worked weekend days and overrides, by date."""
        year_holidays = self._holidays(year)
        days = set(year_holidays.days_off) | set(year_holidays.weekend_workdays)
        days |= {day for day in self._overrides if day.year == year}
        return [self.describe(day) for day in sorted(days)]

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The ``n``-th working day strictly after ``day`` (``n >= 1``)."""
        self._check_days(n, minimum=1)
        return date.fromordinal(self._nth_after(day.toordinal(), n))

    def _nth_after(self, ordinal: int, n: int) -> int:
        year = date.fromordinal(ordinal).year
        while True:
            days = self._table(year).working
            index = bisect_right(days, ordinal)
            available = len(days) - index
            if n <= available:
                return days[index + n - 1]
            n -= available
            year += 1

    def _nth_before(self, ordinal: int, n: int) -> int:
        year = date.fromordinal(ordinal).year
        while True:
            days = self._table(year).working
            index = bisect_left(days, ordinal)
            if n <= index:
                return days[index - n]
            n -= index
            year -= 1

    def count_working_days(self, first: date, stop: date) -> int:
        """Working days in ``[first, stop)``."""
        if stop <= first:
            return 0
        return self._count(first.toordinal(), stop.toordinal())

    def _count(self, lo: int, hi: int) -> int:
        total = 0
        for year in range(date.fromordinal(lo).year, date.fromordinal(hi - 1).year + 1):
            days = self._table(year).working
            total += bisect_left(days, hi) - bisect_left(days, lo)
        return total

    # -- moments

    def _local(self, moment: datetime) -> tuple[date, int]:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(
                gettext("A time-zone-aware date and time is required, got %(value)s.")
                % {"value": moment.isoformat()}
            )
        local = moment.astimezone(self._tz)
        clock = ((local.hour * 60 + local.minute) * 60 + local.second) * _US_PER_SECOND
        return local.date(), clock + local.microsecond

    def _at(self, ordinal: int, clock_us: int) -> datetime:
        seconds, micro = divmod(clock_us, _US_PER_SECOND)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        day = date.fromordinal(ordinal)
        return datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=self._tz)

    def _elapsed(self, clock_us: int) -> int:
        """Working time of a working day before the clock time ``clock_us``."""
        total = 0
        for start, end in self._sessions:
            if clock_us <= start:
                break
            total += min(clock_us, end) - start
        return total

    def _clock_for(self, elapsed_us: int) -> int:
        """Earliest clock time by which ``elapsed_us`` (> 0) of the day has been worked."""
        for start, end in self._sessions:
            length = end - start
            if elapsed_us <= length:
                return start + elapsed_us
            elapsed_us -= length
        return self._sessions[-1][1]

    def _position(self, moment: datetime) -> tuple[int, int]:
        """(day ordinal, working time already elapsed that day; 0 on a day off)."""
        day, clock = self._local(moment)
        ordinal = day.toordinal()
        if ordinal in self._table(day.year).working_set:
            return ordinal, self._elapsed(clock)
        return ordinal, 0

    def is_working_moment(self, moment: datetime) -> bool:
        day, clock = self._local(moment)
        if day.toordinal() not in self._table(day.year).working_set:
            return False
        return any(start <= clock < end for start, end in self._sessions)

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself (in local time) when inside working time, else the start
        of the next session on a working day."""
        day, clock = self._local(moment)
        ordinal = day.toordinal()
        if ordinal in self._table(day.year).working_set:
            for start, end in self._sessions:
                if clock < end:
                    return self._at(ordinal, max(clock, start))
        return self._at(self._nth_after(ordinal, 1), self._sessions[0][0])

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """Due moment ``n`` working days after ``start`` (see the module rules)."""
        self._check_days(n, minimum=0)
        anchor = self.next_working_moment(start)
        if n == 0:
            return anchor
        day, clock = self._local(anchor)
        return self._at(self._nth_after(day.toordinal(), n), clock)

    def add_working_hours(
        self, start: datetime, hours: float | int | Decimal | timedelta
    ) -> datetime:
        """Earliest instant by which ``hours`` of working time have elapsed since
        ``start`` (numbers are hours, fractions allowed; or a ``timedelta``)."""
        amount = _to_microseconds(hours)
        if amount < 0:
            raise ValueError(gettext("The working time to add cannot be negative."))
        self._check_working_time(amount)
        return self._forward(start, amount)

    def shift_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Like :meth:`add_working_hours`, but a negative ``amount`` goes back: the
        earliest instant whose working-time distance to ``start`` is ``amount``."""
        micro = amount // _ONE_US
        self._check_working_time(abs(micro))
        if micro >= 0:
            return self._forward(start, micro)
        return self._backward(start, -micro)

    def _forward(self, start: datetime, amount: int) -> datetime:
        if amount == 0:
            return start.astimezone(self._tz)
        ordinal, elapsed = self._position(start)
        if self._is_working_ordinal(ordinal):
            left_today = self._day_us - elapsed
            if amount <= left_today:
                return self._at(ordinal, self._clock_for(elapsed + amount))
            amount -= left_today
        full_days, rest = divmod(amount - 1, self._day_us)
        target = self._nth_after(ordinal, full_days + 1)
        return self._at(target, self._clock_for(rest + 1))

    def _backward(self, start: datetime, amount: int) -> datetime:
        ordinal, elapsed = self._position(start)
        if amount < elapsed:
            return self._at(ordinal, self._clock_for(elapsed - amount))
        amount -= elapsed
        full_days, rest = divmod(amount, self._day_us)
        target = self._nth_before(ordinal, full_days + 1)
        return self._at(target, self._clock_for(self._day_us - rest))

    def _is_working_ordinal(self, ordinal: int) -> bool:
        return ordinal in self._table(date.fromordinal(ordinal).year).working_set

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from ``a`` to ``b``; negative when ``b`` is before ``a``."""
        if b < a:
            return -self.working_time_between(b, a)
        ordinal_a, elapsed_a = self._position(a)
        ordinal_b, elapsed_b = self._position(b)
        days = self._count(ordinal_a, ordinal_b) if ordinal_b > ordinal_a else 0
        return timedelta(microseconds=days * self._day_us + elapsed_b - elapsed_a)

    def skipped_days(self, start: datetime, due: datetime) -> list[tuple[date, str]]:
        """Non-working days from ``start``'s day to ``due``'s day, both included, with
        the reason each is off (weekend, holiday name, override reason)."""
        first, _ = self._local(start)
        last, _ = self._local(due)
        if last < first:
            return []
        if (last - first).days > 2 * MAX_WORKING_DAYS:
            raise ValueError(gettext("The period is too long to list its days off."))
        skipped: list[tuple[date, str]] = []
        weekend_reasons = _weekend_reasons()
        for year in range(first.year, last.year + 1):
            working = self._table(year).working_set
            days_off = self._holidays(year).days_off
            lo = max(first, date(year, 1, 1)).toordinal()
            hi = min(last, date(year, 12, 31)).toordinal()
            for ordinal in range(lo, hi + 1):
                if ordinal in working:
                    continue
                day = date.fromordinal(ordinal)
                override = self._overrides.get(day)
                if override is not None:
                    reason = override.reason
                else:
                    reason = days_off.get(day) or weekend_reasons[day.weekday()]
                skipped.append((day, reason))
        return skipped

    # -- guards

    def _check_days(self, n: int, *, minimum: int) -> None:
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(gettext("The number of working days must be an integer."))
        if n < minimum:
            raise ValueError(
                gettext("The number of working days must be at least %(minimum)s, got %(n)s.")
                % {"minimum": minimum, "n": n}
            )
        if n > MAX_WORKING_DAYS:
            raise ValueError(
                gettext("At most %(maximum)s working days can be counted, got %(n)s.")
                % {"maximum": MAX_WORKING_DAYS, "n": n}
            )

    def _check_working_time(self, amount_us: int) -> None:
        if amount_us > MAX_WORKING_DAYS * self._day_us:
            raise ValueError(
                gettext("At most %(maximum)s working days of working time can be counted.")
                % {"maximum": MAX_WORKING_DAYS}
            )


# --- pausing a running deadline -----------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A due moment whose clock can stop (dossier statuses 5 and 6) and restart.

    While paused, ``due`` keeps the value it had when the clock stopped and
    ``remaining`` holds the working time that was left (negative if already late,
    so that lateness survives the pause).
    """

    due: datetime
    paused_at: datetime | None = None
    remaining: timedelta | None = None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def pause(self, at: datetime, calendar: WorkingCalendar | None = None) -> Deadline:
        if self.is_paused:
            raise ValueError(gettext("The deadline is already paused."))
        calendar = calendar or get_calendar()
        return Deadline(
            due=self.due, paused_at=at, remaining=calendar.working_time_between(at, self.due)
        )

    def resume(self, at: datetime, calendar: WorkingCalendar | None = None) -> Deadline:
        if self.paused_at is None or self.remaining is None:
            raise ValueError(gettext("The deadline is not paused."))
        if at < self.paused_at:
            raise ValueError(gettext("A deadline cannot resume before it was paused."))
        calendar = calendar or get_calendar()
        # A pause that covered no working time changes nothing; keeping the old due
        # also keeps its clock time (07:30 Monday rather than the equal 17:00 Friday).
        if not calendar.working_time_between(self.paused_at, at):
            return Deadline(due=self.due)
        return Deadline(due=calendar.shift_working_time(at, self.remaining))


# --- the process-wide calendar -----------------------------------------------------


def load_overrides() -> dict[date, Override]:
    """Every calendar override in the database (one query)."""
    rows = CalendarOverride.objects.values_list("date", "is_working_day", "reason")
    return {day: Override(is_working, reason) for day, is_working, reason in rows}


def build_calendar(overrides: Mapping[date, Override] | None = None) -> WorkingCalendar:
    """A calendar from the settings, Vietnamese holidays and ``overrides``."""
    return WorkingCalendar(
        sessions=settings.EGOV_OFFICE_HOURS,
        working_weekdays=settings.EGOV_WORKING_WEEKDAYS,
        holidays=vietnam_public_holidays,
        overrides=overrides,
        tz=settings.TIME_ZONE,
        supported_years=vn_holiday_years(),
    )


class _Cache:
    calendar: WorkingCalendar | None = None
    expires_at: float = 0.0
    generation: int = 0


_cache = _Cache()
_cache_lock = threading.Lock()


def get_calendar() -> WorkingCalendar:
    """The process's calendar; reloads overrides at most every
    ``EGOV_CALENDAR_CACHE_SECONDS`` (one query), holidays never."""
    current = _cache.calendar
    if current is not None and time.monotonic() < _cache.expires_at:
        return current
    with _cache_lock:
        if _cache.calendar is not None and time.monotonic() < _cache.expires_at:
            return _cache.calendar
        generation = _cache.generation
        overrides = load_overrides()
        previous = _cache.calendar
        # Unchanged overrides: keep the old object and the year tables it has built.
        if previous is not None and dict(previous.overrides) == overrides:
            calendar = previous
        else:
            calendar = build_calendar(overrides)
        # An invalidation while we read means our rows may be stale: use, don't keep.
        if generation == _cache.generation:
            _cache.calendar = calendar
            _cache.expires_at = time.monotonic() + settings.EGOV_CALENDAR_CACHE_SECONDS
        return calendar


def invalidate_calendar() -> None:
    """Forget the cached calendar; the next :func:`get_calendar` reloads overrides."""
    with _cache_lock:
        _cache.generation += 1
        _cache.calendar = None
        _cache.expires_at = 0.0


_CALENDAR_SETTINGS = frozenset(
    {"EGOV_OFFICE_HOURS", "EGOV_WORKING_WEEKDAYS", "EGOV_CALENDAR_CACHE_SECONDS", "TIME_ZONE"}
)


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    # Only fires under override_settings (tests); production settings are fixed.
    if setting in _CALENDAR_SETTINGS:
        invalidate_calendar()
