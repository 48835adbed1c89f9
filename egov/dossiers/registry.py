"""The moves on a dossier, one row each: what the pages, the API and the
dispatcher need to know about an action.

:mod:`egov.dossiers.workflow` says *when* a move may happen (its transition rows:
statuses, conditions, who may, the clock) and how it is named
(``ACTION_LABELS``); a :class:`Move` row here adds *how it is asked for*: the
button on the staff page and its form (:mod:`egov.dossiers.staff_forms`), the
API's URL segment, summary and request schema (:mod:`egov.dossiers.schemas`),
the service function (:mod:`egov.dossiers.services.actions`), and how each kind
of request becomes that function's arguments. The API routes
(:mod:`egov.dossiers.api`), the page forms and the page dispatcher
(:mod:`egov.dossiers.views`) and ``services.perform`` are all built from
:data:`MOVES`: adding an action means adding a transition row and a row here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from egov.dossiers import schemas, staff_forms, workflow
from egov.dossiers.models import Dossier
from egov.dossiers.services import actions
from egov.dossiers.services.papers import PaperIn
from egov.dossiers.workflow import Action, Transition


class References(Protocol):
    """How an API request names people and units (user names, unit codes); the API
    supplies it, raising its own error for an unknown name."""

    def user(self, username: str | None) -> Any: ...

    def unit(self, code: str, field: str) -> Any: ...


ApiArgs = Callable[[Any, References], dict[str, Any]]
FormArgs = Callable[[Any], dict[str, Any]]
#: Whether the staff page offers a move now (the service still decides if it may happen).
Offered = Callable[[Dossier, datetime], bool]


class Kind(StrEnum):
    """What a move does to the dossier, for how the staff page presents it."""

    #: Moves the dossier on (accept, forward, result ready, return…): the page offers
    #: the first of these the person may make as the step's one primary action.
    ADVANCE = "advance"
    #: Everything else that keeps the dossier going (send back, supplement, consult…).
    OTHER = "other"
    #: Ends the dossier against the applicant's wish (refuse, stop): shown as a warning.
    WARNING = "warning"


def _always(dossier: Dossier, now: datetime) -> bool:
    return True


def _late_or_nearly(dossier: Dossier, now: datetime) -> bool:
    """An apology letter is for a dossier overdue or due within one working day."""
    return actions.apology_offered(dossier, now)


@dataclass(frozen=True)
class Move:
    """One action as the pages and the API offer it."""

    action: Action
    #: The button (and panel title) on the staff page.
    button: Promise
    #: The page form asking for the action's input.
    form: type[forms.Form]
    #: The API: ``POST /api/v1/dossiers/{code}/<path>`` with body ``schema``.
    path: str
    summary: str
    schema: type[Schema]
    #: The service doing it: ``service(actor, dossier, expected_version=…, **args)``.
    service: Callable[..., Any]
    #: The API body → the service's arguments (besides ``expected_version``).
    api_args: ApiArgs
    #: The page form (valid) → the service's arguments.
    form_args: FormArgs
    #: Whether the move checks papers (its 422 answer lists the missing ones).
    checks_papers: bool = False
    #: How the staff page presents it (see :class:`Kind`).
    kind: Kind = Kind.OTHER
    #: Among ADVANCE moves the person may make, the lowest rank is the primary one
    #: (the result is marked ready rather than forwarded to a desk-only step).
    rank: int = 100
    #: Whether the staff page offers it now.
    offered: Offered = _always
    #: The move finishes the current process step: its button takes the step's
    #: action name (``ProcessStep.action_name``).
    finishes_step: bool = False

    @property
    def label(self) -> Promise:
        """How the action is named to people (history, errors, confirmations)."""
        return workflow.ACTION_LABELS[self.action]

    @property
    def transitions(self) -> list[Transition]:
        """The workflow rows: statuses, conditions, grants and clock effect."""
        return workflow.transitions_for(self.action)


# --- turning requests into arguments -----------------------------------------------------


def api_papers(items: Iterable[schemas.PaperIn]) -> list[PaperIn]:
    return [
        PaperIn(
            required_paper=item.required_paper,
            name=item.name,
            copies=item.copies,
            form=item.form,
            origin=item.origin,
        )
        for item in items
    ]


def form_papers(items: Iterable[Mapping[str, Any]]) -> list[PaperIn]:
    """Papers as a page form reads them (``papers_in()``)."""
    return [
        PaperIn(
            required_paper=item.get("required_paper"),
            name=item.get("name", ""),
            copies=item.get("copies", 1),
            form=item.get("form", ""),
            origin=item.get("origin", ""),
        )
        for item in items
    ]


def _note(form: Any) -> dict[str, Any]:
    return {"note": form.cleaned_data.get("note", "")}


def _reason(form: Any) -> dict[str, Any]:
    return {"reason": form.cleaned_data["reason"]}


def _api_reason(payload: Any, refs: References) -> dict[str, Any]:
    return {"reason": payload.reason}


def _api_note(payload: Any, refs: References) -> dict[str, Any]:
    return {"note": payload.note}


def _result_papers(form: Any) -> dict[str, Any]:
    data = form.cleaned_data
    files = [PaperIn(name=item.name[:500], file=item) for item in data.get("result_files") or []]
    named = [
        PaperIn(name=line.strip()[:500])
        for line in (data.get("result_names") or "").splitlines()
        if line.strip()
    ]
    return {"result_papers": files + named, "note": data.get("note", "")}


MOVES: dict[Action, Move] = {
    move.action: move
    for move in (
        Move(
            Action.ACCEPT,
            _("Accept"),
            staff_forms.NoteForm,
            "accept",
            "Accept an online dossier (1 → 2)",
            schemas.AcceptIn,
            actions.accept_online,
            lambda p, refs: {"fee_inputs": p.fee_inputs, "note": p.note},
            _note,
            kind=Kind.ADVANCE,
            rank=10,
        ),
        Move(
            Action.REFUSE,
            _("Refuse (form 03)"),
            staff_forms.RefuseForm,
            "refuse",
            "Refuse a dossier not yet received (→ 3, form 03)",
            schemas.RefuseIn,
            actions.refuse,
            lambda p, refs: {"reasons": p.reasons},
            lambda form: {"reasons": form.cleaned_data["reasons"]},
            kind=Kind.WARNING,
        ),
        Move(
            Action.FORWARD,
            _("Forward"),
            staff_forms.ForwardForm,
            "forward",
            "Hand over to the next step (→ 4)",
            schemas.ForwardIn,
            actions.forward,
            lambda p, refs: {"to_user": refs.user(p.to_user), "note": p.note},
            lambda form: {
                "to_user": form.cleaned_data.get("to_user"),
                "note": form.cleaned_data.get("note", ""),
                "draft_result": [
                    PaperIn(name=item.name[:500], file=item)
                    for item in form.cleaned_data.get("draft_files") or []
                ],
            },
            kind=Kind.ADVANCE,
            rank=30,
            finishes_step=True,
        ),
        Move(
            Action.SEND_BACK,
            _("Send back"),
            staff_forms.SendBackForm,
            "send-back",
            "Send back to the previous step",
            schemas.SendBackIn,
            actions.send_back,
            lambda p, refs: {"reason": p.reason, "to_user": refs.user(p.to_user)},
            _reason,
        ),
        Move(
            Action.REQUEST_SUPPLEMENT,
            _("Request a supplement (form 02)"),
            staff_forms.SupplementRequestForm,
            "request-supplement",
            "Ask the applicant for more papers (→ 5, clock stops)",
            schemas.RequestSupplementIn,
            actions.request_supplement,
            lambda p, refs: {"missing_papers": p.missing_papers, "reason": p.reason},
            lambda form: {
                "missing_papers": form.missing_list(),
                "reason": form.cleaned_data.get("reason", ""),
            },
        ),
        Move(
            Action.RECEIVE_SUPPLEMENT,
            _("Receive the supplement"),
            staff_forms.ReceiveSupplementForm,
            "receive-supplement",
            "Record the papers the applicant added (clock restarts)",
            schemas.ReceiveSupplementIn,
            actions.receive_supplement,
            lambda p, refs: {"papers": api_papers(p.papers), "note": p.note},
            lambda form: {
                "papers": form_papers(form.papers_in()),
                "note": form.cleaned_data.get("note", ""),
            },
            checks_papers=True,
            kind=Kind.ADVANCE,
            rank=10,
        ),
        Move(
            Action.REQUEST_PAYMENT,
            _("Request taxes and fees"),
            staff_forms.AmountForm,
            "request-payment",
            "Ask for taxes and fees (→ 6, clock stops)",
            schemas.RequestPaymentIn,
            actions.request_payment,
            lambda p, refs: {"amount": p.amount, "note": p.note},
            lambda form: {
                "amount": form.cleaned_data["amount"],
                "note": form.cleaned_data.get("note", ""),
            },
        ),
        Move(
            Action.CONFIRM_PAYMENT,
            _("Confirm the payment"),
            staff_forms.ConfirmPaymentForm,
            "confirm-payment",
            "Record the payment (clock restarts)",
            schemas.ConfirmPaymentIn,
            actions.confirm_payment,
            lambda p, refs: {"amount": p.amount, "reference": p.reference},
            lambda form: {
                "amount": form.cleaned_data["amount"],
                "reference": form.cleaned_data["reference"],
            },
            kind=Kind.ADVANCE,
            rank=10,
        ),
        Move(
            Action.CONSULT,
            _("Pass to another agency"),
            staff_forms.ConsultForm,
            "consult",
            "Pass to another agency for a step (liên thông)",
            schemas.ConsultIn,
            actions.consult_agency,
            lambda p, refs: {"other_agency": refs.unit(p.unit, "unit"), "note": p.note},
            lambda form: {
                "other_agency": form.cleaned_data["other_agency"],
                "note": form.cleaned_data["note"],
            },
        ),
        Move(
            Action.ANSWER_CONSULTATION,
            _("Answer and send back"),
            staff_forms.AnswerForm,
            "answer-consultation",
            "Answer and send the dossier back to the agency that asked",
            schemas.AnswerConsultationIn,
            actions.answer_consultation,
            lambda p, refs: {"note": p.note, "files": api_papers(p.files)},
            _note,
            kind=Kind.ADVANCE,
            rank=10,
        ),
        Move(
            Action.STOP,
            _("Stop processing (form 05)"),
            staff_forms.ReasonForm,
            "stop",
            "Stop processing (→ 8, form 05)",
            schemas.ReasonIn,
            actions.stop_processing,
            _api_reason,
            _reason,
            kind=Kind.WARNING,
        ),
        Move(
            Action.WITHDRAW,
            _("Record the withdrawal"),
            staff_forms.ReasonForm,
            "withdraw",
            "Withdraw at the applicant's request (→ 7)",
            schemas.ReasonIn,
            actions.withdraw,
            _api_reason,
            _reason,
            kind=Kind.WARNING,
        ),
        Move(
            Action.RESULT_READY,
            _("Mark the result ready"),
            staff_forms.ResultReadyForm,
            "result-ready",
            "Result ready, sent to the one-stop desk (→ 9)",
            schemas.ResultReadyIn,
            actions.mark_result_ready,
            lambda p, refs: {"result_papers": api_papers(p.result_papers), "note": p.note},
            _result_papers,
            kind=Kind.ADVANCE,
            rank=20,
            finishes_step=True,
        ),
        Move(
            Action.RETURN_RESULT,
            _("Return the result"),
            staff_forms.NoteForm,
            "return",
            "Result returned to the applicant (→ 10)",
            schemas.NoteIn,
            actions.return_result,
            _api_note,
            _note,
            kind=Kind.ADVANCE,
            rank=10,
        ),
        Move(
            Action.APOLOGY,
            _("Issue an apology letter (form 04)"),
            staff_forms.ApologyForm,
            "apology",
            "Apology letter with a new appointment (form 04)",
            schemas.ApologyIn,
            actions.issue_apology,
            lambda p, refs: {"reason": p.reason, "new_due_at": p.new_due_at},
            lambda form: {
                "reason": form.cleaned_data["reason"],
                "new_due_at": form.cleaned_data["new_due_at"],
            },
            offered=_late_or_nearly,
        ),
    )
}

#: Action → URL segment of its API route, for pages that link to the API.
ACTION_PATHS: dict[Action, str] = {action: move.path for action, move in MOVES.items()}
