"""Write primitives shared by the organisation tree's services.

:mod:`egov.core.services.units` (one act on one unit) and
:mod:`egov.core.services.unit_import` (a whole tree from a file) build on these:
validation of fields and codes, the permission rule, the tree lock, bulk inserts
with materialised paths, moving a branch, closing code history and dissolving.
None of them opens a transaction: the calling service does, and each writes its
audit entries inside it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.accounts.permissions import Perm, require_perm, roles_changed
from egov.core import audit
from egov.core.formatting import format_date
from egov.core.models import Unit, UnitCode
from egov.core.selectors.units import parent_of

Actor = AbstractBaseUser | AnonymousUser | None
SuccessorHandler = Callable[[Sequence[Unit], Unit], None]

#: What the unit is and how it is known: decided by the body above it.
IDENTITY_FIELDS: tuple[str, ...] = (
    "name",
    "name_en",
    "short_name",
    "level",
    "is_one_stop",
    "statistics_code",
)
#: How to reach the unit: the unit's own administrators may keep these current.
CONTACT_FIELDS: tuple[str, ...] = ("address", "phone", "email", "website")
EDITABLE_FIELDS: tuple[str, ...] = IDENTITY_FIELDS + CONTACT_FIELDS
AUDITED_FIELDS: tuple[str, ...] = ("code", *EDITABLE_FIELDS)
NOT_VALIDATED = ("path", "depth", "numchild", "successor", "dissolved_at")


# --- Shared helpers -------------------------------------------------------------


@dataclass(frozen=True)
class NewUnit:
    """Description of a unit to create, e.g. the new commune two communes merge into."""

    parent: Unit | None
    code: str
    name: str
    level: str
    short_name: str = ""
    name_en: str = ""
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


def normalise_value(name: str, value: Any) -> Any:
    if name == "is_one_stop":
        return bool(value)
    text = "" if value is None else str(value).strip()
    if name == "code":
        text = text.upper()
    if name == "email":
        text = text.lower()
    return text


def snapshot(unit: Unit) -> dict[str, Any]:
    return {name: getattr(unit, name) for name in AUDITED_FIELDS}


def copy_state(target: Unit, source: Unit) -> None:
    """Bring the caller's instance up to date (paths change when the tree does)."""
    if target is source:
        return
    for model_field in Unit._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(source, model_field.attname))


def lock_tree() -> None:
    # Treebeard hands out paths by reading the last sibling and rewrites branches
    # with plain UPDATEs; locking the root rows serialises structural changes.
    list(Unit.objects.select_for_update().filter(depth=1).values_list("pk", flat=True))


