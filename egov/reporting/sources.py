"""Automatic indicators: figures the platform already knows, computed for a period
and a unit's subtree through the owning apps' selectors (never their tables).

Each source is a key (stored in ``Indicator.source``) naming a provider and the
figure it picks. Providers run once per computation whatever number of
indicators use them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from egov.core.models import Unit
from egov.documents.selectors import received_counts_of_units
from egov.dossiers.stats.figures import dossier_statistics
from egov.dossiers.stats.levels import statistics_by_level_and_field
from egov.feedback.selectors import question_counts, satisfaction_summary
from egov.outgoing.selectors import issued_counts

Figure = Decimal | int | None


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    label: Promise
    provider: str
    pick: Callable[[dict[str, Any]], Figure]


def _share(part: int | None, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _ratio(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(str(value)) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _d(name: str) -> Callable[[dict[str, Any]], Figure]:
    return lambda figures: int(figures["dossiers"][name])


SOURCES: dict[str, Source] = {
    s.key: s
    for s in [
        Source(
            "dossiers.received",
            _("Dossiers received (carried over + new)"),
            "dossiers",
            _d("received"),
        ),
        Source("dossiers.carried_over", _("Dossiers carried over"), "dossiers", _d("carried_over")),
        Source("dossiers.new", _("New dossiers received in the period"), "dossiers", _d("new")),
        Source(
            "dossiers.new_online", _("New dossiers received online"), "dossiers", _d("new_online")
        ),
        Source(
            "dossiers.online_share",
            _("Share of new dossiers received online"),
            "dossiers",
            lambda f: _share(f["dossiers"]["new_online"], f["dossiers"]["new"]),
        ),
        Source("dossiers.resolved", _("Dossiers resolved"), "dossiers", _d("resolved")),
        Source(
            "dossiers.resolved_in_time",
            _("Dossiers resolved on time"),
            "dossiers",
            _d("resolved_in_time"),
        ),
        Source(
            "dossiers.resolved_late", _("Dossiers resolved late"), "dossiers", _d("resolved_late")
        ),
        Source(
            "dossiers.on_time_share",
            _("Share of dossiers resolved on time"),
            "dossiers",
            lambda f: _share(f["dossiers"]["resolved_in_time"], f["dossiers"]["resolved"]),
        ),
        Source(
            "dossiers.in_progress",
            _("Dossiers in progress at the end"),
            "dossiers",
            _d("in_progress"),
        ),
        Source(
            "dossiers.in_progress_overdue",
            _("Dossiers overdue at the end"),
            "dossiers",
            _d("in_progress_overdue"),
        ),
        Source(
            "feedback.satisfaction_share",
            _("Share of ratings satisfied or better"),
            "satisfaction",
            lambda f: _ratio(f["satisfaction"]["satisfied_or_better_share"]),
        ),
        Source(
            "feedback.ratings",
            _("Ratings received"),
            "satisfaction",
            lambda f: int(f["satisfaction"]["count"]),
        ),
        Source(
            "feedback.questions_asked",
            _("Questions asked"),
            "questions",
            lambda f: f["questions"]["asked"],
        ),
        Source(
            "feedback.questions_answered",
            _("Questions answered"),
            "questions",
            lambda f: f["questions"]["answered"],
        ),
        Source(
            "outgoing.issued", _("Documents issued"), "outgoing", lambda f: f["outgoing"]["issued"]
        ),
        Source(
            "outgoing.signed",
            _("Documents issued with a digital signature"),
            "outgoing",
            lambda f: f["outgoing"]["digitally_signed"],
        ),
        Source(
            "outgoing.signed_share",
            _("Share of issued documents digitally signed"),
            "outgoing",
            lambda f: _share(f["outgoing"]["digitally_signed"], f["outgoing"]["issued"]),
        ),
        Source(
            "documents.received",
            _("Incoming documents received"),
            "documents",
            lambda f: f["documents"]["received"],
        ),
        Source(
            "documents.received_electronic",
            _("Incoming documents received electronically"),
            "documents",
            lambda f: f["documents"]["electronic"],
        ),
        Source(
            "documents.electronic_share",
            _("Share of incoming documents received electronically"),
            "documents",
            lambda f: _share(f["documents"]["electronic"], f["documents"]["received"]),
        ),
    ]
}


def source_choices() -> list[tuple[str, str]]:
    return [(key, str(source.label)) for key, source in SOURCES.items()]


@dataclass
class Computed:
    values: dict[str, Figure]
    tables: dict[str, Any]


def _subtree_ids(unit: Unit) -> list[int]:
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def _counts_row(name: str, code: str, counts: Any) -> dict[str, Any]:
    return {
        "name": name,
        "code": code,
        "received": counts.received,
        "new_online": counts.new_online,
        "resolved": counts.resolved,
        "resolved_in_time": counts.resolved_in_time,
        "resolved_late": counts.resolved_late,
        "in_progress_overdue": counts.in_progress_overdue,
    }


def compute(
    source_keys: Iterable[str], unit: Unit, start: date, end: date, *, tables: bool = True
) -> Computed:
    """The figures of ``source_keys`` for ``unit``'s subtree from ``start`` to ``end``
    (local dates, both included); with ``tables``, the one-stop breakdowns by
    subordinate unit, by field, and by level (province, district, commune) each split
    by field, like the Government Office's periodic form on administrative
    procedures."""
    wanted = [SOURCES[key] for key in source_keys if key in SOURCES]
    providers = {s.provider for s in wanted}
    figures: dict[str, Any] = {}
    breakdown: dict[str, Any] = {}
    ids: list[int] | None = None
    if "dossiers" in providers or (tables and wanted):
        result = dossier_statistics(unit, start, end, group_by="agency")
        figures["dossiers"] = result.totals.as_dict()
        if tables:
            breakdown["by_unit"] = [_counts_row(r.name, r.key, r.counts) for r in result.rows]
            # One query gives both the levels' fields and the fields over all levels.
            levels = statistics_by_level_and_field(unit, start, end)
            breakdown["by_field"] = [_counts_row(r.name, r.key, r.counts) for r in levels.fields]
            breakdown["by_level"] = [
                {
                    **_counts_row(level.name, level.level, level.counts),
                    "level": level.level,
                    "fields": [_counts_row(r.name, r.key, r.counts) for r in level.fields],
                }
                for level in levels.levels
            ]
    if providers - {"dossiers"}:
        ids = _subtree_ids(unit)
    if "satisfaction" in providers:
        figures["satisfaction"] = satisfaction_summary(ids or [], start, end)
    if "questions" in providers:
        figures["questions"] = question_counts(ids or [], start, end)
    if "outgoing" in providers:
        figures["outgoing"] = issued_counts(ids or [], start, end)
    if "documents" in providers:
        figures["documents"] = received_counts_of_units(ids or [], start, end)
    return Computed({s.key: s.pick(figures) for s in wanted}, breakdown)
