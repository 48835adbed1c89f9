"""The move machinery every action on an existing dossier runs through: lock the
row and compare versions (of two people acting at once one wins, the other gets
:class:`StaleDossier`), look the move up in :mod:`egov.dossiers.workflow`, check
the step and the grants, apply the clock, then save with one event and one audit
entry (written last: the audit chain head stays locked until commit)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.core import audit
from egov.core.models import Unit
from egov.core.workcalendar import Deadline, get_calendar
from egov.dossiers import workflow
from egov.dossiers.errors import StaleDossier, TransitionNotAllowed
from egov.dossiers.models import Dossier, DossierEvent, Status
from egov.dossiers.services import inputs
from egov.dossiers.services.inputs import Actor, actor_user, json_safe
from egov.dossiers.services.permissions import check_grants, step_allows
from egov.dossiers.services.plan import StepPlan, plan_of, step_facts
from egov.dossiers.signals import dossier_changed
from egov.dossiers.workflow import Action, Clock, Transition
from egov.procedures.terms import due_from

# --- the move machinery ------------------------------------------------------------------


def not_allowed(action: Action, dossier: Dossier, reason: str = "") -> TransitionNotAllowed:
    message = _("You cannot %(action)s: the dossier %(code)s is in status “%(status)s”.") % {
        "action": workflow.ACTION_LABELS[action],
        "code": dossier.code,
        "status": Status(dossier.status).label,
    }
    if reason:
        message = f"{message} {_('Reason: %(reason)s.') % {'reason': reason}}"
    return TransitionNotAllowed(message, action=str(action), status=dossier.status)


_SNAPSHOT_FIELDS = (
    "status",
    "version",
    "current_unit_id",
    "current_step_id",
    "step_position",
    "current_assignee_id",
    "consult_origin_unit_id",
    "received_at",
    "due_at",
    "step_due_at",
    "paused_at",
    "remaining_seconds",
    "resolved_at",
    "returned_at",
    "closed_at",
    "payment_requested",
)


def _snapshot(dossier: Dossier) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in _SNAPSHOT_FIELDS:
        value = getattr(dossier, name)
        values[name] = value.isoformat() if isinstance(value, datetime) else value
    return values


@dataclass
class Move:
    actor: Actor
    action: Action
    dossier: Dossier
    row: Transition
    plan: list[StepPlan]
    at: datetime
    before: dict[str, Any]
    from_status: int
    from_unit: Unit | None
    event_data: dict[str, Any] = field(default_factory=dict)


def lock(dossier: Dossier | int) -> Dossier:
    pk = dossier if isinstance(dossier, int) else dossier.pk
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related(
            "procedure_version",
            "receiving_agency",
            "receiving_unit",
            "current_unit",
            "consult_origin_unit",
        )
        .get(pk=pk)
    )


def begin(
    actor: Actor,
    dossier: Dossier,
    action: Action,
    expected_version: int,
    at: datetime | None = None,
) -> Move:
    """Lock the dossier and check version, table row, step and permission."""
    locked = lock(dossier)
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise ValidationError({"expected_version": _("Give the version of the dossier you read.")})
    if locked.version != expected_version:
        raise StaleDossier(expected=expected_version, current=locked.version)
    plan = plan_of(locked) if locked.step_position is not None else []
    lookup = workflow.find_transition(action, locked, step_facts(locked, plan))
    if lookup.transition is None:
        reason = str(workflow.CONDITION_LABELS[lookup.unmet]) if lookup.unmet else ""
        raise not_allowed(action, locked, reason)
    row = lookup.transition
    if not step_allows(row, locked, plan):
        raise not_allowed(action, locked, _("the current step of the process does not allow it"))
    check_grants(actor, locked, row)
    return Move(
        actor=actor,
        action=action,
        dossier=locked,
        row=row,
        plan=plan,
        at=at or inputs.now(),
        before=_snapshot(locked),
        from_status=locked.status,
        from_unit=locked.current_unit,
    )


def apply_clock(move: Move) -> None:
    dossier = move.dossier
    calendar = get_calendar()
    clock = move.row.clock
    if clock == Clock.START:
        dossier.received_at = move.at
        dossier.due_at = due_from(dossier.procedure_version, move.at)
        dossier.original_due_at = dossier.due_at
    elif clock == Clock.STOP:
        dossier.status_before_pause = dossier.status
        if dossier.due_at is not None:
            paused = Deadline(dossier.due_at).pause(move.at, calendar)
            remaining = paused.remaining or timedelta(0)
            dossier.paused_at = move.at
            dossier.remaining_seconds = int(remaining // timedelta(seconds=1))
    elif clock == Clock.RESUME:
        if dossier.paused_at is not None and dossier.remaining_seconds is not None:
            deadline = Deadline(
                dossier.due_at or dossier.paused_at,
                paused_at=dossier.paused_at,
                remaining=timedelta(seconds=dossier.remaining_seconds),
            ).resume(move.at, calendar)
            stopped = calendar.working_time_between(dossier.paused_at, move.at)
            move.event_data["paused_working_seconds"] = int(stopped // timedelta(seconds=1))
            dossier.due_at = deadline.due
            if dossier.step_due_at is not None and stopped:
                # The step's own deadline moves by the same working time.
                dossier.step_due_at = calendar.shift_working_time(dossier.step_due_at, stopped)
        dossier.paused_at = None
        dossier.remaining_seconds = None
    elif clock == Clock.END:
        dossier.closed_at = move.at


def finish(
    move: Move,
    *,
    note: str = "",
    to_user: User | None = None,
    audit_extra: Mapping[str, Any] | None = None,
) -> Dossier:
    dossier = move.dossier
    row = move.row
    if row.to_status is not None:
        dossier.status = row.to_status
    elif not row.keeps_status:
        dossier.status = dossier.status_before_pause or Status.PROCESSING
        dossier.status_before_pause = None
    dossier.version += 1
    dossier.save()
    position = dossier.step_position
    step_name = ""
    if position is not None:
        plan = move.plan or plan_of(dossier)
        if 1 <= position <= len(plan):
            step_name = plan[position - 1].name
    data = {"step_position": position, "step_name": step_name, **move.event_data}
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=move.at,
        action=str(move.action),
        from_status=move.from_status,
        to_status=dossier.status,
        from_unit=move.from_unit,
        to_unit=dossier.current_unit,
        actor=move.actor if getattr(move.actor, "pk", None) else None,
        to_user=to_user,
        step=dossier.current_step,
        step_due_at=dossier.step_due_at,
        note=note,
        data=json_safe(data),
    )
    dossier_changed.send(
        Dossier, dossier=dossier, event=event, action=str(move.action), actor=actor_user(move.actor)
    )
    changes: dict[str, Any] = audit.diff(move.before, _snapshot(dossier))
    if note:
        changes["note"] = note
    if audit_extra:
        changes.update(json_safe(dict(audit_extra)))
    audit.record(
        actor=move.actor,
        action=f"dossier.{move.action}",
        obj=dossier,
        unit=dossier.current_unit or dossier.receiving_unit,
        changes=changes,
    )
    return dossier


def sync(target: Dossier, source: Dossier) -> Dossier:
    """Give the caller's object the saved state (it may be shown right after)."""
    if target is source:
        return target
    for model_field in Dossier._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(source, model_field.attname))
    target._state.fields_cache = dict(source._state.fields_cache)
    return target


@contextmanager
def moving(
    actor: Actor,
    dossier: Dossier,
    action: Action,
    expected_version: int,
    at: datetime | None = None,
) -> Iterator[Move]:
    with transaction.atomic():
        move = begin(actor, dossier, action, expected_version, at)
        yield move
    sync(dossier, move.dossier)
