"""The periods of a regime (Nghị định 09/2019: data from the 15th of the month
before the period to the 14th of its last month) and their deadlines in working
days (the province's work calendar)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from egov.core import periods as core_periods
from egov.core.workcalendar import get_calendar
from egov.reporting.models import Frequency, Regime


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    key: str
    label: str
    start: date
    end: date


_KEYS = {
    Frequency.MONTHLY: re.compile(r"^(?P<year>\d{4})-(?P<n>\d{2})$"),
    Frequency.QUARTERLY: re.compile(r"^(?P<year>\d{4})-Q(?P<n>[1-4])$"),
    Frequency.SIX_MONTHS: re.compile(r"^(?P<year>\d{4})-H(?P<n>[12])$"),
    Frequency.NINE_MONTHS: re.compile(r"^(?P<year>\d{4})-9M$"),
    Frequency.YEARLY: re.compile(r"^(?P<year>\d{4})$"),
}


def _nine_months(year: int) -> ReportPeriod:
    return ReportPeriod(
        f"{year}-9M",
        _("Nine months of %(year)s") % {"year": year},
        date(year - 1, 12, 15),
        date(year, 9, 14),
    )


def _from_core(key: str, period: core_periods.Period, name: str) -> ReportPeriod:
    label = _("%(name)s (data %(start)s–%(end)s)") % {
        "name": name,
        "start": period.start.strftime("%d/%m/%Y"),
        "end": period.end.strftime("%d/%m/%Y"),
    }
    return ReportPeriod(key, label, period.start, period.end)


def period_of(regime: Regime, key: str) -> ReportPeriod | None:
    """The regime's period named ``key`` (``2026-03``, ``2026-Q1``, ``2026-H1``,
    ``2026-9M``, ``2026``; ``once`` for thematic and ad hoc regimes), or ``None``."""
    key = (key or "").strip().upper()
    if regime.frequency in (Frequency.THEMATIC, Frequency.AD_HOC):
        if key != "ONCE" or regime.period_start is None or regime.period_end is None:
            return None
        return ReportPeriod(
            "once",
            _("%(start)s–%(end)s")
            % {
                "start": regime.period_start.strftime("%d/%m/%Y"),
                "end": regime.period_end.strftime("%d/%m/%Y"),
            },
            regime.period_start,
            regime.period_end,
        )
    pattern = _KEYS.get(Frequency(regime.frequency))
    match = pattern.match(key) if pattern else None
    if match is None:
        return None
    year = int(match["year"])
    if not 2000 <= year <= 2999:
        return None
    if regime.frequency == Frequency.MONTHLY:
        month = int(match["n"])
        if not 1 <= month <= 12:
            return None
        found = core_periods.cutoff_month(year, month)
        return _from_core(
            key, found, _("Month %(n)s/%(year)s") % {"n": f"{month:02d}", "year": year}
        )
    if regime.frequency == Frequency.QUARTERLY:
        n = int(match["n"])
        found = core_periods.cutoff_quarter(year, n)
        return _from_core(key, found, _("Quarter %(n)s/%(year)s") % {"n": n, "year": year})
    if regime.frequency == Frequency.SIX_MONTHS:
        n = int(match["n"])
        found = core_periods.cutoff_half(year, n)
        name = _("First half of %(year)s") if n == 1 else _("Second half of %(year)s")
        return _from_core(key, found, name % {"year": year})
    if regime.frequency == Frequency.NINE_MONTHS:
        return _nine_months(year)
    found = core_periods.cutoff_year(year)
    return _from_core(key, found, _("Year %(year)s") % {"year": year})


def deadline_of(regime: Regime, period: ReportPeriod) -> date:
    """The last day to send: ``deadline_working_days`` working days after the cut-off."""
    return get_calendar().nth_working_day_after(period.end, max(1, regime.deadline_working_days))


def keys_back(regime: Regime, today: date, count: int) -> list[str]:
    year, month = today.year, today.month
    keys: list[str] = []
    if regime.frequency == Frequency.MONTHLY:
        for back in range(count):
            y, m = core_periods.months_back(year, month, back)
            keys.append(f"{y}-{m:02d}")
    elif regime.frequency == Frequency.QUARTERLY:
        q = (month - 1) // 3 + 1
        for _back in range(count):
            keys.append(f"{year}-Q{q}")
            year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    elif regime.frequency == Frequency.SIX_MONTHS:
        h = 1 if month <= 6 else 2
        for _back in range(count):
            keys.append(f"{year}-H{h}")
            year, h = (year, 1) if h == 2 else (year - 1, 2)
    elif regime.frequency == Frequency.NINE_MONTHS:
        keys = [f"{y}-9M" for y in range(year, year - count, -1)]
    elif regime.frequency == Frequency.YEARLY:
        keys = [str(y) for y in range(year, year - count, -1)]
    else:
        keys = ["once"]
    return keys


def recent_periods(regime: Regime, today: date, count: int = 4) -> list[ReportPeriod]:
    """The regime's periods whose data window has begun by ``today``, newest first."""
    found = [period_of(regime, key) for key in keys_back(regime, today, count + 1)]
    return [p for p in found if p is not None and p.start <= today][:count]


def due_period(regime: Regime, today: date) -> ReportPeriod | None:
    """The period whose report is due next: the latest one whose cut-off has passed
    (or is today) — the one being written now."""
    for period in recent_periods(regime, today, count=3):
        if period.end <= today:
            return period
    return None
