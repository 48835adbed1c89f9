"""Reads of ratings and questions shared by pages, the API and the statistics.

Published figures (``/danh-gia/``) are computed by the database in one grouped
query per page (counts per level, sums and counts of each indicator's score per
agency) and folded into the subtree of each agency in Python, the way
:mod:`egov.dossiers.stats.figures` folds dossiers. They never contain personal data;
comments appear only once staff published them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from egov.accounts.permissions import Perm, active_assignments
from egov.core.models import Unit, UnitLevel
from egov.core.periods import Period, period_bounds
from egov.core.selectors.units import parent_of
from egov.dossiers.selectors import due_soon_limit
from egov.feedback.indicators import INDICATORS, MAX_SCORE, SCORE_COLUMNS
from egov.feedback.models import Level, Question, QuestionStatus, Rating
from egov.procedures.text import search_terms

#: Holding one of these in a unit lets a person answer the questions sent to it
#: (and moderate the comments of its ratings). The lead may replace them with a
#: dedicated ``feedback.answer`` permission.
ANSWER_PERMS: tuple[str, ...] = (
    Perm.RECEIVE_DOSSIERS,
    Perm.PROCESS_DOSSIERS,
    Perm.APPROVE_DOSSIERS,
)


# --- published figures -----------------------------------------------------------------


@dataclass
class Figures:
    """Counts of one group of ratings; shares and scores derived."""

    count: int = 0
    levels: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0})
    on_time: int = 0
    on_time_known: int = 0
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORE_COLUMNS, 0))
    scored: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORE_COLUMNS, 0))

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            count=self.count + other.count,
            levels={k: self.levels[k] + other.levels[k] for k in self.levels},
            on_time=self.on_time + other.on_time,
            on_time_known=self.on_time_known + other.on_time_known,
            sums={k: self.sums[k] + other.sums[k] for k in self.sums},
            scored={k: self.scored[k] + other.scored[k] for k in self.scored},
        )

    def share(self, level: int) -> float | None:
        return self.levels[level] / self.count if self.count else None

    @property
    def unsatisfied_share(self) -> float | None:
        return self.share(Level.UNSATISFIED)

    @property
    def satisfied_only_share(self) -> float | None:
        return self.share(Level.SATISFIED)

    @property
    def very_satisfied_share(self) -> float | None:
        return self.share(Level.VERY_SATISFIED)

    @property
    def satisfied_share(self) -> float | None:
        """Satisfied or very satisfied."""
        if not self.count:
            return None
        return (self.levels[Level.SATISFIED] + self.levels[Level.VERY_SATISFIED]) / self.count

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.on_time_known if self.on_time_known else None

    def indicator_score(self, column: str) -> float | None:
        """Average score as a share of the best score (0–1), ``None`` without answers."""
        scored = self.scored[column]
        return self.sums[column] / (scored * MAX_SCORE) if scored else None

    @property
    def indicator_scores(self) -> list[tuple[Any, float | None]]:
        return [(item, self.indicator_score(item.column)) for item in INDICATORS]

    @property
    def overall_index(self) -> float | None:
        """Mean of the indicators' scores that have answers."""
        values = [v for _item, v in self.indicator_scores if v is not None]
        return sum(values) / len(values) if values else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "unsatisfied": self.levels[Level.UNSATISFIED],
            "satisfied": self.levels[Level.SATISFIED],
            "very_satisfied": self.levels[Level.VERY_SATISFIED],
            "unsatisfied_share": self.unsatisfied_share,
            "satisfied_share": self.satisfied_only_share,
            "very_satisfied_share": self.very_satisfied_share,
            "satisfied_or_better_share": self.satisfied_share,
            "on_time_share": self.on_time_share,
            "indicators": {item.code: self.indicator_score(item.column) for item in INDICATORS},
            "overall_index": self.overall_index,
        }


def _aggregates() -> dict[str, Any]:
    aggregates: dict[str, Any] = {
        "n": Count("pk"),
        "l1": Count("pk", filter=Q(level=Level.UNSATISFIED)),
        "l2": Count("pk", filter=Q(level=Level.SATISFIED)),
        "l3": Count("pk", filter=Q(level=Level.VERY_SATISFIED)),
        "ot": Count("pk", filter=Q(on_time=True)),
        "otk": Count("on_time"),
    }
    for column in SCORE_COLUMNS:
        aggregates[f"s_{column}"] = Sum(column)
        aggregates[f"c_{column}"] = Count(column)
    return aggregates


def _figures(row: Mapping[str, Any]) -> Figures:
    return Figures(
        count=row["n"],
        levels={1: row["l1"], 2: row["l2"], 3: row["l3"]},
        on_time=row["ot"],
        on_time_known=row["otk"],
        sums={c: row[f"s_{c}"] or 0 for c in SCORE_COLUMNS},
        scored={c: row[f"c_{c}"] for c in SCORE_COLUMNS},
    )


