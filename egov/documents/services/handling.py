"""Direction and handling: the processing sheet (phiếu giải quyết văn bản đến), the
assignments down to unit and person, reassignment and return, progress notes, the
answering document and the resolution."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.permissions import Perm
from egov.core import audit
from egov.core.models import Unit
from egov.core.workcalendar import get_calendar
from egov.documents.access import agency_of, may_direct, may_hand_out, require_direct
from egov.documents.errors import WrongState
from egov.documents.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    IncomingDocument,
    IncomingStatus,
    NoticeKind,
    ProcessingSheet,
    ProgressNote,
)
from egov.documents.services import common
from egov.documents.services.common import event, lock, notify, people_with, save

DIRECTABLE = (IncomingStatus.REGISTERED, IncomingStatus.PRESENTED, IncomingStatus.ASSIGNED)
HANDLING = (IncomingStatus.ASSIGNED, IncomingStatus.PROCESSING)


def _check_unit(document: IncomingDocument, unit: Unit, field: str) -> None:
    if not unit.is_active or agency_of(unit).pk != document.recipient_agency_id:
        raise ValidationError(
            {field: _("“%(unit)s” is not a unit of this agency.") % {"unit": unit}}
        )


def _not_recalled(document: IncomingDocument) -> None:
    if document.recalled_at is not None:
        raise WrongState(_("The sender recalled this document: it is no longer handled."))


def _open_assignment(
    document: IncomingDocument, unit: Unit, role: str, person: Any, actor: Any, note: str = ""
) -> Assignment:
    assignment = Assignment.objects.create(
        document=document,
        unit=unit,
        assignee=person,
        role=role,
        assigned_by=actor,
        assigned_at=common.now(),
        note=note[:500],
    )
    if person is not None and document.is_confidential:
        document.readers.add(person)
    heads = [person] if person is not None else people_with(Perm.ASSIGN_DOCUMENTS, unit)
    if document.is_confidential and person is None:
        document.readers.add(*heads)
    notify(
        heads,
        document,
        NoticeKind.ASSIGNED,
        _("Assigned to %(unit)s: %(subject)s") % {"unit": unit, "subject": document.subject[:200]},
    )
    return assignment


def assign(
    document: IncomingDocument,
    *,
    actor: Any,
    lead_unit: Unit,
    cooperating_units: Sequence[Unit] = (),
    deadline_days: int | None = None,
    opinion: str = "",
    lead_person: Any = None,
    expected_version: int | None = None,
) -> IncomingDocument:
    """The leader's processing sheet: lead unit (and optionally its person),
    cooperating units, a deadline in working days and an opinion. Replaces the
    active assignments when the leader directs again."""
    if deadline_days is None:
        deadline_days = int(settings.EGOV_DOCUMENTS_DEFAULT_DEADLINE_DAYS)
    if not 1 <= int(deadline_days) <= 365:
        raise ValidationError({"deadline_days": _("The deadline is 1 to 365 working days.")})
    with transaction.atomic():
        document = lock(document, expected_version)
        require_direct(actor, document)
        _not_recalled(document)
        if document.status not in DIRECTABLE:
            raise WrongState(_("This document cannot be assigned in its current state."))
        _check_unit(document, lead_unit, "lead_unit")
        others = [unit for unit in cooperating_units if unit.pk != lead_unit.pk]
        for unit in others:
            _check_unit(document, unit, "cooperating_units")
        if lead_person is not None and not _belongs(lead_person, lead_unit):
            raise ValidationError(
                {
                    "lead_person": _("%(name)s does not work in %(unit)s.")
                    % {"name": lead_person, "unit": lead_unit}
                }
            )
        at = common.now()
        due_at = get_calendar().add_working_days(at, int(deadline_days))
        sheet, _created = ProcessingSheet.objects.update_or_create(
            document=document,
            defaults={
                "leader": actor,
                "lead_unit": lead_unit,
                "deadline_days": int(deadline_days),
                "due_at": due_at,
                "opinion": opinion.strip(),
            },
        )
        sheet.cooperating_units.set(others)
        Assignment.objects.filter(document=document, status=AssignmentStatus.ACTIVE).update(
            status=AssignmentStatus.REASSIGNED, ended_at=at
        )
        _open_assignment(document, lead_unit, AssignmentRole.LEAD, lead_person, actor)
        for unit in others:
            _open_assignment(document, unit, AssignmentRole.COOPERATE, None, actor)
        document.due_at = due_at
        document.status = IncomingStatus.ASSIGNED
        if document.presented_at is None:
            document.presented_at = at
            document.presented_to = actor
        document.due_soon_noticed_at = None
        document.overdue_noticed_at = None
        save(
            document,
            [
                "due_at",
                "status",
                "presented_at",
                "presented_to",
                "due_soon_noticed_at",
                "overdue_noticed_at",
            ],
        )
        event(document, "assigned", actor, opinion.strip())
        audit.record(
            actor=actor,
            action="documents.assign",
            obj=document,
            unit=document.recipient_agency,
            changes={
                "lead_unit": lead_unit.pk,
                "cooperating_units": [unit.pk for unit in others],
                "deadline_days": int(deadline_days),
            },
        )
    return document


def _belongs(person: Any, unit: Unit) -> bool:
    from egov.accounts.permissions import active_assignments

    return any(
        unit.path.startswith(row.unit.path) or row.unit.path.startswith(unit.path)
        for row in active_assignments(person)
    )


def _lock_assignment(assignment: Assignment | int) -> tuple[Assignment, IncomingDocument]:
    pk = assignment if isinstance(assignment, int) else assignment.pk
    row = Assignment.objects.select_related("unit").get(pk=pk)
    document = lock(row.document_id)
    row = Assignment.objects.select_for_update().select_related("unit").get(pk=pk)
    if row.status != AssignmentStatus.ACTIVE:
        raise WrongState(_("This assignment is no longer active."))
    _not_recalled(document)
    return row, document


def hand_out(assignment: Assignment | int, *, person: Any, actor: Any) -> Assignment:
    """The head of the assigned unit names the person who handles it."""
    with transaction.atomic():
        row, document = _lock_assignment(assignment)
        if not may_hand_out(actor, row):
            raise PermissionDenied(_("Only the head of the assigned unit may choose the person."))
        if not _belongs(person, row.unit):
            raise ValidationError(
                {
                    "person": _("%(name)s does not work in %(unit)s.")
                    % {"name": person, "unit": row.unit}
                }
            )
        row.status = AssignmentStatus.REASSIGNED
        row.ended_at = common.now()
        row.save(update_fields=["status", "ended_at"])
        new = _open_assignment(document, row.unit, row.role, person, actor)
        save(document, [])
        event(document, "handed_out", actor, str(person))
        audit.record(
            actor=actor,
            action="documents.hand_out",
            obj=document,
            unit=row.unit,
            changes={"assignment": new.pk, "person": person.pk},
        )
    return new


def reassign(
    assignment: Assignment | int, *, actor: Any, unit: Unit, person: Any = None, note: str = ""
) -> Assignment:
    """Move an assignment to another unit or person of the agency (a leader or the
    head of the unit it leaves)."""
    with transaction.atomic():
        row, document = _lock_assignment(assignment)
        if not (may_direct(actor, document.recipient_agency) or may_hand_out(actor, row)):
            raise PermissionDenied(_("Only a leader or the unit's head may reassign."))
        _check_unit(document, unit, "unit")
        if person is not None and not _belongs(person, unit):
            raise ValidationError(
                {
                    "person": _("%(name)s does not work in %(unit)s.")
                    % {"name": person, "unit": unit}
                }
            )
        row.status = AssignmentStatus.REASSIGNED
        row.ended_at = common.now()
        row.save(update_fields=["status", "ended_at"])
        new = _open_assignment(document, unit, row.role, person, actor, note)
        save(document, [])
        event(document, "reassigned", actor, note or str(unit))
        audit.record(
            actor=actor,
            action="documents.reassign",
            obj=document,
            unit=unit,
            changes={"from": row.pk, "to": new.pk},
        )
    return new


def return_assignment(assignment: Assignment | int, *, actor: Any, reason: str) -> Assignment:
    """The person or unit assigned gives it back (not theirs to handle, with the
    reason); a returned lead goes back to the leader for a new direction."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you return it.")})
    with transaction.atomic():
        row, document = _lock_assignment(assignment)
        mine = row.assignee_id == getattr(actor, "pk", None) or (
            row.assignee_id is None and may_hand_out(actor, row)
        )
        if not mine:
            raise PermissionDenied(_("Only the one assigned may return it."))
        row.status = AssignmentStatus.RETURNED
        row.ended_at = common.now()
        row.note = reason[:500]
        row.save(update_fields=["status", "ended_at", "note"])
        fields: list[str] = []
        if row.role == AssignmentRole.LEAD:
            document.status = IncomingStatus.PRESENTED
            fields.append("status")
        save(document, fields)
        event(document, "assignment_returned", actor, reason)
        leader = document.sheet.leader if hasattr(document, "sheet") else document.presented_to
        # The leader who directed it and whoever handed it to this person or unit
        # (the head of the unit, for a specialist) both learn it came back.
        notify(
            [p for p in (leader, row.assigned_by) if getattr(p, "pk", None) != actor.pk],
            document,
            NoticeKind.RETURNED,
            _("%(who)s returned the assignment: %(reason)s") % {"who": actor, "reason": reason},
        )
        audit.record(
            actor=actor,
            action="documents.return_assignment",
            obj=document,
            unit=row.unit,
            changes={"assignment": row.pk, "reason": reason},
        )
    return row