def reloaded(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def resolve_at(at: datetime | None) -> datetime:
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


def is_platform_admin(actor: Actor) -> bool:
    return bool(
        actor is not None
        and actor.is_authenticated
        and getattr(actor, "is_active", False)
        and getattr(actor, "is_superuser", False)
    )


def require_manage(actor: Actor, unit: Unit | None) -> None:
    """``actor`` may manage units in ``unit``; ``unit=None`` is the top of the tree."""
    if actor is None:
        return
    if unit is None:
        if not is_platform_admin(actor):
            raise PermissionDenied(
                gettext("Only a platform administrator can change top-level units.")
            )
        return
    require_perm(actor, Perm.MANAGE_UNITS, unit)


def ensure_active(unit: Unit) -> None:
    if unit.dissolved_at is not None:
        raise ValidationError(
            _("%(unit)s was dissolved on %(date)s and can no longer be changed."),
            code="dissolved",
            params={"unit": unit.name, "date": format_date(unit.dissolved_at)},
        )


def ensure_can_hold_children(parent: Unit | None, field_name: str = "parent") -> None:
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


def check_code_free(code: str, unit: Unit | None = None) -> None:
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


def clean_fields(unit: Unit, names: Iterable[str]) -> None:
    """Field validation (format, length, choices) of ``names`` only."""
    wanted = set(names)
    exclude = [f.name for f in Unit._meta.concrete_fields if f.name not in wanted]
    unit.clean_fields(exclude=exclude)


def prepare_new(values: Mapping[str, Any], parent: Unit | None, *, check_code: bool = True) -> Unit:
    """An unsaved, validated unit; raises ValidationError keyed by field."""
    unknown = set(values) - {"code", *EDITABLE_FIELDS}
    if unknown:
        raise TypeError(f"unknown unit fields: {', '.join(sorted(unknown))}")
    cleaned = {name: normalise_value(name, value) for name, value in values.items()}
    unit = Unit(**cleaned)
    clean_fields(unit, cleaned)
    ensure_can_hold_children(parent)
    if check_code:
        check_code_free(unit.code)
    return unit


def last_step(parent_path: str, depth: int) -> int:
    low, high = Unit._get_children_path_interval(parent_path)
    last = (
        Unit.objects.filter(depth=depth, path__range=(low, high))
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return int(Unit._str2int(last[-Unit.steplen :])) if last else 0


def insert_units(items: Sequence[tuple[Unit, Unit | None]]) -> None:
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
                fresh_parents[parent.pk] = reloaded(parent)
            parent_path = fresh_parents[parent.pk].path
            depth = fresh_parents[parent.pk].depth + 1
            added_under_existing[parent_path] += 1
        if parent_path not in next_step:
            next_step[parent_path] = last_step(parent_path, depth) + 1
        unit.path = Unit._get_path(parent_path, depth, next_step[parent_path])
        unit.depth = depth
        next_step[parent_path] += 1
    Unit.objects.bulk_create([unit for unit, _parent in items])
    for path, count in added_under_existing.items():
        Unit.objects.filter(path=path).update(numchild=F("numchild") + count)


def create_units(actor: Actor, items: Sequence[tuple[Unit, Unit | None]], at: datetime) -> None:
    """Insert validated new units, open their code history, audit each one."""
    insert_units(items)
    UnitCode.objects.bulk_create(
        [UnitCode(unit=unit, code=unit.code, valid_from=at) for unit, _parent in items]
    )
    for unit, parent in items:
        after = {k: v for k, v in snapshot(unit).items() if v not in ("", False)}
        after["parent"] = parent.code if parent is not None else None
        audit.record(
            actor=actor,
            action="unit.create",
            obj=unit,
            unit=unit,
            changes=audit.diff({}, after),
        )


def apply_changes(actor: Actor, unit: Unit, values: Mapping[str, Any]) -> dict[str, list[Any]]:
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
    normalised = {name: normalise_value(name, value) for name, value in values.items()}
    changed = {name: value for name, value in normalised.items() if getattr(unit, name) != value}
    if not changed:
        return {}
    if changed.keys() & set(IDENTITY_FIELDS):
        require_manage(actor, parent_of(unit))
    else:
        require_manage(actor, unit)
    ensure_active(unit)
    before = snapshot(unit)
    for name, value in changed.items():
        setattr(unit, name, value)
    clean_fields(unit, changed)
    unit.save(update_fields=[*changed, "updated_at"])
    changes = audit.diff(before, snapshot(unit))
    renamed = bool(changed.keys() & {"name", "short_name"})
    audit.record(
        actor=actor,
        action="unit.rename" if renamed else "unit.update",
        obj=unit,
        unit=unit,
        changes=changes,
    )
    return changes


def close_codes(unit: Unit, at: datetime) -> None:
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


def move_branch(actor: Actor, unit: Unit, new_parent: Unit | None) -> dict[str, list[Any]]:
    """Move fresh ``unit`` (with its branch) under fresh ``new_parent``; audited."""
    old_parent = parent_of(unit)
    if (old_parent.pk if old_parent else None) == (new_parent.pk if new_parent else None):
        return {}
    require_manage(actor, old_parent)
    require_manage(actor, new_parent)
    ensure_active(unit)
    ensure_can_hold_children(new_parent)
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


def dissolve_one(
    actor: Actor, unit: Unit, at: datetime, successor: Unit | None, action: str
) -> None:
    close_codes(unit, at)
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
