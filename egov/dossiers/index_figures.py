"""Read-only figures of dossiers for the service-quality index (Quyết định 766/QĐ-TTg).

The quality app composes these counts into indicators; this module only counts,
in one aggregate query over the dossiers **received** in ``[start, end)`` whose
receiving agency is one of ``unit_ids`` (``None``: the whole province).

The index's own rule of timeliness (2.1), which differs from the one-stop
statistics (:mod:`egov.dossiers.stats.figures`) on purpose:

* end of processing = result ready, else result returned, else closed (refused,
  stopped, withdrawn), else — still waiting for the applicant — the moment the
  clock stopped; no end yet (or an end after the period) → the end of the period;
* late when that end is after the appointment (``due_at``, which already adds the
  time the clock stood still for a supplement or fees), **or** when a supplement
  was requested more than once, **or** when an apology letter (form 04) moved the
  appointment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Least

from egov.dossiers.models import (
    REUSED_ORIGINS,
    ApologyLetter,
    Channel,
    Dossier,
    DossierPaper,
    PaperOrigin,
)

#: Dossiers counted by 3.3 as online.
ONLINE = Channel.ONLINE


def received_in(
    unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> QuerySet[Dossier]:
    """Dossiers received in ``[start, end)`` by the agencies ``unit_ids``."""
    qs = Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
    if unit_ids is not None:
        qs = qs.filter(receiving_agency_id__in=list(unit_ids))
    return qs


def _papers(**filters: Any) -> Exists:
    return Exists(
        DossierPaper.objects.filter(dossier_id=OuterRef("pk"), **filters).exclude(is_draft=True)
    )


def _e_result() -> Exists:
    return Exists(
        DossierPaper.objects.filter(dossier_id=OuterRef("pk"), is_result=True).exclude(file="")
    )


def _digitised() -> Exists:
    return Exists(
        DossierPaper.objects.filter(
            dossier_id=OuterRef("pk"), is_result=False, is_draft=False
        ).exclude(file="")
    )


def _reused() -> Exists:
    return Exists(
        DossierPaper.objects.filter(dossier_id=OuterRef("pk"), origin__in=list(REUSED_ORIGINS))
    )


def _national_store() -> Exists:
    return Exists(
        DossierPaper.objects.filter(dossier_id=OuterRef("pk"), origin=PaperOrigin.NATIONAL_STORE)
    )


def _lookup() -> Exists:
    return Exists(DossierPaper.objects.filter(dossier_id=OuterRef("pk"), origin=PaperOrigin.LOOKUP))


def with_index_end(qs: QuerySet[Dossier], period_end: datetime) -> QuerySet[Dossier]:
    """Annotate ``index_end`` (end of processing by the index's rule) and
    ``index_late`` (see the module's docstring)."""
    end = Least(
        Coalesce(
            F("resolved_at"),
            F("returned_at"),
            F("closed_at"),
            F("paused_at"),
            Value(period_end, output_field=DateTimeField()),
        ),
        Value(period_end, output_field=DateTimeField()),
    )
    apologised = Exists(ApologyLetter.objects.filter(dossier_id=OuterRef("pk")))
    return qs.annotate(
        index_end=ExpressionWrapper(end, output_field=DateTimeField()),
        apologised=apologised,
    )


def late_q() -> Q:
    """Late by the index's rule (on a queryset from :func:`with_index_end`)."""
    return (
        Q(due_at__isnull=False, index_end__gt=F("due_at"))
        | Q(supplement_requests__gt=1)
        | Q(apologised=True)
    )


@dataclass(frozen=True)
class DossierCounts:
    received: int = 0
    late: int = 0
    online: int = 0
    desk: int = 0
    post: int = 0
    paper_result: int = 0
    e_result: int = 0
    digitised_and_e_result: int = 0
    reused: int = 0
    national_store: int = 0
    vneid_or_lookup: int = 0
    with_fee: int = 0


def dossier_counts(unit_ids: Sequence[int] | None, start: datetime, end: datetime) -> DossierCounts:
    """The counts of the index's dossier indicators, in one query."""
    qs = with_index_end(received_in(unit_ids, start, end), end).annotate(
        has_e_result=_e_result(),
        has_digitised=_digitised(),
        has_reused=_reused(),
        has_store=_national_store(),
        has_lookup=_lookup(),
    )
    paper_result = ~Q(procedure_version__result_type="")
    row = qs.aggregate(
        received=Count("pk"),
        late=Count("pk", filter=late_q()),
        online=Count("pk", filter=Q(channel=Channel.ONLINE)),
        desk=Count("pk", filter=Q(channel=Channel.DESK)),
        post=Count("pk", filter=Q(channel=Channel.POST)),
        paper_result=Count("pk", filter=paper_result),
        e_result=Count("pk", filter=paper_result & Q(has_e_result=True)),
        digitised_and_e_result=Count("pk", filter=Q(has_e_result=True, has_digitised=True)),
        reused=Count("pk", filter=Q(has_reused=True)),
        national_store=Count("pk", filter=Q(has_store=True)),
        vneid_or_lookup=Count("pk", filter=Q(applicant_vneid=True) | Q(has_lookup=True)),
        with_fee=Count("pk", filter=Q(fee_amount__gt=0)),
    )
    return DossierCounts(**{key: value or 0 for key, value in row.items()})


def lowering_dossiers(
    unit_ids: Sequence[int] | None, start: datetime, end: datetime, kind: str, limit: int = 50
) -> list[tuple[str, str]]:
    """``(code, applicant)`` of up to ``limit`` dossiers that lower an indicator:
    ``late`` (2.1), ``not_online`` (3.3), ``no_e_result`` (4.1), ``not_reused`` (4.3)."""
    qs = with_index_end(received_in(unit_ids, start, end), end)
    if kind == "late":
        qs = qs.filter(late_q())
    elif kind == "not_online":
        qs = qs.exclude(channel=Channel.ONLINE)
    elif kind == "no_e_result":
        qs = qs.exclude(procedure_version__result_type="").annotate(e=_e_result()).filter(e=False)
    elif kind == "not_reused":
        qs = qs.annotate(r=_reused()).filter(r=False)
    else:
        raise ValueError(kind)
    return list(qs.order_by("received_at", "pk").values_list("code", "applicant_name")[:limit])


def online_versions_used(
    unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> set[int]:
    """Ids of procedure versions with at least one online dossier received (3.2)."""
    qs = received_in(unit_ids, start, end).filter(channel=Channel.ONLINE)
    return set(qs.order_by().values_list("procedure_version_id", flat=True).distinct())


def fee_dossier_ids(
    unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> QuerySet[Dossier, Any]:
    """Dossiers received with a non-zero fee (3.6's denominator), as a subquery."""
    return received_in(unit_ids, start, end).filter(fee_amount__gt=0).values("pk")


def average_days_by_version(
    unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> dict[int, float]:
    """2.2: per procedure version, the average elapsed days (calendar time, from
    receipt to result ready) of dossiers received in the period and completed."""
    rows = (
        received_in(unit_ids, start, end)
        .filter(resolved_at__isnull=False)
        .order_by()
        .values("procedure_version_id")
        .annotate(
            avg=Avg(
                ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField())
            )
        )
    )
    result: dict[int, float] = {}
    for row in rows:
        value = row["avg"]
        if value is None:
            continue
        seconds = value.total_seconds() if hasattr(value, "total_seconds") else float(value)
        result[row["procedure_version_id"]] = round(seconds / 86400, 2)
    return result
