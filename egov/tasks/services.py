"""Every change to tasks: one function per act, each checking the person, locking the
task row, checking its state again under the lock, writing the task's history, the
notices and the audit log in the same transaction. Refusals are
:mod:`egov.tasks.errors`; ``PermissionDenied`` when the person may not act."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.permissions import Perm
from egov.core import audit, numbering
from egov.core.models import Unit
from egov.core.workcalendar import get_calendar
from egov.tasks import access, messages, sources
from egov.tasks.errors import DocumentNotFound, ExtensionPending, InvalidInput, WrongState
from egov.tasks.models import (
    ExtensionRequest,
    ExtensionStatus,
    NoticeKind,
    Priority,
    Source,
    Task,
    TaskEvent,
    TaskNotice,
    TaskStatus,
)

MAX_TEXT = 5000
MAX_WORKING_DAYS = 250


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localtime(now()).date()


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not do this with this task."))


def _event(
    task: Task, action: str, actor: Any, note: str = "", progress: int | None = None
) -> None:
    TaskEvent.objects.create(
        task=task, action=action, actor=actor, at=now(), note=note[:1000], progress=progress
    )
    audit.record(
        actor=actor,
        action=f"tasks.{action}",
        obj=task,
        unit=task.office,
        changes={"note": note[:200]} if note else None,
    )


def _people_in(unit: Unit) -> list[Any]:
    """Staff holding a role in ``unit`` itself (not below): who hears about its tasks."""
    user_model = get_user_model()
    return list(
        user_model.objects.filter(
            is_active=True,
            role_assignments__unit=unit,
            role_assignments__revoked_at__isnull=True,
        ).distinct()
    )


def _deciders(task: Task) -> list[Any]:
    """The assigning leader and the office's records clerks."""
    user_model = get_user_model()
    clerks = [
        user
        for user in user_model.objects.filter(
            is_active=True,
            role_assignments__unit=task.office,
            role_assignments__revoked_at__isnull=True,
        )
        .prefetch_related("role_assignments__role")
        .distinct()
        if any(
            Perm.REGISTER_DOCUMENTS in (a.role.permissions or ())
            for a in user.role_assignments.all()
            if a.unit_id == task.office_id and a.revoked_at is None
        )
    ]
    found = {task.assigned_by_id: task.assigned_by}
    for user in clerks:
        found.setdefault(user.pk, user)
    return list(found.values())


def _notify(task: Task, kind: str, recipients: Iterable[Any], text: str, actor: Any = None) -> int:
    rows = [
        TaskNotice(recipient=user, task=task, kind=kind, text=text[:500], created_at=now())
        for user in {u.pk: u for u in recipients}.values()
        if actor is None or user.pk != actor.pk
    ]
    TaskNotice.objects.bulk_create(rows)
    # Assignments, extensions and deadlines also go out by e-mail and SMS.
    messages.queue_notices(rows)
    return len(rows)


def _locked(task_id: int) -> Task:
    return Task.objects.select_for_update().select_related("lead_unit", "office").get(pk=task_id)


def _touch(task: Task, *fields: str) -> None:
    task.updated_at = now()
    task.version += 1
    task.save(update_fields=[*fields, "updated_at", "version"])


# --- assigning ------------------------------------------------------------------------


@dataclass
class TaskIn:
    text: str
    office: Unit
    lead_unit: Unit
    assigned_by: Any
    source: str = Source.OFFICE
    document_id: int | None = None
    meeting: str = ""
    cooperating_units: list[Unit] = field(default_factory=list)
    due_date: date | None = None
    working_days: int | None = None
    priority: str = Priority.NORMAL


def deadline_from(start: date, working_days: int) -> date:
    """The day ``working_days`` working days after ``start`` (the core work calendar)."""
    return get_calendar().nth_working_day_after(start, working_days)


