"""Import of a whole organisation tree from a file (CSV rows or JSON objects).

Units are matched by code (current or historical); the file is checked in full
against itself and the tree before anything is written, and the import is all or
nothing: a :class:`UnitImportError` lists every problem by row and column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from egov.core import audit
from egov.core.formatting import format_date
from egov.core.models import Unit, UnitCode
from egov.core.selectors.units import UNIT_COLUMNS
from egov.core.services.unit_tree import (
    AUDITED_FIELDS,
    Actor,
    apply_changes,
    clean_fields,
    create_units,
    lock_tree,
    move_branch,
    normalise_value,
    prepare_new,
    reloaded,
    require_manage,
)

# --- Import of a whole tree from a file ---------------------------------------

_TRUE = {"1", "true", "yes", "y", "x", "có", "co", "t"}
_FALSE = {"0", "false", "no", "n", "", "không", "khong", "f"}
REQUIRED_COLUMNS: tuple[str, ...] = ("code", "name", "level", "parent_code")


@dataclass(frozen=True)
class RowError:
    """One problem in an import file, located by row number and column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return gettext("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class UnitImportError(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.row, e.column))
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class UnitRow:
    """One row of an import file: the unit's code, its parent's code, and the values
    of the columns present in the file (absent columns are left untouched)."""

    row: int
    code: str
    parent_code: str
    values: dict[str, Any]
    #: Problems found while reading the row (unknown or missing columns, bad values).
    problems: list[RowError] = field(default_factory=list)
    #: False when a required column is missing: the row is then not checked further.
    complete: bool = True


@dataclass(frozen=True)
class UnitChange:
    """What the import did (or, in a dry run, would do) for one row."""

    action: str  # "create", "update" or "move"
    row: int
    code: str
    name: str
    changes: dict[str, list[Any]]


@dataclass
class ImportReport:
    changes: list[UnitChange] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)


class _DryRunRollback(Exception):
    def __init__(self, report: ImportReport) -> None:
        self.report = report


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            name: [str(m) for m in ValidationError(errs).messages]
            for name, errs in error.error_dict.items()
        }
    return {NON_FIELD_ERRORS: [str(m) for m in error.messages]}


def _row_errors(row: int, error: ValidationError) -> list[RowError]:
    found: list[RowError] = []
    for name, messages in _messages(error).items():
        column = {"parent": "parent_code", NON_FIELD_ERRORS: "-"}.get(name, name)
        found.extend(RowError(row, column, message) for message in messages)
    return found


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = "" if raw is None else str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


def read_unit_records(records: Sequence[Mapping[str, Any]], *, first_row: int = 1) -> list[UnitRow]:
    """Turn raw records (CSV rows or JSON objects keyed by column name) into rows to
    import; ``first_row`` is the number shown for the first record (2 for a CSV file
    with a header line). Problems found here travel with the rows, so that
    :func:`import_unit_rows` reports them together with every other problem."""
    rows: list[UnitRow] = []
    for index, record in enumerate(records):
        number = first_row + index
        if not isinstance(record, Mapping):
            problem = RowError(number, "-", gettext("Each row must be an object of columns."))
            rows.append(UnitRow(number, "", "", {}, problems=[problem], complete=False))
            continue
        problems = [
            RowError(number, str(column), gettext("Unknown column."))
            for column in sorted(set(record) - set(UNIT_COLUMNS), key=str)
        ]
        missing = [column for column in REQUIRED_COLUMNS if column not in record]
        problems += [
            RowError(number, column, gettext("This column is missing.")) for column in missing
        ]
        values: dict[str, Any] = {}
        for column in UNIT_COLUMNS:
            if column in ("code", "parent_code") or column not in record:
                continue
            raw = record[column]
            if column == "is_one_stop":
                try:
                    values[column] = _parse_bool(raw)
                except ValueError:
                    problems.append(RowError(number, column, gettext("Write 1 (yes) or 0 (no).")))
                continue
            values[column] = "" if raw is None else str(raw)
        rows.append(
            UnitRow(
                row=number,
                code=normalise_value("code", record.get("code")),
                parent_code=normalise_value("code", record.get("parent_code")),
                values=values,
                problems=problems,
                complete=not missing,
            )
        )
    return rows


