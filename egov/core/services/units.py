"""The only write path of the organisation tree (cơ cấu tổ chức).

Create, edit, renumber, move, merge and dissolve units (whole trees from a file:
:mod:`egov.core.services.unit_import`; the shared write primitives:
:mod:`egov.core.services.unit_tree`). Each public function checks permission, validates, runs in one
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

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from egov.core import audit
from egov.core.models import Unit, UnitCode
from egov.core.selectors.units import children, parent_of
from egov.core.services.unit_tree import (
    Actor,
    NewUnit,
    SuccessorHandler,
    apply_changes,
    check_code_free,
    clean_fields,
    close_codes,
    copy_state,
    create_units,
    dissolve_one,
    ensure_active,
    lock_tree,
    move_branch,
    normalise_value,
    prepare_new,
    reloaded,
    require_manage,
    resolve_at,
)

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
        at = resolve_at(at)
        lock_tree()
        fresh_parent = reloaded(parent) if parent is not None else None
        require_manage(actor, fresh_parent)
        unit = prepare_new(values, fresh_parent)
        create_units(actor, [(unit, fresh_parent)], at)
    if parent is not None and fresh_parent is not None:
        parent.numchild = fresh_parent.numchild + 1
    return unit


def update_unit(actor: Actor, unit: Unit, **fields: Any) -> Unit:
    """Change a unit's name, short name, level, one-stop flag, statistics code or
    contact details. A change of name or short name is audited as ``unit.rename``.
    The identifier code and the place in the tree have their own functions."""
    with transaction.atomic():
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        apply_changes(actor, current, fields)
    copy_state(unit, current)
    return current


def change_unit_code(actor: Actor, unit: Unit, new_code: str, at: datetime | None = None) -> Unit:
    """Give ``unit`` a new identifier code from ``at`` (default now). The old code
    stays in the history and keeps resolving to the unit."""
    with transaction.atomic():
        at = resolve_at(at)
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        require_manage(actor, parent_of(current))
        ensure_active(current)
        code = normalise_value("code", new_code)
        if code == current.code:
            raise ValidationError(
                {"code": ValidationError(_("The unit already has this code."), code="same_code")}
            )
        old_code = current.code
        current.code = code
        clean_fields(current, ["code"])
        check_code_free(code, current)
        current.code = old_code
        close_codes(current, at)
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
    copy_state(unit, current)
    return current


def move_unit(actor: Actor, unit: Unit, new_parent: Unit | None) -> Unit:
    """Move ``unit`` and everything below it under ``new_parent`` (``None``: make it
    a top-level unit). Needs the permission in the old and the new parent. Refuses a
    move under the unit itself or its sub-units, and into a dissolved unit."""
    with transaction.atomic():
        lock_tree()
        current = reloaded(unit)
        target = reloaded(new_parent) if new_parent is not None else None
        move_branch(actor, current, target)
    copy_state(unit, current)
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
        at = resolve_at(at)
        lock_tree()
        current = reloaded(unit)
        require_manage(actor, parent_of(current))
        ensure_active(current)
        heir: Unit | None = None
        if successor is not None:
            heir = reloaded(successor)
            require_manage(actor, heir)
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
            dissolve_one(actor, item, at, heir, "unit.dissolve")
        if heir is not None:
            _notify_successor(dissolved, heir)
    copy_state(unit, current)
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
        at = resolve_at(at)
        lock_tree()
        if not sources:
            raise ValidationError(_("Choose at least one unit to merge."), code="no_sources")
        merged = [reloaded(source) for source in sources]
        if len({source.pk for source in merged}) != len(merged):
            raise ValidationError(_("A unit is listed twice among the units to merge."))
        for source in merged:
            require_manage(actor, parent_of(source))
            ensure_active(source)
        for outer in merged:
            for inner in merged:
                if inner.pk != outer.pk and inner.path.startswith(outer.path):
                    raise ValidationError(
                        _("%(inner)s lies inside %(outer)s: merge the outer unit only."),
                        code="nested_sources",
                        params={"inner": inner.name, "outer": outer.name},
                    )
        if isinstance(into, NewUnit):
            parent = reloaded(into.parent) if into.parent is not None else None
            require_manage(actor, parent)
            target = prepare_new(into.fields(), parent)
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
            create_units(actor, [(target, parent)], at)
        else:
            target = reloaded(into)
            require_manage(actor, target)
            ensure_active(target)
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
                move_branch(actor, child, reloaded(target))
            source.refresh_from_db()
            dissolve_one(actor, source, at, target, "unit.merge")
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
        copy_state(given, fresh)
    if isinstance(into, Unit):
        copy_state(into, target)
    return target
