"""The only write path of the organisation tree (cơ cấu tổ chức).

Create, edit, renumber, move, merge and dissolve units, and import whole trees
from a file. Each public function checks permission, validates, runs in one
``transaction.atomic()`` and writes its audit entries inside it. Units are never
deleted: a merged or abolished unit keeps its row with ``dissolved_at`` and a
``successor``, so dossiers, documents and the audit log that point to it stay
readable, and its codes keep resolving (see :mod:`egov.core.selectors.units`).

Who may act
-----------
Every function takes the acting user first. A user needs ``Perm.MANAGE_UNITS``
(``org.manage_units``) through a role held in a unit at or above the unit:

* a unit's own contact details (address, phone, e-mail, website): in the unit;
* its identity and place in the tree (name, short name, level, one-stop flag,
  statistics code, identifier code, creating it, moving, merging or dissolving
  it): in its parent, the body that decides on its organisation. For a
  top-level unit (no parent) only a superuser may.

``actor=None`` stands for the platform itself: management commands (file import,
demo loader), data migrations and tasks carrying out a decision recorded
elsewhere. It skips the permission check and is written as "system" in the audit
log. Pages and the API always pass ``request.user``: an anonymous visitor is an
``AnonymousUser``, never ``None``, and is refused.

Restructuring hook
------------------
Other apps move their open work (dossiers, documents, assignments) to the unit
that takes over, by registering a handler at start-up (in ``AppConfig.ready``)::

    register_successor_handler(move_open_dossiers)  # called as f(sources, target)

Handlers run inside the merge (or dissolution with a successor) transaction,
after the sources are marked dissolved; an exception in a handler rolls the whole
restructuring back. They should record their own audit entries (``actor=None``
is fine: the merge entry names who decided).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.accounts.permissions import Perm, require_perm, roles_changed
from egov.core import audit
from egov.core.formatting import format_date
from egov.core.models import Unit, UnitCode
from egov.core.selectors.units import UNIT_COLUMNS, children, parent_of

Actor = AbstractBaseUser | AnonymousUser | None
SuccessorHandler = Callable[[Sequence[Unit], Unit], None]

#: What the unit is and how it is known: decided by the body above it.
IDENTITY_FIELDS: tuple[str, ...] = (
    "name",
    "short_name",
    "level",
    "is_one_stop",
    "statistics_code",
)
#: How to reach the unit: the unit's own administrators may keep these current.
CONTACT_FIELDS: tuple[str, ...] = ("address", "phone", "email", "website")
EDITABLE_FIELDS: tuple[str, ...] = IDENTITY_FIELDS + CONTACT_FIELDS
_AUDITED_FIELDS: tuple[str, ...] = ("code", *EDITABLE_FIELDS)
_NOT_VALIDATED = ("path", "depth", "numchild", "successor", "dissolved_at")


# --- Restructuring hook -------------------------------------------------------

_successor_handlers: list[SuccessorHandler] = []


def register_successor_handler(handler: SuccessorHandler) -> SuccessorHandler:
    """Have ``handler(sources, target)`` called whenever units are merged into (or
    dissolved in favour of) ``target``. Registering twice has no effect; usable as a
    decorator."""
    if handler not in _successor_handlers:
        _successor_handlers.append(handler)
    return handler


def unregister_successor_handler(handler: SuccessorHandler) -> None:
    """Stop calling ``handler`` (tests, or an app being switched off)."""
    if handler in _successor_handlers:
        _successor_handlers.remove(handler)


def _notify_successor(sources: Sequence[Unit], target: Unit) -> None:
    for handler in list(_successor_handlers):
        handler(list(sources), target)


# --- Shared helpers -------------------------------------------------------------


@dataclass(frozen=True)
class NewUnit:
    """Description of a unit to create, e.g. the new commune two communes merge into."""

    parent: Unit | None
    code: str
    name: str
    level: str
    short_name: str = ""
    is_one_stop: bool = False
    statistics_code: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""

    def fields(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values.pop("parent")
        return values


def _normalise(name: str, value: Any) -> Any:
    if name == "is_one_stop":
        return bool(value)
    text = "" if value is None else str(value).strip()
    if name == "code":
        text = text.upper()
    if name == "email":
        text = text.lower()
    return text


def _snapshot(unit: Unit) -> dict[str, Any]:
    return {name: getattr(unit, name) for name in _AUDITED_FIELDS}


def _copy_state(target: Unit, source: Unit) -> None:
    """Bring the caller's instance up to date (paths change when the tree does)."""
    if target is source:
        return
    for model_field in Unit._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(source, model_field.attname))