def _clean(actor: Any, data: TaskIn) -> tuple[str, date]:
    text = data.text.strip()
    if not text:
        raise InvalidInput(_("Write what is to be done."), field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            _("The task text is too long (at most %(max)s characters).") % {"max": MAX_TEXT},
            field="text",
        )
    if data.source not in Source.values:
        raise InvalidInput(_("Unknown source of the task."), field="source")
    if data.priority not in Priority.values:
        raise InvalidInput(_("Unknown priority."), field="priority")
    if data.source in (Source.INCOMING, Source.OUTGOING) and (
        sources.find(actor, data.source, data.document_id) is None
    ):
        raise DocumentNotFound()
    if data.source == Source.MEETING and not data.meeting.strip():
        raise InvalidInput(_("Name the meeting whose conclusion this is."), field="meeting")
    if data.lead_unit.dissolved_at is not None:
        raise InvalidInput(_("The lead unit no longer exists."), field="lead_unit")
    if any(unit.pk == data.lead_unit.pk for unit in data.cooperating_units):
        raise InvalidInput(
            _("The lead unit cannot also be a cooperating unit."), field="cooperating_units"
        )
    if not access.is_leader_of(data.assigned_by, data.office):
        raise InvalidInput(
            _("The assigning person must be a leader of the office's agency."),
            field="assigned_by",
        )
    start = today()
    if data.working_days is not None:
        if not 1 <= data.working_days <= MAX_WORKING_DAYS:
            raise InvalidInput(
                _("Give a number of working days from 1 to %(max)s.") % {"max": MAX_WORKING_DAYS},
                field="working_days",
            )
        due = deadline_from(start, data.working_days)
    elif data.due_date is not None:
        due = data.due_date
        if due < start:
            raise InvalidInput(_("The deadline cannot be in the past."), field="due_date")
    else:
        raise InvalidInput(
            _("Give a deadline: a date or a number of working days."), field="due_date"
        )
    return text, due


def assign(actor: Any, data: TaskIn) -> Task:
    """A leader (or the office on a leader's behalf) assigns a task to a lead unit."""
    _require(
        access.may_track(actor, data.office),
        _("Only the leaders and the office of this agency may assign its tasks."),
    )
    text, due = _clean(actor, data)
    moment = now()
    with transaction.atomic():
        number = numbering.next_value("tasks", str(moment.year))
        task = Task.objects.create(
            reference=f"GV-{moment.year}-{number:05d}",
            source=data.source,
            document_id=data.document_id
            if data.source in (Source.INCOMING, Source.OUTGOING)
            else None,
            meeting=data.meeting.strip()[:300] if data.source == Source.MEETING else "",
            text=text,
            office=data.office,
            lead_unit=data.lead_unit,
            assigned_by=data.assigned_by,
            entered_by=actor,
            assigned_on=today(),
            due_date=due,
            original_due_date=due,
            priority=data.priority,
            created_at=moment,
            updated_at=moment,
        )
        if data.cooperating_units:
            task.cooperating_units.set(data.cooperating_units)
        _event(task, "assigned", actor, text[:200])
        people = _people_in(data.lead_unit)
        for unit in data.cooperating_units:
            people += _people_in(unit)
        _notify(
            task,
            NoticeKind.ASSIGNED,
            people,
            _("New task %(ref)s, due %(due)s: %(text)s")
            % {"ref": task.reference, "due": due.strftime("%d/%m/%Y"), "text": text[:200]},
            actor,
        )
    return task


# --- the lead unit's acts -----------------------------------------------------------------


def report_progress(actor: Any, task_id: int, *, progress: int, note: str) -> Task:
    note = note.strip()
    if not 0 <= progress <= 100:
        raise InvalidInput(_("Progress is a percentage from 0 to 100."), field="progress")
    if not note:
        raise InvalidInput(_("Describe what has been done."), field="note")
    with transaction.atomic():
        task = _locked(task_id)
        _require(access.in_lead_unit(actor, task), _("Only the lead unit reports progress."))
        if task.status != TaskStatus.IN_PROGRESS:
            raise WrongState()
        task.progress = progress
        _touch(task, "progress")
        _event(task, "progress", actor, note, progress)
    return task


