"""Periods of the calendar and of official reporting, and their moments.

Statistics, published ratings, the audit log and the register of dossiers all
filter by local dates (both included). :func:`period_bounds` turns such dates into
the half-open moments ``[start 00:00, day after end 00:00)`` in the province's
time zone, so every app counts the same day the same way.

A :class:`Period` is a named span: a calendar month, quarter, half or year, or a
reporting period of Nghị định 09/2019 (``basis="cutoff"``: from the 15th of the
month before to the 14th). Text keys (``"2026"``, ``"2026-Q1"``, ``"2026-03"``)
name calendar periods in URLs and the API (:func:`parse_period`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: date) -> datetime:
    """00:00 of ``day`` in the province's time zone."""
    return datetime.combine(day, time.min, tzinfo=_tz())


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The half-open moments ``[start 00:00, day after end 00:00)``."""
    return local_midnight(start), local_midnight(end + timedelta(days=1))


def month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def months_back(year: int, month: int, count: int) -> tuple[int, int]:
    """``(year, month)`` ``count`` months before (after, when negative)."""
    index = year * 12 + (month - 1) - count
    return index // 12, index % 12 + 1


@dataclass(frozen=True, slots=True)
class Period:
    """A named period: a calendar or reporting month, quarter, half or year."""

    kind: str  # "month", "quarter", "half", "year"
    basis: str  # "calendar" or "cutoff" (Nghị định 09/2019)
    year: int
    number: int  # month 1-12, quarter 1-4, half 1-2; 1 for a year
    start: date
    end: date

    @property
    def key(self) -> str:
        """``"2026"``, ``"2026-Q1"``, ``"2026-H1"``, ``"2026-03"`` (calendar periods;
        a reporting period's key starts with ``R``)."""
        prefix = "" if self.basis == "calendar" else "R"
        if self.kind == "month":
            return f"{prefix}{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{prefix}{self.year}-Q{self.number}"
        if self.kind == "half":
            return f"{prefix}{self.year}-H{self.number}"
        return f"{prefix}{self.year}"

    @property
    def label(self) -> str:
        """A name no other period shares: a half is not its year, and a reporting
        period (15th to 14th) says its dates, or it would read as the calendar
        month, quarter or year of the same number."""
        if self.kind == "month":
            name = _("Month %(month)s/%(year)s") % {
                "month": f"{self.number:02d}",
                "year": self.year,
            }
        elif self.kind == "quarter":
            name = _("Quarter %(quarter)s/%(year)s") % {
                "quarter": self.number,
                "year": self.year,
            }
        elif self.kind == "half":
            name = (
                _("First half of %(year)s") if self.number == 1 else _("Second half of %(year)s")
            ) % {"year": self.year}
        else:
            name = _("Year %(year)s") % {"year": self.year}
        if self.basis == "calendar":
            return name
        return _("%(name)s (reporting period %(start)s–%(end)s)") % {
            "name": name,
            "start": self.start.strftime("%d/%m/%Y"),
            "end": self.end.strftime("%d/%m/%Y"),
        }


# --- calendar periods ---------------------------------------------------------------


def calendar_month(year: int, month: int) -> Period:
    return Period("month", "calendar", year, month, date(year, month, 1), month_end(year, month))


def calendar_quarter(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(
        "quarter", "calendar", year, quarter, date(year, first, 1), month_end(year, first + 2)
    )


def calendar_half(year: int, half: int) -> Period:
    first = 6 * (half - 1) + 1
    return Period("half", "calendar", year, half, date(year, first, 1), month_end(year, first + 5))


def calendar_year(year: int) -> Period:
    return Period("year", "calendar", year, 1, date(year, 1, 1), date(year, 12, 31))


# --- reporting periods (Nghị định 09/2019) -------------------------------------------


def _cutoff(kind: str, year: int, number: int, last_month: int, months: int) -> Period:
    """A reporting period: from the 15th of the month before its first month to the
    14th of its last month."""
    before_year, before_month = months_back(year, last_month, months)
    return Period(
        kind,
        "cutoff",
        year,
        number,
        date(before_year, before_month, 15),
        date(year, last_month, 14),
    )


def cutoff_month(year: int, month: int) -> Period:
    """Monthly report of ``month``: 15th of the previous month to the 14th."""
    return _cutoff("month", year, month, month, 1)


def cutoff_quarter(year: int, quarter: int) -> Period:
    """Quarterly report: e.g. Q1 runs from 15 December to 14 March."""
    return _cutoff("quarter", year, quarter, 3 * quarter, 3)


def cutoff_half(year: int, half: int) -> Period:
    return _cutoff("half", year, half, 6 * half, 6)


def cutoff_year(year: int) -> Period:
    """Annual report: 15 December of the year before to 14 December."""
    return _cutoff("year", year, 1, 12, 12)


def current_cutoff_month(today: date) -> Period:
    """The monthly reporting period that contains ``today``."""
    if today.day >= 15:
        year, month = months_back(today.year, today.month, -1)
        return cutoff_month(year, month)
    return cutoff_month(today.year, today.month)


# --- text keys -------------------------------------------------------------------------

_KEY = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{1,2})|[Qq](?P<quarter>[1-4])))?$")


def parse_period(text: str | None, *, today: date | None = None) -> Period | None:
    """``"2026"``, ``"2026-Q1"`` or ``"2026-03"`` → a calendar period; empty → this
    year; anything else → ``None``."""
    today = today or timezone.localdate()
    text = (text or "").strip()
    if not text:
        return calendar_year(today.year)
    match = _KEY.match(text)
    if not match:
        return None
    year = int(match["year"])
    if not 1990 <= year <= 2999:
        return None
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            return None
        return calendar_month(year, month)
    if match["quarter"]:
        return calendar_quarter(year, int(match["quarter"]))
    return calendar_year(year)


def period_choices(today: date | None = None, years: int = 3) -> list[tuple[str, str]]:
    """Calendar years, quarters and months of the last ``years`` years that have
    begun, newest first, as ``(key, label)``."""
    today = today or timezone.localdate()
    choices: list[tuple[str, str]] = []
    for year in range(today.year, today.year - years, -1):
        found = calendar_year(year)
        choices.append((found.key, found.label))
        for quarter in range(4, 0, -1):
            if date(year, 3 * quarter - 2, 1) <= today:
                q = calendar_quarter(year, quarter)
                choices.append((q.key, q.label))
        for month in range(12, 0, -1):
            if date(year, month, 1) <= today:
                m = calendar_month(year, month)
                choices.append((m.key, m.label))
    return choices
