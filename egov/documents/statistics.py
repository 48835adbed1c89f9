"""Statistics of incoming documents per agency for a period (what the reporting
issue reads): received (registered in the period), resolved on time, resolved
late, still open past the deadline, and the electronic share (received from the
platform or the exchange rather than on paper). One aggregate query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from egov.core.models import Unit
from egov.core.periods import period_bounds
from egov.documents.models import OPEN_STATUSES, IncomingDocument, Source


@dataclass(frozen=True)
class UnitStatistics:
    agency: Unit
    received: int
    electronic: int
    on_time: int
    late: int
    overdue_open: int

    @property
    def electronic_share(self) -> float:
        """Share of the received documents that arrived electronically (0–1)."""
        return self.electronic / self.received if self.received else 0.0

    @property
    def on_time_share(self) -> float:
        """On time among those resolved or due (0–1)."""
        judged = self.on_time + self.late + self.overdue_open
        return self.on_time / judged if judged else 0.0


def unit_statistics(
    agencies: Iterable[Unit], start: date, end: date, *, now: datetime | None = None
) -> list[UnitStatistics]:
    """One row per agency (in the order given), zeros where nothing arrived."""
    chosen = list(agencies)
    begin, finish = period_bounds(start, end)
    moment = now or timezone.now()
    rows = (
        IncomingDocument.objects.filter(
            recipient_agency__in=chosen, registered_at__gte=begin, registered_at__lt=finish
        )
        .values("recipient_agency")
        .annotate(
            received=Count("pk"),
            electronic=Count("pk", filter=~Q(source=Source.PAPER)),
            on_time=Count(
                "pk",
                filter=Q(resolved_at__isnull=False)
                & (Q(due_at__isnull=True) | Q(resolved_at__lte=F("due_at"))),
            ),
            late=Count("pk", filter=Q(resolved_at__isnull=False, resolved_at__gt=F("due_at"))),
            overdue_open=Count(
                "pk",
                filter=Q(resolved_at__isnull=True, status__in=OPEN_STATUSES, due_at__lt=moment),
            ),
        )
    )
    by_agency: dict[int, Any] = {row["recipient_agency"]: row for row in rows}
    result = []
    for agency in chosen:
        row: dict[str, int] = by_agency.get(agency.pk, {})
        result.append(
            UnitStatistics(
                agency=agency,
                received=row.get("received", 0),
                electronic=row.get("electronic", 0),
                on_time=row.get("on_time", 0),
                late=row.get("late", 0),
                overdue_open=row.get("overdue_open", 0),
            )
        )
    return result
