"""The whole 766 index for a unit's subtree and a period: every registered group's
indicators, the score, and the trend over successive periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from egov.core.models import Unit
from egov.core.selectors.units import subtree
from egov.quality import groups
from egov.quality.groups import GROUP_TITLES, IndicatorResult
from egov.quality.indicators import shared_reads


@dataclass(frozen=True)
class GroupResult:
    number: int
    title: str
    indicators: list[IndicatorResult]

    @property
    def points(self) -> Decimal:
        return sum((i.points for i in self.indicators if i.points is not None), Decimal(0))

    @property
    def max_points(self) -> Decimal:
        return sum((i.max_points for i in self.indicators if i.max_points is not None), Decimal(0))

    @property
    def published_max_points(self) -> Decimal | None:
        """The group's published total when its split over the indicators is not
        known (then it counts in no score)."""
        return groups.GROUP_MAX_POINTS.get(self.number)


@dataclass(frozen=True)
class IndexResult:
    unit: Unit | None
    start: date
    end: date
    groups: list[GroupResult]

    @property
    def points(self) -> Decimal:
        return sum((g.points for g in self.groups), Decimal(0))

    @property
    def max_points(self) -> Decimal:
        return sum((g.max_points for g in self.groups), Decimal(0))

    @property
    def score(self) -> Decimal | None:
        """Points over the points that could be had, in percent (2 decimals)."""
        return groups.share(self.points, self.max_points)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit.code if self.unit else None,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "points": str(self.points),
            "max_points": str(self.max_points),
            "score": None if self.score is None else str(self.score),
            "groups": [
                {
                    "number": g.number,
                    "title": g.title,
                    "points": str(g.points),
                    "max_points": str(g.max_points),
                    "published_max_points": (
                        None if g.published_max_points is None else str(g.published_max_points)
                    ),
                    "indicators": [i.as_dict() for i in g.indicators],
                }
                for g in self.groups
            ],
        }


def unit_ids(unit: Unit | None) -> list[int] | None:
    """The ids of ``unit``'s subtree (dissolved units included); ``None`` for the
    province's root or no unit: no filter at all."""
    if unit is None or unit.depth == 1:
        return None
    return list(subtree(unit, include_dissolved=True).values_list("pk", flat=True))


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local dates, both included → aware ``[start 00:00, day after end 00:00)``."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def compute(unit: Unit | None, start: date, end: date) -> IndexResult:
    ids = unit_ids(unit)
    moment_start, moment_end = bounds(start, end)
    result: list[GroupResult] = []
    with shared_reads():
        for number, providers in groups.providers().items():
            rows: list[IndicatorResult] = []
            for provider in providers:
                rows.extend(provider(ids, moment_start, moment_end))
            result.append(GroupResult(number, str(GROUP_TITLES[number]), rows))
    return IndexResult(unit, start, end, result)


def month_periods(end: date, count: int = 6) -> list[tuple[date, date]]:
    """The ``count`` calendar months up to the one holding ``end``, oldest first."""
    periods: list[tuple[date, date]] = []
    year, month = end.year, end.month
    for _ in range(count):
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        periods.append((first, following - timedelta(days=1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(periods))


def trend(unit: Unit | None, end: date, count: int = 6) -> list[tuple[str, Decimal | None]]:
    """The score of each of the last ``count`` months: ``(MM/YYYY, score)``."""
    return [
        (f"{first:%m/%Y}", compute(unit, first, last).score)
        for first, last in month_periods(end, count)
    ]