class _TreeIndex:
    """The whole tree and its code history read once, so that checking a file of
    hundreds of rows costs a few queries instead of several per row. Resolves codes
    the way :func:`~egov.core.selectors.units.get_unit_by_code` does."""

    def __init__(self) -> None:
        units = list(Unit.objects.all())
        self.by_pk = {unit.pk: unit for unit in units}
        self.by_path = {unit.path: unit for unit in units}
        self.active_by_code = {u.code: u for u in units if u.dissolved_at is None}
        self.dissolved_by_code: dict[str, Unit] = {}
        for unit in sorted(
            (u for u in units if u.dissolved_at is not None),
            key=lambda u: u.dissolved_at or timezone.now(),
        ):
            self.dissolved_by_code[unit.code] = unit
        self.history: dict[str, list[UnitCode]] = {}
        for row in UnitCode.objects.order_by("valid_from"):
            self.history.setdefault(row.code, []).append(row)

    def resolve(self, code: str) -> Unit | None:
        if code in self.active_by_code:
            return self.active_by_code[code]
        rows = self.history.get(code, [])
        for row in reversed(rows):
            if self.by_pk[row.unit_id].dissolved_at is None:
                return self.by_pk[row.unit_id]
        if rows:
            return self.by_pk[rows[-1].unit_id]
        return self.dissolved_by_code.get(code)

    def parent(self, unit: Unit) -> Unit | None:
        return self.by_path.get(unit.path[: -Unit.steplen]) if unit.depth > 1 else None


@dataclass
class _Planned:
    line: UnitRow
    existing: Unit | None = None
    new: Unit | None = None
    parent_row: _Planned | None = None
    parent_unit: Unit | None = None  # existing parent outside the file
    changed: dict[str, Any] = field(default_factory=dict)


def _plan_row(item: _Planned, tree: _TreeIndex, by_unit: dict[int, _Planned]) -> list[RowError]:
    """Match one row to the tree and validate its values."""
    line = item.line
    known = tree.resolve(line.code)
    if known is not None and known.dissolved_at is not None:
        message = gettext(
            "%(code)s belongs to %(unit)s, dissolved on %(date)s: a dissolved unit cannot "
            "be imported."
        ) % {"code": line.code, "unit": known.name, "date": format_date(known.dissolved_at)}
        return [RowError(line.row, "code", message)]
    if known is None:
        try:
            item.new = prepare_new({"code": line.code, **line.values}, None, check_code=False)
        except ValidationError as exc:
            return _row_errors(line.row, exc)
        return []
    if known.pk in by_unit:
        message = gettext("This row describes the same unit as row %(other)s (%(unit)s).") % {
            "other": by_unit[known.pk].line.row,
            "unit": known.name,
        }
        return [RowError(line.row, "code", message)]
    by_unit[known.pk] = item
    item.existing = known
    normalised = {name: normalise_value(name, value) for name, value in line.values.items()}
    item.changed = {k: v for k, v in normalised.items() if getattr(known, k) != v}
    probe = Unit(**{name: getattr(known, name) for name in AUDITED_FIELDS})
    for name, value in item.changed.items():
        setattr(probe, name, value)
    try:
        clean_fields(probe, item.changed)
    except ValidationError as exc:
        return _row_errors(line.row, exc)
    return []


def _plan_parent(
    item: _Planned,
    tree: _TreeIndex,
    by_code: dict[str, _Planned],
    by_unit: dict[int, _Planned],
) -> list[RowError]:
    code, parent_code, row = item.line.code, item.line.parent_code, item.line.row
    if not parent_code:
        return []
    if parent_code == code:
        return [RowError(row, "parent_code", gettext("A unit cannot be its own parent."))]
    if parent_code in by_code:
        item.parent_row = by_code[parent_code]
        return []
    parent = tree.resolve(parent_code)
    if parent is None:
        message = gettext("No unit with the code %(code)s, in the file or in the tree.")
        return [RowError(row, "parent_code", message % {"code": parent_code})]
    if parent.dissolved_at is not None:
        message = gettext("%(unit)s is dissolved: no unit can be placed under it.")
        return [RowError(row, "parent_code", message % {"unit": parent.name})]
    if parent.pk in by_unit:
        item.parent_row = by_unit[parent.pk]
    else:
        item.parent_unit = parent
    return []


def _parents_first(planned: list[_Planned]) -> tuple[list[_Planned], list[_Planned]]:
    """The rows ordered parents before children, and the rows whose parents loop."""
    ordered: list[_Planned] = []
    state: dict[int, str] = {}
    looping: list[_Planned] = []
    for start in planned:
        chain: list[_Planned] = []
        node: _Planned | None = start
        while node is not None and id(node) not in state:
            state[id(node)] = "visiting"
            chain.append(node)
            node = node.parent_row
        if node is not None and state[id(node)] == "visiting":
            looping.extend(chain[chain.index(node) :])
        for visited in reversed(chain):
            state[id(visited)] = "done"
            ordered.append(visited)
    return ordered, looping