def _lock_tree() -> None:
    # Treebeard hands out paths by reading the last sibling and rewrites branches
    # with plain UPDATEs; locking the root rows serialises structural changes.
    list(Unit.objects.select_for_update().filter(depth=1).values_list("pk", flat=True))


def _fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def _resolve_at(at: datetime | None) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now:
        raise ValidationError(
            _(
                "A change to the organisation cannot be dated in the future: carry it out "
                "on the day it takes effect."
            ),
            code="future_date",
        )
    return at


def _is_platform_admin(actor: Actor) -> bool:
    return bool(
        actor is not None
        and actor.is_authenticated
        and getattr(actor, "is_active", False)
        and getattr(actor, "is_superuser", False)
    )


def _require_manage(actor: Actor, unit: Unit | None) -> None:
    """``actor`` may manage units in ``unit``; ``unit=None`` is the top of the tree."""
    if actor is None:
        return
    if unit is None:
        if not _is_platform_admin(actor):
            raise PermissionDenied(
                gettext("Only a platform administrator can change top-level units.")
            )
        return
    require_perm(actor, Perm.MANAGE_UNITS, unit)


def _ensure_active(unit: Unit) -> None:
    if unit.dissolved_at is not None:
        raise ValidationError(
            _("%(unit)s was dissolved on %(date)s and can no longer be changed."),
            code="dissolved",
            params={"unit": unit.name, "date": format_date(unit.dissolved_at)},
        )


def _ensure_can_hold_children(parent: Unit | None, field_name: str = "parent") -> None:
    if parent is not None and parent.dissolved_at is not None:
        raise ValidationError(
            {
                field_name: ValidationError(
                    _("%(unit)s is dissolved: no unit can be placed under it."),
                    code="dissolved_parent",
                    params={"unit": parent.name},
                )
            }
        )


def _check_code_free(code: str, unit: Unit | None = None) -> None:
    """A code may be taken only if no unit in operation carries it, now or as an old
    code that still resolves to it."""
    holders = Unit.objects.filter(code=code, dissolved_at__isnull=True)
    history = UnitCode.objects.filter(code=code, unit__dissolved_at__isnull=True)
    if unit is not None and unit.pk is not None:
        holders = holders.exclude(pk=unit.pk)
        history = history.exclude(unit_id=unit.pk)
    holder = holders.first()
    if holder is not None:
        raise ValidationError(
            {
                "code": ValidationError(
                    _("The code %(code)s is already used by %(unit)s."),
                    code="code_taken",
                    params={"code": code, "unit": holder.name},
                )
            }
        )
    old = history.select_related("unit").first()
    if old is not None:
        raise ValidationError(
            {
                "code": ValidationError(
                    _("The code %(code)s was used by %(unit)s and still leads to it."),
                    code="code_in_history",
                    params={"code": code, "unit": old.unit.name},
                )
            }
        )


def _clean(unit: Unit, names: Iterable[str]) -> None:
    """Field validation (format, length, choices) of ``names`` only."""
    wanted = set(names)
    exclude = [f.name for f in Unit._meta.concrete_fields if f.name not in wanted]
    unit.clean_fields(exclude=exclude)


def _prepare_new(
    values: Mapping[str, Any], parent: Unit | None, *, check_code: bool = True
) -> Unit:
    """An unsaved, validated unit; raises ValidationError keyed by field."""
    unknown = set(values) - {"code", *EDITABLE_FIELDS}
    if unknown:
        raise TypeError(f"unknown unit fields: {', '.join(sorted(unknown))}")
    cleaned = {name: _normalise(name, value) for name, value in values.items()}
    unit = Unit(**cleaned)
    _clean(unit, cleaned)
    _ensure_can_hold_children(parent)
    if check_code:
        _check_code_free(unit.code)
    return unit


