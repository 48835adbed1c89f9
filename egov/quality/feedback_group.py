"""Group 5 of the 766 index (satisfaction): the feedback app's figures, with points.

The feedback app counts its complaints (phản ánh, kiến nghị) and ratings and knows
nothing of the index; this module turns its plain figures into index results:

- 5.1 feedback classified (no published points);
- 5.2 feedback handled on time, 6 points in proportion;
- 5.3 feedback satisfaction, 6 points in proportion;
- 5.4 satisfaction with procedures = 100 % − (late dossiers % + dossiers that drew
  a complaint or a "not satisfied" rating %), 6 points, full at 90 % or more.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from egov.feedback import selectors as feedback_selectors
from egov.quality.groups import IndicatorResult, proportional, share
from egov.quality.indicators import Units, counts_for

G5_EACH = Decimal(6)
G5_PROCEDURES_FULL_AT = Decimal(90)
MAX_POINTS = {"5.2": G5_EACH, "5.3": G5_EACH}


def _dates(start: datetime, end: datetime) -> tuple[date, date]:
    """The period ``[start, end)`` as the local dates the feedback app takes (both included)."""
    return timezone.localdate(start), timezone.localdate(end - timedelta(microseconds=1))


def group5(unit_ids: Units, start: datetime, end: datetime) -> list[IndicatorResult]:
    first, last = _dates(start, end)
    results = []
    for row in feedback_selectors.pakn_indicators(unit_ids, first, last):
        value = share(row["numerator"], row["denominator"])
        max_points = MAX_POINTS.get(row["code"])
        results.append(
            IndicatorResult(
                row["code"],
                row["title"],
                row["numerator"],
                row["denominator"],
                value,
                None if max_points is None else proportional(value, max_points),
                max_points,
                row["rule"],
                list(row["lowering"]),
            )
        )
    results.append(procedure_satisfaction(unit_ids, start, end))
    return results


def procedure_satisfaction(unit_ids: Units, start: datetime, end: datetime) -> IndicatorResult:
    counts = counts_for(unit_ids, start, end)
    first, last = _dates(start, end)
    complained = feedback_selectors.dossiers_with_pakn_or_dislike(unit_ids, first, last)
    late_share = share(counts.late, counts.received)
    complained_share = share(complained, counts.received)
    value = None
    if late_share is not None and complained_share is not None:
        value = max(Decimal(0), Decimal(100) - late_share - complained_share).quantize(
            Decimal("0.01")
        )
    return IndicatorResult(
        "5.4",
        _("Satisfaction with administrative procedures"),
        counts.received - counts.late - complained,
        counts.received,
        value,
        proportional(value, G5_EACH, full_at=G5_PROCEDURES_FULL_AT),
        G5_EACH,
        _(
            "100 % minus the share of late dossiers (the index's rule, as in 2.1) and the "
            'share of dossiers that drew a complaint or a "not satisfied" rating in the '
            "period, over the dossiers received in the period; full points at 90 % or more."
        ),
    )