def request_extension(
    actor: Any, task_id: int, *, new_due_date: date, reason: str
) -> ExtensionRequest:
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the extension."), field="reason")
    with transaction.atomic():
        task = _locked(task_id)
        _require(access.in_lead_unit(actor, task), _("Only the lead unit asks for an extension."))
        if task.status != TaskStatus.IN_PROGRESS:
            raise WrongState()
        if new_due_date <= task.due_date:
            raise InvalidInput(
                _("The proposed deadline must be later than the current one (%(due)s).")
                % {"due": task.due_date.strftime("%d/%m/%Y")},
                field="new_due_date",
            )
        if task.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise ExtensionPending()
        try:
            with transaction.atomic():
                request = ExtensionRequest.objects.create(
                    task=task,
                    requested_by=actor,
                    requested_at=now(),
                    current_due_date=task.due_date,
                    proposed_due_date=new_due_date,
                    reason=reason[:500],
                )
        except IntegrityError as exc:
            raise ExtensionPending() from exc
        _touch(task)
        _event(
            task,
            "extension_requested",
            actor,
            _("To %(due)s: %(reason)s")
            % {"due": new_due_date.strftime("%d/%m/%Y"), "reason": reason},
        )
        _notify(
            task,
            NoticeKind.EXTENSION,
            _deciders(task),
            _("%(unit)s asks to extend task %(ref)s to %(due)s.")
            % {
                "unit": task.lead_unit.name,
                "ref": task.reference,
                "due": new_due_date.strftime("%d/%m/%Y"),
            },
            actor,
        )
    return request


def decide_extension(
    actor: Any, request_id: int, *, approve: bool, note: str = ""
) -> ExtensionRequest:
    with transaction.atomic():
        task_id = ExtensionRequest.objects.values_list("task_id", flat=True).get(pk=request_id)
        task = _locked(task_id)
        _require(
            access.may_decide(actor, task),
            _("Only the assigning leader or the office decides extensions."),
        )
        request = ExtensionRequest.objects.select_for_update().get(pk=request_id)
        if request.status != ExtensionStatus.PENDING:
            raise WrongState(_("This extension request has already been decided."))
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        request.decided_by = actor
        request.decided_at = now()
        request.decision_note = note.strip()[:500]
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            before = task.due_date
            task.due_date = request.proposed_due_date
            _touch(task, "due_date")
            _event(
                task,
                "extension_approved",
                actor,
                _("Deadline %(old)s → %(new)s. %(note)s")
                % {
                    "old": before.strftime("%d/%m/%Y"),
                    "new": task.due_date.strftime("%d/%m/%Y"),
                    "note": request.decision_note,
                },
            )
        else:
            _touch(task)
            _event(task, "extension_refused", actor, request.decision_note)
        _notify(
            task,
            NoticeKind.DECIDED,
            [request.requested_by, *_people_in(task.lead_unit)],
            (
                _("Extension of task %(ref)s approved: new deadline %(due)s.")
                if approve
                else _("Extension of task %(ref)s refused: the deadline stays %(due)s.")
            )
            % {"ref": task.reference, "due": task.due_date.strftime("%d/%m/%Y")},
            actor,
        )
    return request


def report_completion(
    actor: Any,
    task_id: int,
    *,
    answer_kind: str = "",
    answer_document_id: int | None = None,
    note: str = "",
) -> Task:
    """The lead unit reports the task done, with the answering document (or a note)."""
    note = note.strip()
    if answer_kind and answer_kind not in (Source.INCOMING, Source.OUTGOING):
        raise InvalidInput(_("Unknown kind of answering document."), field="answer_kind")
    if answer_kind and sources.find(actor, answer_kind, answer_document_id) is None:
        raise DocumentNotFound()
    if not answer_kind and not note:
        raise InvalidInput(
            _("Give the answering document, or describe the result."), field="answer_document_id"
        )
    with transaction.atomic():
        task = _locked(task_id)
        _require(access.in_lead_unit(actor, task), _("Only the lead unit reports completion."))
        if task.status != TaskStatus.IN_PROGRESS:
            raise WrongState()
        task.status = TaskStatus.REPORTED
        task.progress = 100
        task.completion_reported_on = today()
        task.answer_kind = answer_kind
        task.answer_document_id = answer_document_id if answer_kind else None
        task.answer_note = note[:500]
        # A pending extension no longer matters.
        task.extensions.filter(status=ExtensionStatus.PENDING).update(
            status=ExtensionStatus.REFUSED,
            decided_at=now(),
            decision_note=_("Withdrawn: completion reported."),
        )
        _touch(
            task,
            "status",
            "progress",
            "completion_reported_on",
            "answer_kind",
            "answer_document_id",
            "answer_note",
        )
        _event(task, "completion_reported", actor, note)
        _notify(
            task,
            NoticeKind.REPORTED,
            _deciders(task),
            _("%(unit)s reports task %(ref)s completed; please confirm.")
            % {"unit": task.lead_unit.name, "ref": task.reference},
            actor,
        )
    return task