def _in_period(start: date, end: date) -> Q:
    """Local dates, both included."""
    starts_at, ends_at = period_bounds(start, end)
    return Q(rated_at__gte=starts_at, rated_at__lt=ends_at)


def satisfaction_summary(
    units: QuerySet[Unit] | Iterable[int | Unit], start: date, end: date
) -> dict[str, Any]:
    """Satisfaction of the dossiers received by ``units`` (agencies or one-stop desks;
    a queryset, units or ids; pass a whole subtree for subtree totals), rated between
    ``start`` and ``end`` (local dates, both included). One query.

    Keys: ``count``, ``unsatisfied``/``satisfied``/``very_satisfied`` (counts) and
    their ``*_share`` (0–1 or ``None``), ``satisfied_or_better_share``,
    ``on_time_share``, ``indicators`` ({code: 0–1 or None}), ``overall_index``.
    """
    if isinstance(units, QuerySet):
        ids: Any = units.values("pk")
    else:
        ids = [u.pk if isinstance(u, Unit) else int(u) for u in units]
    qs = Rating.objects.filter(Q(agency_id__in=ids) | Q(receiving_unit_id__in=ids))
    row = qs.filter(_in_period(start, end)).aggregate(**_aggregates())
    return _figures(row).as_dict()


@dataclass(frozen=True)
class RatingsRow:
    unit: Unit
    figures: Figures
    is_self: bool = False


@dataclass(frozen=True)
class RatingsTable:
    unit: Unit | None
    period: Period
    totals: Figures
    rows: list[RatingsRow]


SORT_KEYS: dict[str, Any] = {
    "name": lambda row: row.unit.name.casefold(),
    "count": lambda row: row.figures.count,
    "very_satisfied": lambda row: row.figures.very_satisfied_share or 0,
    "satisfied": lambda row: row.figures.satisfied_share or 0,
    "unsatisfied": lambda row: row.figures.unsatisfied_share or 0,
    "on_time": lambda row: row.figures.on_time_share or 0,
    "index": lambda row: row.figures.overall_index or 0,
}


def ratings_table(
    unit: Unit | None, period: Period, *, sort: str = "count", descending: bool = True
) -> RatingsTable:
    """Figures of ``unit``'s subtree (the whole tree for ``None``) in ``period``, and
    one row per direct child (each with its own subtree); ratings given to ``unit``
    itself make a row of their own. Agencies without ratings show with zeros."""
    qs = Rating.objects.filter(_in_period(period.start, period.end))
    if unit is not None:
        qs = qs.filter(agency__path__startswith=unit.path)
    grouped = {
        row["agency__path"]: _figures(row)
        for row in qs.values("agency__path").annotate(**_aggregates()).order_by()
    }
    if unit is None:
        children = list(Unit.objects.filter(depth=1, dissolved_at__isnull=True).order_by("path"))
        child_length = Unit.steplen
    else:
        children = list(
            Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
            .filter(dissolved_at__isnull=True)
            .exclude(level=UnitLevel.INTERNAL)
            .order_by("path")
        )
        child_length = len(unit.path) + Unit.steplen
    by_prefix: dict[str, Figures] = {}
    own = Figures()
    for path, figures in grouped.items():
        if unit is not None and len(path) < child_length:
            own = own + figures
        else:
            prefix = path[:child_length]
            by_prefix[prefix] = by_prefix.get(prefix, Figures()) + figures
    rows = [RatingsRow(child, by_prefix.get(child.path, Figures())) for child in children]
    rows.sort(key=SORT_KEYS.get(sort, SORT_KEYS["count"]), reverse=descending)
    if unit is not None and own.count:
        rows.insert(0, RatingsRow(unit, own, is_self=True))
    totals = Figures()
    for figures in grouped.values():
        totals = totals + figures
    return RatingsTable(unit=unit, period=period, totals=totals, rows=rows)


def published_comments(unit: Unit | None, period: Period, limit: int = 10) -> QuerySet[Rating]:
    """Comments staff chose to publish (no names: the page shows only the text)."""
    qs = Rating.objects.filter(_in_period(period.start, period.end), comment_published=True)
    if unit is not None:
        qs = qs.filter(agency__path__startswith=unit.path)
    return qs.select_related("agency").order_by("-rated_at")[:limit]


def rating_agencies() -> QuerySet[Unit]:
    """Agencies offered as a filter of the published figures."""
    return Unit.objects.filter(dissolved_at__isnull=True).exclude(level=UnitLevel.INTERNAL)


# --- questions -----------------------------------------------------------------------------