def _require_handler(actor: Any, document: IncomingDocument) -> None:
    active = document.assignments.filter(status=AssignmentStatus.ACTIVE)
    if active.filter(assignee=actor).exists():
        return
    if may_direct(actor, document.recipient_agency):
        return
    if any(may_hand_out(actor, row) for row in active.select_related("unit")):
        return
    raise PermissionDenied(_("Only the people handling this document may do this."))


def add_progress_note(document: IncomingDocument, *, actor: Any, text: str) -> ProgressNote:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the progress.")})
    with transaction.atomic():
        document = lock(document)
        _not_recalled(document)
        if document.status not in HANDLING:
            raise WrongState(_("Progress is written while the document is being handled."))
        _require_handler(actor, document)
        note = ProgressNote.objects.create(
            document=document, author=actor, text=text, created_at=common.now()
        )
        document.status = IncomingStatus.PROCESSING
        save(document, ["status"])
        event(document, "progress", actor, text)
        audit.record(
            actor=actor, action="documents.progress", obj=document, unit=document.recipient_agency
        )
    return note


def link_answer(
    document: IncomingDocument | str, *, actor: Any, reference: str, notation: str = ""
) -> IncomingDocument:
    """Link the answering document (a reference of the outgoing app: its uuid or
    reference string, and its number/symbol once issued)."""
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Give the reference of the answering document.")})
    if isinstance(document, str):
        document = IncomingDocument.objects.get(uuid=document)
    with transaction.atomic():
        document = lock(document)
        if document.status not in (*HANDLING, IncomingStatus.DONE):
            raise WrongState(_("Only a document being handled can get an answer."))
        if document.status != IncomingStatus.DONE:
            _require_handler(actor, document)
        document.answer_reference = reference[:200]
        document.answer_notation = (notation or "").strip()[:60]
        save(document, ["answer_reference", "answer_notation"])
        event(document, "answer_linked", actor, document.answer_notation or reference)
        audit.record(
            actor=actor,
            action="documents.link_answer",
            obj=document,
            unit=document.recipient_agency,
            changes={"reference": reference},
        )
    return document