def _plan(rows: Sequence[UnitRow], tree: _TreeIndex) -> list[_Planned]:
    """Validate every row against the file and the tree; returns the rows in
    parent-before-child order, or raises :class:`UnitImportError` with all problems."""
    errors: list[RowError] = []
    planned: list[_Planned] = []
    by_code: dict[str, _Planned] = {}
    by_unit: dict[int, _Planned] = {}
    for line in rows:
        item = _Planned(line)
        planned.append(item)
        errors.extend(line.problems)
        if not line.complete:
            continue
        if not line.code:
            errors.append(RowError(line.row, "code", gettext("This field cannot be blank.")))
            continue
        if line.code in by_code:
            message = gettext("The code %(code)s already appears in row %(other)s.") % {
                "code": line.code,
                "other": by_code[line.code].line.row,
            }
            errors.append(RowError(line.row, "code", message))
            continue
        by_code[line.code] = item
        errors.extend(_plan_row(item, tree, by_unit))
    for item in planned:
        if by_code.get(item.line.code) is item:
            errors.extend(_plan_parent(item, tree, by_code, by_unit))
    ordered, looping = _parents_first(planned)
    for item in looping:
        message = gettext("The parent codes of this row and others form a loop.")
        errors.append(RowError(item.line.row, "parent_code", message))
    if errors:
        raise UnitImportError(errors)
    return ordered


def _target_parent(item: _Planned) -> Unit | None:
    """Where the row says the unit belongs (an existing or a newly created unit)."""
    if item.parent_row is not None:
        return item.parent_row.existing or item.parent_row.new
    return item.parent_unit


def _anchor(item: _Planned) -> Unit | None:
    """The nearest existing unit at or above where ``item``'s parent will be."""
    node: _Planned | None = item.parent_row
    while node is not None and node.existing is None:
        node = node.parent_row
    return node.existing if node is not None else item.parent_unit


def _apply_plan(
    actor: Actor, ordered: Sequence[_Planned], tree: _TreeIndex, report: ImportReport
) -> None:
    at = timezone.now()
    creations: list[tuple[Unit, Unit | None]] = []
    for item in ordered:
        if item.new is None:
            continue
        anchor = _anchor(item)
        require_manage(actor, tree.by_pk[anchor.pk] if anchor is not None else None)
        creations.append((item.new, _target_parent(item)))
        filled = {k: v for k, v in item.line.values.items() if v not in ("", False)}
        shown = {"parent_code": item.line.parent_code or None, **filled}
        report.changes.append(
            UnitChange("create", item.line.row, item.new.code, item.new.name, audit.diff({}, shown))
        )
    if creations:
        create_units(actor, creations, at)
    # A unit's parent only changes when that unit itself is moved, so the parents
    # read before any move stay right for the rows that follow.
    parent_before = {
        item.existing.pk: tree.parent(item.existing) for item in ordered if item.existing
    }
    for item in ordered:
        if item.existing is None:
            continue
        current_parent = parent_before[item.existing.pk]
        wanted_parent = _target_parent(item)
        moving = (current_parent.pk if current_parent else None) != (
            wanted_parent.pk if wanted_parent else None
        )
        if not item.changed and not moving:
            report.unchanged += 1
            continue
        unit = Unit.objects.select_for_update().get(pk=item.existing.pk)
        try:
            changes = apply_changes(actor, unit, item.changed)
            moved = move_branch(actor, unit, reloaded(wanted_parent) if wanted_parent else None)
        except ValidationError as exc:
            raise UnitImportError(_row_errors(item.line.row, exc)) from exc
        if changes:
            report.changes.append(
                UnitChange("update", item.line.row, unit.code, unit.name, changes)
            )
        if moved:
            report.changes.append(
                UnitChange(
                    "move", item.line.row, unit.code, unit.name, {"parent_code": moved["parent"]}
                )
            )


def import_unit_rows(
    actor: Actor, rows: Sequence[UnitRow], *, dry_run: bool = False
) -> ImportReport:
    """Bring the tree in line with ``rows``: units are matched by code (current or
    old), new ones created, changed fields updated, parent changes carried out as
    moves; parents are handled before children whatever the file order.

    All or nothing: any invalid row raises :class:`UnitImportError` and nothing is
    written. With ``dry_run`` the changes are carried out and reported, then rolled
    back, so the report shows exactly what a real run would do.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            lock_tree()
            tree = _TreeIndex()
            ordered = _plan(rows, tree)
            _apply_plan(actor, ordered, tree, report)
            if dry_run:
                raise _DryRunRollback(report)
    except _DryRunRollback as rollback:
        return rollback.report
    return report