def _last_step(parent_path: str, depth: int) -> int:
    low, high = Unit._get_children_path_interval(parent_path)
    last = (
        Unit.objects.filter(depth=depth, path__range=(low, high))
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return int(Unit._str2int(last[-Unit.steplen :])) if last else 0


def _insert(items: Sequence[tuple[Unit, Unit | None]]) -> None:
    """Save new units with bulk INSERTs, computing their materialised paths here.

    Each item is ``(new unit, parent)``; the parent is an existing unit, ``None``
    for a top-level unit, or a new unit of an earlier item. Appends after the
    current last child, as treebeard's ``add_child`` does, one query per parent.
    """
    next_step: dict[str, int] = {}
    added_under_existing: Counter[str] = Counter()
    fresh_parents: dict[int, Unit] = {}
    for unit, _parent in items:
        unit.numchild = 0
    for unit, parent in items:
        if parent is None:
            parent_path, depth = "", 1
        elif parent.pk is None:
            if not getattr(parent, "path", ""):
                raise ValueError("a new parent must come before its children")
            parent_path, depth = parent.path, parent.depth + 1
            parent.numchild += 1
        else:
            if parent.pk not in fresh_parents:
                fresh_parents[parent.pk] = _fresh(parent)
            parent_path = fresh_parents[parent.pk].path
            depth = fresh_parents[parent.pk].depth + 1
            added_under_existing[parent_path] += 1
        if parent_path not in next_step:
            next_step[parent_path] = _last_step(parent_path, depth) + 1
        unit.path = Unit._get_path(parent_path, depth, next_step[parent_path])
        unit.depth = depth
        next_step[parent_path] += 1
    Unit.objects.bulk_create([unit for unit, _parent in items])
    for path, count in added_under_existing.items():
        Unit.objects.filter(path=path).update(numchild=F("numchild") + count)


def _create(actor: Actor, items: Sequence[tuple[Unit, Unit | None]], at: datetime) -> None:
    """Insert validated new units, open their code history, audit each one."""
    _insert(items)
    UnitCode.objects.bulk_create(
        [UnitCode(unit=unit, code=unit.code, valid_from=at) for unit, _parent in items]
    )
    for unit, parent in items:
        after = {k: v for k, v in _snapshot(unit).items() if v not in ("", False)}
        after["parent"] = parent.code if parent is not None else None
        audit.record(
            actor=actor,
            action="unit.create",
            obj=unit,
            unit=unit,
            changes=audit.diff({}, after),
        )


def _apply_changes(actor: Actor, unit: Unit, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Update editable fields of a locked, fresh ``unit``; returns the audited diff."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        hint = ""
        if "code" in unknown:
            hint = " (use change_unit_code)"
        elif "parent" in unknown:
            hint = " (use move_unit)"
        raise TypeError(
            f"fields that update_unit cannot change: {', '.join(sorted(unknown))}{hint}"
        )
    normalised = {name: _normalise(name, value) for name, value in values.items()}
    changed = {name: value for name, value in normalised.items() if getattr(unit, name) != value}
    if not changed:
        return {}
    if changed.keys() & set(IDENTITY_FIELDS):
        _require_manage(actor, parent_of(unit))
    else:
        _require_manage(actor, unit)
    _ensure_active(unit)
    before = _snapshot(unit)
    for name, value in changed.items():
        setattr(unit, name, value)
    _clean(unit, changed)
    unit.save(update_fields=[*changed, "updated_at"])
    changes = audit.diff(before, _snapshot(unit))
    renamed = bool(changed.keys() & {"name", "short_name"})
    audit.record(
        actor=actor,
        action="unit.rename" if renamed else "unit.update",
        obj=unit,
        unit=unit,
        changes=changes,
    )
    return changes


def _close_codes(unit: Unit, at: datetime) -> None:
    """End the unit's open code rows at ``at`` (adding the missing row for a unit
    created before the history existed)."""
    open_rows = list(UnitCode.objects.filter(unit=unit, valid_to__isnull=True))
    for row in open_rows:
        if at < row.valid_from:
            raise ValidationError(
                _("The date %(date)s is before the current code took effect (%(since)s)."),
                code="before_current_code",
                params={"date": format_date(at), "since": format_date(row.valid_from)},
            )
    if open_rows:
        UnitCode.objects.filter(pk__in=[r.pk for r in open_rows]).update(valid_to=at)
    elif not UnitCode.objects.filter(unit=unit, code=unit.code).exists():
        UnitCode.objects.create(
            unit=unit, code=unit.code, valid_from=min(unit.created_at, at), valid_to=at
        )


def _move(actor: Actor, unit: Unit, new_parent: Unit | None) -> dict[str, list[Any]]:
    """Move fresh ``unit`` (with its branch) under fresh ``new_parent``; audited."""
    old_parent = parent_of(unit)
    if (old_parent.pk if old_parent else None) == (new_parent.pk if new_parent else None):
        return {}
    _require_manage(actor, old_parent)
    _require_manage(actor, new_parent)
    _ensure_active(unit)
    _ensure_can_hold_children(new_parent)
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationError(
            {
                "parent": ValidationError(
                    _("A unit cannot be moved under itself or one of its own sub-units."),
                    code="move_cycle",
                )
            }
        )
    if new_parent is None:
        last_root = Unit.objects.filter(depth=1).order_by("-path").first()
        Unit.objects.move(unit, last_root, "last-sibling")
    else:
        Unit.objects.move(unit, new_parent, "last-child")
    unit.refresh_from_db()
    # Cached role grants hold unit paths, which the move has just rewritten.
    roles_changed()
    changes = {
        "parent": [
            old_parent.code if old_parent else None,
            new_parent.code if new_parent else None,
        ]
    }
    audit.record(actor=actor, action="unit.move", obj=unit, unit=unit, changes=changes)
    return changes


def _dissolve(actor: Actor, unit: Unit, at: datetime, successor: Unit | None, action: str) -> None:
    _close_codes(unit, at)
    unit.dissolved_at = at
    unit.successor = successor
    unit.save(update_fields=["dissolved_at", "successor", "updated_at"])
    audit.record(
        actor=actor,
        action=action,
        obj=unit,
        unit=unit,
        changes={
            "dissolved_at": [None, at.isoformat()],
            "successor": [None, successor.code if successor else None],
        },
    )


# --- Single-unit operations ---------------------------------------------------


def create_unit(
    actor: Actor,
    parent: Unit | None,
    *,
    code: str,
    name: str,
    level: str,
    short_name: str = "",
    is_one_stop: bool = False,
    statistics_code: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    website: str = "",
    at: datetime | None = None,
) -> Unit:
    """Create a unit under ``parent`` (``None``: a new top-level unit), its code valid
    from ``at`` (default now). Needs the permission in ``parent``."""
    values = {
        "code": code,
        "name": name,
        "level": level,
        "short_name": short_name,
        "is_one_stop": is_one_stop,
        "statistics_code": statistics_code,
        "address": address,
        "phone": phone,
        "email": email,
        "website": website,
    }
    with transaction.atomic():
        at = _resolve_at(at)
        _lock_tree()
        fresh_parent = _fresh(parent) if parent is not None else None
        _require_manage(actor, fresh_parent)
        unit = _prepare_new(values, fresh_parent)
        _create(actor, [(unit, fresh_parent)], at)
    if parent is not None and fresh_parent is not None:
        parent.numchild = fresh_parent.numchild + 1
    return unit


def update_unit(actor: Actor, unit: Unit, **fields: Any) -> Unit:
    """Change a unit's name, short name, level, one-stop flag, statistics code or
    contact details. A change of name or short name is audited as ``unit.rename``.
    The identifier code and the place in the tree have their own functions."""
    with transaction.atomic():
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        _apply_changes(actor, current, fields)
    _copy_state(unit, current)
    return current


def change_unit_code(actor: Actor, unit: Unit, new_code: str, at: datetime | None = None) -> Unit:
    """Give ``unit`` a new identifier code from ``at`` (default now). The old code
    stays in the history and keeps resolving to the unit."""
    with transaction.atomic():
        at = _resolve_at(at)
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        _require_manage(actor, parent_of(current))
        _ensure_active(current)
        code = _normalise("code", new_code)
        if code == current.code:
            raise ValidationError(
                {"code": ValidationError(_("The unit already has this code."), code="same_code")}
            )
        old_code = current.code
        current.code = code
        _clean(current, ["code"])
        _check_code_free(code, current)
        current.code = old_code
        _close_codes(current, at)
        UnitCode.objects.create(unit=current, code=code, valid_from=at)
        current.code = code
        current.save(update_fields=["code", "updated_at"])
        audit.record(
            actor=actor,
            action="unit.change_code",
            obj=current,
            unit=current,
            changes={"code": [old_code, code], "valid_from": [None, at.isoformat()]},
        )
    _copy_state(unit, current)
    return current


def move_unit(actor: Actor, unit: Unit, new_parent: Unit | None) -> Unit:
    """Move ``unit`` and everything below it under ``new_parent`` (``None``: make it
    a top-level unit). Needs the permission in the old and the new parent. Refuses a
    move under the unit itself or its sub-units, and into a dissolved unit."""
    with transaction.atomic():
        _lock_tree()
        current = _fresh(unit)
        target = _fresh(new_parent) if new_parent is not None else None
        _move(actor, current, target)
    _copy_state(unit, current)
    return current


def dissolve_unit(
    actor: Actor,
    unit: Unit,
    *,
    at: datetime | None = None,
    successor: Unit | None = None,
    cascade: bool = False,
) -> Unit:
    """Dissolve ``unit`` at ``at`` (default now); its row and codes stay as history.

    ``successor`` is the unit that takes over its work (successor handlers are then
    called with it). Sub-units still in operation must first be moved elsewhere,
    unless ``cascade`` dissolves them together with the unit (e.g. a district's
    offices and one-stop desk), with the same successor.
    """
    with transaction.atomic():
        at = _resolve_at(at)
        _lock_tree()
        current = _fresh(unit)
        _require_manage(actor, parent_of(current))
        _ensure_active(current)
        heir: Unit | None = None
        if successor is not None:
            heir = _fresh(successor)
            _require_manage(actor, heir)
            if heir.dissolved_at is not None or heir.path.startswith(current.path):
                raise ValidationError(
                    {
                        "successor": ValidationError(
                            _("The successor must be a unit in operation outside %(unit)s."),
                            code="bad_successor",
                            params={"unit": current.name},
                        )
                    }
                )
        below = list(
            Unit.objects.filter(path__startswith=current.path, dissolved_at__isnull=True)
            .exclude(pk=current.pk)
            .order_by("-depth", "path")
        )
        if below and not cascade:
            raise ValidationError(
                _(
                    "%(unit)s still has %(count)s sub-units in operation: move them "
                    "elsewhere first, or dissolve them together with it."
                ),
                code="has_active_children",
                params={"unit": current.name, "count": len(below)},
            )
        dissolved = [*below, current]
        for item in dissolved:
            _dissolve(actor, item, at, heir, "unit.dissolve")
        if heir is not None:
            _notify_successor(dissolved, heir)
    _copy_state(unit, current)
    return current


def merge_units(
    actor: Actor,
    sources: Sequence[Unit],
    into: Unit | NewUnit,
    *,
    at: datetime | None = None,
) -> Unit:
    """Merge ``sources`` into ``into`` (an existing unit, or a :class:`NewUnit` to
    create) at ``at`` (default now).

    Each source's sub-units in operation move under the target; each source is
    dissolved with the target as its successor and stays as a row, so records that
    point to it stay readable and its code still resolves. Registered successor
    handlers are called with ``(sources, target)`` inside the same transaction.
    Returns the target.
    """
    with transaction.atomic():
        at = _resolve_at(at)
        _lock_tree()
        if not sources:
            raise ValidationError(_("Choose at least one unit to merge."), code="no_sources")
        merged = [_fresh(source) for source in sources]
        if len({source.pk for source in merged}) != len(merged):
            raise ValidationError(_("A unit is listed twice among the units to merge."))
        for source in merged:
            _require_manage(actor, parent_of(source))
            _ensure_active(source)
        for outer in merged:
            for inner in merged:
                if inner.pk != outer.pk and inner.path.startswith(outer.path):
                    raise ValidationError(
                        _("%(inner)s lies inside %(outer)s: merge the outer unit only."),
                        code="nested_sources",
                        params={"inner": inner.name, "outer": outer.name},
                    )
        if isinstance(into, NewUnit):
            parent = _fresh(into.parent) if into.parent is not None else None
            _require_manage(actor, parent)
            target = _prepare_new(into.fields(), parent)
            inside = parent is not None and any(parent.path.startswith(s.path) for s in merged)
            if inside:
                raise ValidationError(
                    {
                        "parent": ValidationError(
                            _("The new unit cannot be placed inside a unit being merged."),
                            code="target_inside_source",
                        )
                    }
                )
            _create(actor, [(target, parent)], at)
        else:
            target = _fresh(into)
            _require_manage(actor, target)
            _ensure_active(target)
            if target.pk in {source.pk for source in merged}:
                raise ValidationError(_("A unit cannot be merged into itself."), code="self_merge")
            for source in merged:
                if target.path.startswith(source.path):
                    raise ValidationError(
                        _("%(target)s lies inside %(source)s, which is being merged."),
                        code="target_inside_source",
                        params={"target": target.name, "source": source.name},
                    )
        for source in merged:
            for child_pk in list(children(source).values_list("pk", flat=True)):
                child = Unit.objects.get(pk=child_pk)
                _move(actor, child, _fresh(target))
            source.refresh_from_db()
            _dissolve(actor, source, at, target, "unit.merge")
        target.refresh_from_db()
        audit.record(
            actor=actor,
            action="unit.merge",
            obj=target,
            unit=target,
            changes={"predecessors": [[], [source.code for source in merged]]},
        )
        _notify_successor(merged, target)
    for given, fresh in zip(sources, merged, strict=True):
        _copy_state(given, fresh)
    if isinstance(into, Unit):
        _copy_state(into, target)
    return target


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
                code=_normalise("code", record.get("code")),
                parent_code=_normalise("code", record.get("parent_code")),
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
            item.new = _prepare_new({"code": line.code, **line.values}, None, check_code=False)
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
    normalised = {name: _normalise(name, value) for name, value in line.values.items()}
    item.changed = {k: v for k, v in normalised.items() if getattr(known, k) != v}
    probe = Unit(**{name: getattr(known, name) for name in _AUDITED_FIELDS})
    for name, value in item.changed.items():
        setattr(probe, name, value)
    try:
        _clean(probe, item.changed)
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
        _require_manage(actor, tree.by_pk[anchor.pk] if anchor is not None else None)
        creations.append((item.new, _target_parent(item)))
        filled = {k: v for k, v in item.line.values.items() if v not in ("", False)}
        shown = {"parent_code": item.line.parent_code or None, **filled}
        report.changes.append(
            UnitChange("create", item.line.row, item.new.code, item.new.name, audit.diff({}, shown))
        )
    if creations:
        _create(actor, creations, at)
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
            changes = _apply_changes(actor, unit, item.changed)
            moved = _move(actor, unit, _fresh(wanted_parent) if wanted_parent else None)
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
            _lock_tree()
            tree = _TreeIndex()
            ordered = _plan(rows, tree)
            _apply_plan(actor, ordered, tree, report)
            if dry_run:
                raise _DryRunRollback(report)
    except _DryRunRollback as rollback:
        return rollback.report
    return report