def resolve(
    document: IncomingDocument,
    *,
    actor: Any,
    resolution: str = "",
    expected_version: int | None = None,
) -> IncomingDocument:
    """The handling is finished (done: answered, or filed for information)."""
    with transaction.atomic():
        document = lock(document, expected_version)
        _not_recalled(document)
        if document.status not in HANDLING:
            raise WrongState(_("Only a document being handled can be resolved."))
        _require_handler(actor, document)
        at = common.now()
        document.status = IncomingStatus.DONE
        document.resolved_at = at
        document.resolution = (resolution or "").strip()
        save(document, ["status", "resolved_at", "resolution"])
        document.assignments.filter(status=AssignmentStatus.ACTIVE).update(
            status=AssignmentStatus.DONE, ended_at=at
        )
        event(document, "resolved", actor, document.resolution)
        audit.record(
            actor=actor, action="documents.resolve", obj=document, unit=document.recipient_agency
        )
    return document


def name_reader(document: IncomingDocument, *, actor: Any, person: Any) -> IncomingDocument:
    """A leader names one more person who may read a confidential document."""
    with transaction.atomic():
        document = lock(document)
        require_direct(actor, document)
        document.readers.add(person)
        event(document, "reader_named", actor, str(person))
        audit.record(
            actor=actor,
            action="documents.name_reader",
            obj=document,
            unit=document.recipient_agency,
            changes={"person": person.pk},
        )
    return document
