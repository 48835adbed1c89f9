"""Reads of the organisation tree shared by pages, the API, services and commands.

Every list is restricted to active units (``dissolved_at`` empty) unless the
caller asks for dissolved ones too: a dissolved unit stays in the tree as
history, under the parent it had, and is reached through its code or through
the records that point to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from egov.core.models import Unit, UnitCode

#: Columns of the import/export file format, in file order.
UNIT_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "short_name",
    "level",
    "parent_code",
    "is_one_stop",
    "statistics_code",
    "address",
    "phone",
    "email",
    "website",
    "name_en",
)


class SuccessorCycleError(RuntimeError):
    """The successor links of some units loop; the data must be repaired by hand."""


def active_units() -> QuerySet[Unit]:
    """Every unit in operation, in tree order."""
    return Unit.objects.filter(dissolved_at__isnull=True).order_by("path")


def _filtered(qs: QuerySet[Unit], include_dissolved: bool) -> QuerySet[Unit]:
    return qs if include_dissolved else qs.filter(dissolved_at__isnull=True)


def get_unit_by_code(
    code: str, at: datetime | None = None, *, follow_successor: bool = False
) -> Unit | None:
    """The unit that carries (or carried) the identifier ``code``.

    Without ``at``: the active unit whose current code it is; failing that, the
    latest unit that ever carried it (an old code of a renumbered unit, or the
    code of a dissolved unit, which is returned as is so its records stay readable).
    With ``at``: the unit that carried the code at that moment, per the code history.
    ``follow_successor`` returns the unit in operation that took over instead
    (see :func:`current_successor`), e.g. to route new work sent to an old code.
    """
    unit = _unit_by_code(code, at)
    if unit is not None and follow_successor:
        return current_successor(unit)
    return unit


def _unit_by_code(code: str, at: datetime | None) -> Unit | None:
    code = code.strip().upper()
    if not code:
        return None
    if at is not None:
        row = (
            UnitCode.objects.filter(code=code, valid_from__lte=at)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))
            .select_related("unit")
            .order_by("-valid_from")
            .first()
        )
        return row.unit if row else None
    current = Unit.objects.filter(code=code, dissolved_at__isnull=True).first()
    if current is not None:
        return current
    # A renumbered unit still in operation wins over a dissolved holder of the code.
    history = UnitCode.objects.filter(code=code).select_related("unit")
    row = history.filter(unit__dissolved_at__isnull=True).order_by("-valid_from").first()
    row = row or history.order_by("-valid_from").first()
    if row is not None:
        return row.unit
    # Units written before the code history existed have no UnitCode row.
    return Unit.objects.filter(code=code).order_by("-dissolved_at").first()


def current_successor(unit: Unit) -> Unit:
    """The unit in operation that took over ``unit``'s work: ``unit`` itself while it
    is active, else the end of its successor chain (a unit merged into one that was
    merged in turn leads to the last one). A dissolved unit without successor is
    returned as is. Raises :class:`SuccessorCycleError` on a looping chain."""
    seen = {unit.pk}
    current = unit
    while current.successor_id is not None:
        if current.successor_id in seen:
            raise SuccessorCycleError(f"successor links loop through unit #{current.successor_id}")
        seen.add(current.successor_id)
        current = Unit.objects.get(pk=current.successor_id)
    return current


def parent_of(unit: Unit) -> Unit | None:
    """The unit directly above ``unit`` (None for a root)."""
    if unit.depth <= 1:
        return None
    return Unit.objects.filter(path=unit.path[: -Unit.steplen]).first()


def children(unit: Unit, *, include_dissolved: bool = False) -> QuerySet[Unit]:
    """Units directly below ``unit``, in tree order."""
    qs = Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")
    return _filtered(qs, include_dissolved)


def subtree(
    unit: Unit, *, include_self: bool = True, include_dissolved: bool = False
) -> QuerySet[Unit]:
    """``unit`` and everything below it, in tree order (depth first)."""
    qs = Unit.objects.filter(path__startswith=unit.path).order_by("path")
    if not include_self:
        qs = qs.exclude(pk=unit.pk)
    return _filtered(qs, include_dissolved)


def ancestors(
    unit: Unit, *, include_self: bool = False, include_dissolved: bool = False
) -> QuerySet[Unit]:
    """The units above ``unit``, from the root down."""
    depth = unit.depth if include_self else unit.depth - 1
    paths = [unit.path[: Unit.steplen * n] for n in range(1, depth + 1)]
    qs = Unit.objects.filter(path__in=paths).order_by("depth")
    return _filtered(qs, include_dissolved)


def one_stop_units(unit: Unit) -> QuerySet[Unit]:
    """The active one-stop desks (Bộ phận Một cửa) serving ``unit``: the unit itself
    if it is one, and its direct sub-units flagged as such."""
    qs = Unit.objects.filter(
        Q(pk=unit.pk) | Q(path__startswith=unit.path, depth=unit.depth + 1),
        is_one_stop=True,
        dissolved_at__isnull=True,
    )
    return qs.order_by("path")


def unit_rows(root: Unit | None = None, *, include_dissolved: bool = False) -> list[dict[str, Any]]:
    """The tree (or ``root``'s subtree) as rows of the import/export format, parents
    before children. ``parent_code`` is the real parent's code even for the top row of
    a subtree, so importing the file back changes nothing."""
    qs = Unit.objects.all().order_by("path")
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    qs = _filtered(qs, include_dissolved)
    units = list(qs)
    code_by_path = dict(Unit.objects.values_list("path", "code"))
    rows: list[dict[str, Any]] = []
    for unit in units:
        parent_code = code_by_path.get(unit.path[: -Unit.steplen], "")
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "short_name": unit.short_name,
                "level": unit.level,
                "parent_code": parent_code,
                "is_one_stop": unit.is_one_stop,
                "statistics_code": unit.statistics_code,
                "address": unit.address,
                "phone": unit.phone,
                "email": unit.email,
                "website": unit.website,
                "name_en": unit.name_en,
            }
        )
    return rows