# --- the office's acts --------------------------------------------------------------------


def confirm_completion(actor: Any, task_id: int, *, accept: bool, note: str = "") -> Task:
    """The office (or the assigning leader) confirms the completion or sends it back."""
    note = note.strip()
    if not accept and not note:
        raise InvalidInput(_("Say what is still missing."), field="note")
    with transaction.atomic():
        task = _locked(task_id)
        _require(
            access.may_decide(actor, task),
            _("Only the assigning leader or the office confirms completion."),
        )
        if task.status != TaskStatus.REPORTED:
            raise WrongState()
        if accept:
            task.status = TaskStatus.DONE
            task.completed_on = today()
            task.confirmed_by = actor
            _touch(task, "status", "completed_on", "confirmed_by")
            _event(task, "confirmed", actor, note)
            text = _("Task %(ref)s is confirmed completed.") % {"ref": task.reference}
            kind = NoticeKind.CONFIRMED
        else:
            task.status = TaskStatus.IN_PROGRESS
            task.completion_reported_on = None
            task.progress = min(task.progress, 90)
            _touch(task, "status", "completion_reported_on", "progress")
            _event(task, "sent_back", actor, note)
            text = _("Task %(ref)s was sent back: %(note)s") % {
                "ref": task.reference,
                "note": note[:200],
            }
            kind = NoticeKind.SENT_BACK
        _notify(task, kind, _people_in(task.lead_unit), text, actor)
    return task


def mark_notices_read(actor: Any) -> int:
    return TaskNotice.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=now())


# --- the daily job ------------------------------------------------------------------------


def warn_deadlines(at: date | None = None, *, due_soon_days: int = 2) -> int:
    """Notices (in the application, by e-mail and SMS) to the lead units of tasks due
    within ``due_soon_days`` working days, and of overdue tasks, and to the leaders who
    assigned them. Safe to run any number of times: one notice per task, person, kind
    and deadline (a unique constraint)."""
    day = at or today()
    limit = get_calendar().nth_working_day_after(day, due_soon_days)
    sent = 0
    open_tasks = Task.objects.filter(
        status=TaskStatus.IN_PROGRESS, due_date__lte=limit
    ).select_related("lead_unit", "assigned_by")
    for task in open_tasks.iterator():
        kind = NoticeKind.OVERDUE if task.due_date < day else NoticeKind.DUE_SOON
        text = (
            _("Task %(ref)s is overdue (deadline %(due)s).")
            if kind == NoticeKind.OVERDUE
            else _("Task %(ref)s is due on %(due)s.")
        ) % {"ref": task.reference, "due": task.due_date.strftime("%d/%m/%Y")}
        # The lead unit's people, and the leader who assigned the task.
        people = {user.pk: user for user in _people_in(task.lead_unit)}
        if task.assigned_by.is_active:
            people.setdefault(task.assigned_by_id, task.assigned_by)
        for person in people.values():
            with transaction.atomic():
                notice, created = TaskNotice.objects.get_or_create(
                    task=task,
                    recipient=person,
                    kind=kind,
                    due=task.due_date,
                    defaults={"text": text, "created_at": now()},
                )
                if created:
                    messages.queue_notices([notice])
            sent += int(created)
    return sent
