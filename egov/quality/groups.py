"""The groups of the 766 index and who computes each: a registry filled upward.

Groups 1–4 are computed by this app (:mod:`egov.quality.indicators`); group 5
(feedback, phản ánh kiến nghị) comes from the feedback app, which registers its
provider from its ``ready()``::

    quality.groups.register(5, provider)

A provider is ``provider(unit_ids, start, end) -> list[IndicatorResult]``:
``unit_ids`` the agencies of the subtree (``None``: the whole province),
``start``/``end`` aware datetimes, the period ``[start, end)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

GROUP_TITLES: dict[int, Any] = {
    1: _("Publicity and transparency"),
    2: _("Progress and results"),
    3: _("Online services"),
    4: _("Digitisation and reuse of data"),
    5: _("Satisfaction"),
}


#: Groups whose total is published (``index-766.md``) but not its split over the
#: indicators: the page shows the total and "no points rule yet" on each indicator.
GROUP_MAX_POINTS: dict[int, Decimal] = {1: Decimal(18), 4: Decimal(22)}


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator for one scope and period.

    ``value`` is the share in percent (2 decimals) or, for averages, the figure
    itself; ``None`` when the denominator is zero (shown as N/A). ``points`` /
    ``max_points`` are ``None`` where the official points rule is not known.
    ``lowering``: ``(label, url)`` of the dossiers or procedures that lowered it.
    """

    code: str
    title: str
    numerator: int | float
    denominator: int | float
    value: Decimal | None
    points: Decimal | None
    max_points: Decimal | None
    rule: str
    lowering: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": None if self.value is None else str(self.value),
            "points": None if self.points is None else str(self.points),
            "max_points": None if self.max_points is None else str(self.max_points),
            "points_rule_known": self.max_points is not None,
            "rule": self.rule,
            "lowering": [{"label": label, "url": url} for label, url in self.lowering],
        }


Provider = Callable[[Sequence[int] | None, datetime, datetime], list[IndicatorResult]]

_PROVIDERS: dict[int, list[Provider]] = {}


def register(group: int, provider: Provider) -> None:
    """Add ``provider`` for ``group`` (idempotent for the same function)."""
    if group not in GROUP_TITLES:
        raise ValueError(f"unknown group {group}")
    providers = _PROVIDERS.setdefault(group, [])
    if provider not in providers:
        providers.append(provider)


def unregister(group: int, provider: Provider) -> None:
    if provider in _PROVIDERS.get(group, []):
        _PROVIDERS[group].remove(provider)


def providers() -> dict[int, list[Provider]]:
    return {group: list(items) for group, items in sorted(_PROVIDERS.items())}


TWO = Decimal("0.01")


def share(numerator: int | float, denominator: int | float) -> Decimal | None:
    """Percent with 2 decimals; ``None`` when nothing to count."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(TWO, ROUND_HALF_UP)


def proportional(value: Decimal | None, max_points: Decimal, full_at: Decimal = Decimal(100)):
    """Full points at ``full_at`` percent or more, else in proportion; 0 for N/A."""
    if value is None:
        return Decimal(0).quantize(TWO)
    if value >= full_at:
        return max_points.quantize(TWO)
    return (max_points * value / full_at).quantize(TWO, ROUND_HALF_UP)
