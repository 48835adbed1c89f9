"""The moves on an existing dossier, one function each: reception of online and
pending dossiers, processing step by step, the clock stopping for the applicant,
liên thông, the result, the endings and the apology letter. Each runs inside
:func:`~egov.dossiers.services.moves.moving`, which locks the dossier and checks the
workflow row, the step and the grants; the registry
(:mod:`egov.dossiers.registry`) names each one with its label, forms and route.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.core.models import Unit
from egov.core.workcalendar import get_calendar, working_day_hours
from egov.dossiers.errors import IncompleteDossier
from egov.dossiers.models import ApologyLetter, Dossier, Status, Timeliness
from egov.dossiers.services.inputs import Actor, required_text, text
from egov.dossiers.services.moves import Move, apply_clock, finish, moving
from egov.dossiers.services.papers import (
    PaperIn,
    PaperRow,
    missing_papers,
    paper_rows,
    save_papers,
)
from egov.dossiers.services.plan import StepPlan, enter_step, plan_for
from egov.dossiers.workflow import Action, Clock
from egov.procedures.selectors import fee_for

# --- reception of online and pending dossiers ------------------------------------------


def _start_processing(move: Move) -> None:
    """A dossier just received: clock from now, first step assigned."""
    dossier = move.dossier
    apply_clock(move)
    plan = plan_for(dossier.procedure_version, dossier.receiving_agency)
    move.plan = plan
    enter_step(dossier, plan[0], move.at, None)
    move.event_data["due_at"] = dossier.due_at.isoformat() if dossier.due_at else None


def accept_online(
    actor: Actor,
    dossier: Dossier,
    *,
    expected_version: int,
    fee_inputs: Mapping[str, Any] | None = None,
    note: str = "",
) -> Dossier:
    """The desk accepts an online dossier: status 2, due date counted from now."""
    with moving(actor, dossier, Action.ACCEPT, expected_version) as move:
        _start_processing(move)
        if fee_inputs is not None:
            move.dossier.fee_amount = fee_for(move.dossier.procedure_version, fee_inputs)
        finish(move, note=text(note, 2000))
    return dossier


def refuse(actor: Actor, dossier: Dossier, *, expected_version: int, reasons: str) -> Dossier:
    """Refuse an online dossier, or one left incomplete at the desk (status 3, form 03)."""
    reasons = required_text(reasons, "reasons", _("Give the reasons for the refusal."))
    with moving(actor, dossier, Action.REFUSE, expected_version) as move:
        apply_clock(move)
        move.event_data["reasons"] = reasons
        finish(move, note=reasons)
    return dossier


# --- processing ----------------------------------------------------------------------------


def _check_assignee(to_user: User | None, unit: Unit) -> None:
    if to_user is None:
        return
    dossier_perms = (
        Perm.RECEIVE_DOSSIERS,
        Perm.PROCESS_DOSSIERS,
        Perm.APPROVE_DOSSIERS,
        Perm.RETURN_RESULTS,
    )
    if not to_user.is_active or not any(has_perm_in_unit(to_user, p, unit) for p in dossier_perms):
        raise ValidationError(
            {"to_user": _("This person does not handle dossiers in %(unit)s.") % {"unit": unit}}
        )


def _handover(move: Move, step: StepPlan, to_user: User | None) -> None:
    _check_assignee(to_user, step.unit)
    enter_step(move.dossier, step, move.at, to_user)
    move.event_data.update(
        {
            "handed_by": getattr(move.actor, "pk", None),
            "received_by": getattr(to_user, "pk", None),
            "from_step": move.before["step_position"],
        }
    )


def forward(
    actor: Actor,
    dossier: Dossier,
    *,
    expected_version: int,
    to_user: User | None = None,
    note: str = "",
    draft_result: Sequence[PaperIn] = (),
) -> Dossier:
    """Hand the dossier to the next step of its process (status 4), optionally to a
    named person there; the step's deadline counts its working hours from now.
    ``draft_result``: the draft of the result (dự thảo) for the next person to check
    and sign, kept with the dossier as internal papers."""
    with moving(actor, dossier, Action.FORWARD, expected_version) as move:
        rows = paper_rows(
            move.dossier.procedure_version, draft_result, field_name="draft_result", listed=()
        )
        step = move.plan[move.dossier.step_position or 0]  # positions are 1-based
        _handover(move, step, to_user)
        save_papers(move.dossier, rows, is_draft=True)
        if rows:
            move.event_data["draft_result"] = [row.name for row in rows]
        finish(move, note=text(note, 2000), to_user=to_user)
    return dossier


def send_back(
    actor: Actor,
    dossier: Dossier,
    *,
    expected_version: int,
    reason: str,
    to_user: User | None = None,
) -> Dossier:
    """Return the dossier to the previous step, with the reason."""
    reason = required_text(reason, "reason", _("Say why the dossier goes back."))
    with moving(actor, dossier, Action.SEND_BACK, expected_version) as move:
        step = move.plan[(move.dossier.step_position or 2) - 2]
        _handover(move, step, to_user)
        finish(move, note=reason, to_user=to_user)
    return dossier


def request_supplement(
    actor: Actor,
    dossier: Dossier,
    *,
    expected_version: int,
    missing_papers: Sequence[str] = (),
    reason: str = "",
) -> Dossier:
    """Ask the applicant for more papers (status 5, form 02). For a received dossier
    the clock stops and the working time left is kept."""
    asked = [text(item, 500) for item in missing_papers if item and item.strip()]
    reason = (reason or "").strip()[:2000]
    if not asked and not reason:
        raise ValidationError(
            {"missing_papers": _("Say what the applicant must add: the papers, or the reason.")}
        )
    with moving(actor, dossier, Action.REQUEST_SUPPLEMENT, expected_version) as move:
        apply_clock(move)
        if move.dossier.received_at is not None:
            # Counted for the 766 index, where a second request makes the dossier late.
            move.dossier.supplement_requests += 1
        move.event_data.update(
            {"asked": asked, "remaining_seconds": move.dossier.remaining_seconds}
        )
        finish(move, note=reason)
    return dossier


def receive_supplement(
    actor: Actor,
    dossier: Dossier,
    *,
    expected_version: int,
    papers: Sequence[PaperIn],
    note: str = "",
) -> Dossier:
    """The applicant brought (or uploaded) what was asked.

    A dossier never received (incomplete at the desk, or online before acceptance)
    is now received: it must be complete, and the time limit starts. A dossier in
    processing goes back to the status it had, and its appointment moves by the
    working time the clock was stopped.
    """
    with moving(actor, dossier, Action.RECEIVE_SUPPLEMENT, expected_version) as move:
        current = move.dossier
        rows = paper_rows(current.procedure_version, papers)
        if move.row.clock == Clock.START:
            held = [
                PaperRow(
                    required=paper.required_paper,
                    name=paper.name,
                    copies=paper.copies,
                    form=paper.form,
                    file=None,
                )
                for paper in current.papers.filter(
                    received=True, is_result=False, is_draft=False
                ).select_related("required_paper")
            ]
            missing = missing_papers(current.procedure_version, held + rows)
            if missing:
                raise IncompleteDossier(missing)
            _start_processing(move)
        else:
            apply_clock(move)
        save_papers(current, rows)
        move.event_data["papers"] = [row.name for row in rows]
        finish(move, note=text(note, 2000))
    return dossier


def _amount(value: Any, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError({field_name: _("The amount must be a whole number of đồng above 0.")})
    if value > 10**13:
        raise ValidationError({field_name: _("The amount is too large.")})
    return value


def request_payment(
    actor: Actor, dossier: Dossier, *, expected_version: int, amount: int, note: str = ""
) -> Dossier:
    """Ask the applicant to pay taxes and fees (status 6); the clock stops."""
    amount = _amount(amount, "amount")
    with moving(actor, dossier, Action.REQUEST_PAYMENT, expected_version) as move:
        apply_clock(move)
        move.dossier.payment_requested = amount
        move.event_data["amount"] = amount
        finish(move, note=text(note, 2000))
    return dossier


def confirm_payment(
    actor: Actor, dossier: Dossier, *, expected_version: int, amount: int, reference: str
) -> Dossier:
    """The payment arrived (the national payment platform calls with ``actor=None``,
    or the desk records a cash payment): the clock restarts."""
    amount = _amount(amount, "amount")
    reference = required_text(reference, "reference", _("Give the payment reference."), 200)
    with moving(actor, dossier, Action.CONFIRM_PAYMENT, expected_version) as move:
        requested = move.dossier.payment_requested or 0
        if amount < requested:
            raise ValidationError(
                {
                    "amount": _("%(paid)s đồng is less than the %(requested)s đồng requested.")
                    % {"paid": amount, "requested": requested}
                }
            )
        apply_clock(move)
        move.event_data.update({"amount": amount, "reference": reference})
        finish(move, audit_extra={"paid": amount, "reference": reference})
    return dossier


def consult_agency(
    actor: Actor, dossier: Dossier, *, expected_version: int, other_agency: Unit, note: str
) -> Dossier:
    """Pass the dossier to another agency for a step it must handle (liên thông),
    e.g. commune → district. ``other_agency`` may be the agency or the unit in it
    that acts; it answers with :func:`answer_consultation`."""
    note = required_text(note, "note", _("Say what the other agency is asked to do."))
    if other_agency.dissolved_at is not None:
        raise ValidationError({"other_agency": _("This agency no longer exists.")})
    with moving(actor, dossier, Action.CONSULT, expected_version) as move:
        current = move.dossier
        if current.current_unit_id == other_agency.pk:
            raise ValidationError({"other_agency": _("The dossier is already in this unit.")})
        current.consult_origin_unit = current.current_unit
        current.current_unit = other_agency
        current.current_assignee = None
        # The step's role belongs to the origin; the other agency decides who acts.
        current.current_role = ""
        move.event_data.update(
            {
                "origin_unit": move.from_unit.code if move.from_unit else None,
                "consulted_unit": other_agency.code,
            }
        )
        finish(move, note=note)
    return dossier


def answer_consultation(
    actor: Actor,
    dossier: Dossier,
    *,
    expected_version: int,
    note: str,
    files: Sequence[PaperIn] = (),
) -> Dossier:
    """The consulted agency answers and the dossier goes back to the unit that asked."""
    note = required_text(note, "note", _("Give the answer."))
    with moving(actor, dossier, Action.ANSWER_CONSULTATION, expected_version) as move:
        current = move.dossier
        rows = paper_rows(current.procedure_version, files, field_name="files")
        current.current_unit = current.consult_origin_unit
        current.consult_origin_unit = None
        position = current.step_position
        if position is not None and 1 <= position <= len(move.plan):
            current.current_role = move.plan[position - 1].role_code
        save_papers(current, rows)
        move.event_data.update(
            {
                "consulted_unit": move.from_unit.code if move.from_unit else None,
                "origin_unit": current.current_unit.code if current.current_unit else None,
                "files": [row.name for row in rows],
            }
        )
        finish(move, note=note)
    return dossier


def stop_processing(
    actor: Actor, dossier: Dossier, *, expected_version: int, reason: str
) -> Dossier:
    """Stop processing (status 8, form 05), e.g. the applicant is not eligible."""
    reason = required_text(reason, "reason", _("Give the reason for stopping."))
    with moving(actor, dossier, Action.STOP, expected_version) as move:
        apply_clock(move)
        finish(move, note=reason)
    return dossier


def withdraw(actor: Actor, dossier: Dossier, *, expected_version: int, reason: str) -> Dossier:
    """The applicant withdraws the dossier (status 7), themselves online or through
    the desk at their request."""
    reason = required_text(reason, "reason", _("Give the reason for the withdrawal."))
    with moving(actor, dossier, Action.WITHDRAW, expected_version) as move:
        apply_clock(move)
        finish(move, note=reason)
    return dossier


def timeliness_of(resolved_at: datetime, due_at: datetime) -> Timeliness:
    """Early: before the appointment day; on time: on that day, not after the hour;
    late: after the appointment."""
    if resolved_at > due_at:
        return Timeliness.LATE
    if timezone.localtime(resolved_at).date() < timezone.localtime(due_at).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def needs_apology(
    dossier: Dossier, now: datetime | None = None, *, within_working_hours: float = 0
) -> bool:
    """Whether the unit must issue an apology letter (form 04) now: the dossier is
    running (2 or 4, clock not stopped) and its appointment has passed, or is within
    ``within_working_hours`` of working time. Issuing one moves the appointment, so
    this turns false until the new date comes close in turn."""
    if dossier.status not in (Status.RECEIVED, Status.PROCESSING) or dossier.due_at is None:
        return False
    if dossier.paused_at is not None:
        return False
    now = now or timezone.now()
    if within_working_hours:
        limit = get_calendar().add_working_hours(now, within_working_hours)
        return dossier.due_at <= limit
    return dossier.due_at < now


def apology_offered(dossier: Dossier, now: datetime | None = None) -> bool:
    """Whether an apology letter is offered for the dossier now: overdue, or due
    within one working day (the pages, the API and the one-stop bridge ask this)."""
    return needs_apology(dossier, now, within_working_hours=float(working_day_hours()))


def mark_result_ready(
    actor: Actor,
    dossier: Dossier,
    *,
    expected_version: int,
    result_papers: Sequence[PaperIn] = (),
    note: str = "",
) -> Dossier:
    """The last step is done: the result goes to the one-stop desk (status 9).

    Records whether it came early, on time or late; a late result without an apology
    letter for the current appointment is allowed (the result must still go out)
    but recorded as such in the event and the audit.
    """
    with moving(actor, dossier, Action.RESULT_READY, expected_version) as move:
        current = move.dossier
        rows = paper_rows(current.procedure_version, result_papers, field_name="result_papers")
        current.resolved_at = move.at
        if current.due_at is not None:
            current.timeliness = timeliness_of(move.at, current.due_at)
        late = current.timeliness == Timeliness.LATE
        late_original = bool(current.original_due_at and move.at > current.original_due_at)
        apologised = (
            current.due_at is not None
            and current.apologies.filter(new_due_at=current.due_at).exists()
        )
        move.event_data.update(
            {
                "timeliness": current.timeliness,
                "late_against_first_appointment": late_original,
                "late_without_apology": late and not apologised,
                "result_papers": [row.name for row in rows],
            }
        )
        current.current_unit = current.receiving_unit
        current.current_step = None
        current.step_position = None
        current.current_role = ""
        current.current_assignee = None
        current.step_due_at = None
        save_papers(current, rows, is_result=True)
        finish(
            move,
            note=text(note, 2000),
            audit_extra={
                "timeliness": current.timeliness,
                "late_without_apology": late and not apologised,
            },
        )
    return dossier


def return_result(
    actor: Actor, dossier: Dossier, *, expected_version: int, note: str = ""
) -> Dossier:
    """The result is handed to the applicant (status 10)."""
    with moving(actor, dossier, Action.RETURN_RESULT, expected_version) as move:
        move.dossier.returned_at = move.at
        apply_clock(move)
        finish(move, note=text(note, 2000))
    return dossier


def issue_apology(
    actor: Actor,
    dossier: Dossier,
    *,
    expected_version: int,
    reason: str,
    new_due_at: datetime,
    number: str = "",
    letter: File[Any] | None = None,
) -> ApologyLetter:
    """Apologise for a dossier that will be late and give a new appointment (form 04);
    the dossier's appointment becomes ``new_due_at``. ``number`` and ``letter`` are
    the official document's number and symbol and its PDF when the letter was
    issued as one (the one-stop bridge)."""
    reason = required_text(reason, "reason", _("Give the reason for the delay."))
    if timezone.is_naive(new_due_at):
        raise ValidationError({"new_due_at": _("A date and time with a time zone is required.")})
    with moving(actor, dossier, Action.APOLOGY, expected_version) as move:
        current = move.dossier
        previous = current.due_at
        if previous is None or new_due_at <= previous or new_due_at <= move.at:
            raise ValidationError(
                {
                    "new_due_at": _(
                        "The new appointment must be later than the current one and than now."
                    )
                }
            )
        letter_record = ApologyLetter.objects.create(
            dossier=current,
            reason=reason,
            previous_due_at=previous,
            new_due_at=new_due_at,
            issued_by=move.actor,
            issuing_unit=current.current_unit or current.receiving_unit,
            issued_at=move.at,
            number=text(number, 60),
        )
        if letter is not None:
            letter_name = getattr(letter, "name", None) or "thu-xin-loi.pdf"
            letter_record.file.save(letter_name, letter, save=True)
        apply_clock(move)
        current.due_at = new_due_at
        move.event_data.update(
            {
                "apology_id": letter_record.pk,
                "previous_due_at": previous,
                "new_due_at": new_due_at,
                "number": letter_record.number,
            }
        )
        finish(move, note=reason)
    return letter_record
