"""One-stop figures by administrative level and field (cấp tỉnh / cấp huyện / cấp xã,
then lĩnh vực): the breakdown of the Government Office's periodic form on the
receiving and resolving of administrative dossiers.

A dossier's level is the level of its receiving agency: the provincial People's
Committee and its departments are the provincial level, a district's People's
Committee and its offices the district level, communes the commune level (an
internal unit counts at the level of the agency above it). The buckets are those
of :func:`egov.dossiers.stats.figures.dossier_statistics`, over the same scope and
period: one aggregate query grouped by level (a ``CASE`` over the subtree's ids),
procedure version, channel and status, folded into fields in Python. The fields
summed over the levels are the breakdown by field, so a caller that wants both
needs no second query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core.models import Unit, UnitLevel
from egov.core.periods import period_bounds
from egov.dossiers.stats import figures
from egov.dossiers.stats.figures import Counts, StatsRow, fold_name, sum_counts
from egov.procedures.models import ProcedureVersion

#: The three levels of the form, top first, with their names.
LEVELS: tuple[tuple[str, Any], ...] = (
    ("province", _("Province level")),
    ("district", _("District level")),
    ("commune", _("Commune level")),
)

_LEVEL_OF: dict[str, str] = {
    str(UnitLevel.PROVINCE): "province",
    str(UnitLevel.PROVINCIAL_AGENCY): "province",
    str(UnitLevel.DISTRICT): "district",
    str(UnitLevel.DISTRICT_AGENCY): "district",
    str(UnitLevel.COMMUNE): "commune",
}


@dataclass(frozen=True, slots=True)
class LevelRow:
    """One level: its totals and its fields (``StatsRow`` of kind ``"field"``)."""

    level: str
    name: str
    counts: Counts
    fields: list[StatsRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LevelsResult:
    levels: list[LevelRow]
    #: The fields over every level (the breakdown by field).
    fields: list[StatsRow]
    totals: Counts


def _unit_levels(unit: Unit, subtree: list[Any]) -> dict[int, str]:
    """The form's level of each unit of the subtree (internal units take their
    nearest agency's; a subtree rooted in an internal unit, its own agency's)."""
    by_path = {info.path: info for info in subtree}
    fallback = _LEVEL_OF.get(unit.level)
    if fallback is None:
        ancestors = Unit.objects.filter(
            path__in=[unit.path[:i] for i in range(Unit.steplen, len(unit.path), Unit.steplen)]
        ).exclude(level=UnitLevel.INTERNAL)
        nearest = ancestors.order_by("-depth").first()
        fallback = _LEVEL_OF.get(nearest.level if nearest else "", "province")
    found: dict[int, str] = {}
    for info in subtree:
        level = _LEVEL_OF.get(info.level)
        path = info.path
        while level is None and len(path) > len(unit.path):
            path = path[: -Unit.steplen]
            parent = by_path.get(path)
            level = _LEVEL_OF.get(parent.level) if parent else None
        found[info.pk] = level or fallback
    return found


def _field_rows(
    grouped: Mapping[int, Counts], versions: Mapping[int, ProcedureVersion]
) -> list[StatsRow]:
    acc: dict[int, Counts] = {}
    meta: dict[int, tuple[str, str]] = {}
    for version_id, counts in grouped.items():
        version = versions.get(version_id)
        if version is None:
            continue
        acc[version.field_id] = acc.get(version.field_id, Counts()) + counts
        meta[version.field_id] = (version.field.code, version.field.name)
    rows = [
        StatsRow("field", meta[pk][0], meta[pk][1], counts, pk=pk) for pk, counts in acc.items()
    ]
    rows.sort(key=lambda row: fold_name(row.name))
    return rows


def statistics_by_level_and_field(
    unit: Unit, start: date, end: date, *, now: datetime | None = None
) -> LevelsResult:
    """The figures of ``unit``'s subtree for ``start``–``end`` (local dates, both
    included) by level, each split by field; levels with no dossier are left out.
    Permission-free, like ``dossier_statistics``."""
    if end < start:
        raise ValueError("end must not be before start")
    starts_at, ends_at = period_bounds(start, end)
    as_of = min(ends_at, now or timezone.now())
    subtree = figures._subtree(unit)
    scope = figures._scope(unit, subtree, None, None)
    qs, column = scope.dossiers(), scope.column
    levels = _unit_levels(unit, subtree)
    whens = [
        When(
            **{f"{column}__in": [pk for pk, level in levels.items() if level == code]},
            then=Value(code),
        )
        for code, _name in LEVELS
        if any(level == code for level in levels.values())
    ]
    level_expr = Case(*whens, default=Value(""), output_field=CharField())
    query = cast(
        "QuerySet[Any, dict[str, Any]]",
        qs.filter(figures._relevant(starts_at, ends_at))
        .order_by()
        .annotate(form_level=level_expr)
        .values("form_level", "procedure_version_id", "channel", "status")
        .annotate(**figures._aggregates(starts_at, ends_at, as_of)),
    )
    rows = figures._run(query)
    grouped: dict[str, dict[int, Counts]] = {}
    for row in rows:
        by_version = grouped.setdefault(row["form_level"], {})
        counts = figures._counts(row)
        version_id = row["procedure_version_id"]
        by_version[version_id] = (
            by_version[version_id] + counts if version_id in by_version else counts
        )
    version_ids = {pk for by_version in grouped.values() for pk in by_version}
    versions = {
        v.pk: v for v in ProcedureVersion.objects.filter(pk__in=version_ids).select_related("field")
    }
    result: list[LevelRow] = []
    for code, name in LEVELS:
        level_versions = grouped.get(code) or {}
        if not level_versions:
            continue
        result.append(
            LevelRow(
                code,
                str(name),
                sum_counts(level_versions.values()),
                _field_rows(level_versions, versions),
            )
        )
    everything: dict[int, Counts] = {}
    for by_version in grouped.values():
        for version_id, counts in by_version.items():
            everything[version_id] = everything.get(version_id, Counts()) + counts
    return LevelsResult(
        levels=result,
        fields=_field_rows(everything, versions),
        totals=sum_counts(everything.values()),
    )