def answerable_agencies(user: Any) -> QuerySet[Unit]:
    """Agencies whose questions ``user`` answers: the subtrees where they hold one of
    :data:`ANSWER_PERMS`, and the agency of a one-stop desk (an internal unit) where
    they work."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    condition = Q()
    found = False
    for assignment in active_assignments(user):
        if not set(ANSWER_PERMS) & set(assignment.role.permissions or ()):
            continue
        found = True
        unit = assignment.unit
        condition |= Q(path__startswith=unit.path)
        if unit.level == UnitLevel.INTERNAL:
            parent = parent_of(unit)
            if parent is not None:
                condition |= Q(pk=parent.pk)
    if not found:
        return Unit.objects.none()
    return Unit.objects.filter(condition)


def may_answer(user: Any, agency: Unit) -> bool:
    return answerable_agencies(user).filter(pk=agency.pk).exists()


def question_worklist(
    user: Any, *, now: datetime | None = None, answered: bool = False
) -> QuerySet[Question]:
    """Questions of the user's agencies: open ones, earliest deadline first, with
    ``is_overdue`` / ``is_due_soon`` (within one working day); or the answered ones."""
    now = now or timezone.now()
    qs = Question.objects.filter(agency__in=answerable_agencies(user)).select_related(
        "agency", "procedure"
    )
    if answered:
        return qs.filter(status=QuestionStatus.ANSWERED).order_by("-answered_at")
    soon = due_soon_limit(now)
    return (
        qs.filter(status=QuestionStatus.OPEN)
        .annotate(
            is_overdue=Case(
                When(due_at__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            is_due_soon=Case(
                When(due_at__gte=now, due_at__lte=soon, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("due_at", "pk")
    )


def faq(
    *,
    query: str = "",
    procedure: str = "",
    field_code: str = "",
    agency: str = "",
) -> QuerySet[Question]:
    """Published answered questions, newest answer first. ``query`` matches every
    word, with or without diacritics, in the subject, question or answer;
    ``procedure`` is a national code, ``field_code`` a field's code, ``agency`` an
    agency's identifier code (its subtree)."""
    qs = Question.objects.filter(is_published=True, status=QuestionStatus.ANSWERED)
    for term in search_terms(query):
        qs = qs.filter(search_key__icontains=term)
    if procedure:
        qs = qs.filter(procedure__national_code=procedure)
    if field_code:
        qs = qs.filter(field__code=field_code)
    if agency:
        root = Unit.objects.filter(code=agency.strip().upper(), dissolved_at__isnull=True).first()
        qs = qs.filter(agency__path__startswith=root.path) if root else qs.none()
    return qs.select_related("agency", "procedure", "field").order_by("-answered_at", "-pk")


def rating_of(dossier: Any) -> Rating | None:
    return Rating.objects.filter(dossier=dossier).first()


# --- complaints (phản ánh, kiến nghị) ------------------------------------------------------


def pakn_indicators(
    unit_ids: Iterable[int] | None, start: date, end: date, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Indicators 5.1, 5.2 and 5.3 of the 766 index for the complaints of
    ``unit_ids`` received between ``start`` and ``end`` (local dates, both included):
    a list of dicts with ``code``, ``title``, ``numerator``, ``denominator``,
    ``rule`` and ``lowering`` (``(label, url)`` of the complaints that lowered it).
    See :mod:`egov.feedback.complaint_indicators` for the rules."""
    from egov.feedback import complaint_indicators

    return complaint_indicators.pakn_indicators(unit_ids, start, end, now=now)


def dossiers_with_pakn_or_dislike(unit_ids: Iterable[int] | None, start: date, end: date) -> int:
    """Distinct dossiers that drew a complaint or a "not satisfied" rating in the period
    (indicator 5.4 of the 766 index)."""
    from egov.feedback import complaint_indicators

    return complaint_indicators.dossiers_with_pakn_or_dislike(unit_ids, start, end)


def question_counts(unit_ids: list[int], first: date, last: date) -> dict[str, int]:
    """Questions to the agencies ``unit_ids`` (permission-free, for reports): asked
    and answered between ``first`` and ``last`` (local dates, both included), and of
    those answered, answered by their due time."""
    starts_at, ends_at = period_bounds(first, last)
    asked = Question.objects.filter(
        agency_id__in=unit_ids, asked_at__gte=starts_at, asked_at__lt=ends_at
    ).count()
    row = Question.objects.filter(
        agency_id__in=unit_ids,
        status=QuestionStatus.ANSWERED,
        answered_at__gte=starts_at,
        answered_at__lt=ends_at,
    ).aggregate(
        answered=Count("pk"),
        on_time=Count("pk", filter=Q(answered_at__lte=F("due_at"))),
    )
    return {
        "asked": asked,
        "answered": int(row["answered"] or 0),
        "answered_on_time": int(row["on_time"] or 0),
    }
