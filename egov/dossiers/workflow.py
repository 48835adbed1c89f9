"""The dossier status machine, as data.

Each :class:`Transition` row says: the action, the statuses it may start from,
extra conditions on the dossier, the status it leads to, who may do it (a
permission code from :class:`~egov.accounts.permissions.Perm`, checked in the
current unit, the receiving one-stop unit, or for the applicant), what it does to
the deadline clock, and which step action (``procedures.StepAction``) the current
process step must allow. The services in :mod:`egov.dossiers.services` look the
row up with :func:`find_transition` and refuse anything not in the table.

Kept as a table (not as ``if`` chains in the services) so that a decree changing
the rules means editing rows, and so the tests can walk every (action, status)
pair and prove that what is not listed is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from egov.accounts.permissions import Perm
from egov.dossiers.models import Status

if TYPE_CHECKING:
    from egov.dossiers.models import Dossier


class Action(StrEnum):
    """Moves on an existing dossier (creation is not in the table: see services)."""

    ACCEPT = "accept"
    REFUSE = "refuse"
    FORWARD = "forward"
    SEND_BACK = "send_back"
    REQUEST_SUPPLEMENT = "request_supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    REQUEST_PAYMENT = "request_payment"
    CONFIRM_PAYMENT = "confirm_payment"
    CONSULT = "consult"
    ANSWER_CONSULTATION = "answer_consultation"
    STOP = "stop"
    WITHDRAW = "withdraw"
    RESULT_READY = "result_ready"
    RETURN_RESULT = "return_result"
    APOLOGY = "apology"


#: How each action is named to people (errors, history).
ACTION_LABELS: dict[Action, Promise] = {
    Action.ACCEPT: _("accept the online dossier"),
    Action.REFUSE: _("refuse the dossier"),
    Action.FORWARD: _("forward to the next step"),
    Action.SEND_BACK: _("send back to the previous step"),
    Action.REQUEST_SUPPLEMENT: _("request a supplement"),
    Action.RECEIVE_SUPPLEMENT: _("receive the supplement"),
    Action.REQUEST_PAYMENT: _("request taxes and fees"),
    Action.CONFIRM_PAYMENT: _("confirm the payment"),
    Action.CONSULT: _("pass to another agency"),
    Action.ANSWER_CONSULTATION: _("answer the other agency"),
    Action.STOP: _("stop processing"),
    Action.WITHDRAW: _("withdraw the dossier"),
    Action.RESULT_READY: _("mark the result ready"),
    Action.RETURN_RESULT: _("return the result"),
    Action.APOLOGY: _("issue an apology letter"),
}


class Clock(StrEnum):
    """What a move does to the deadline."""

    NONE = "none"  # nothing
    START = "start"  # received now: due date counted from this moment
    STOP = "stop"  # the applicant must act (5, 6): remember the working time left
    RESUME = "resume"  # the applicant acted: due date = now + the time that was left
    EXTEND = "extend"  # apology letter: a new appointment
    END = "end"  # final status: closed


class Scope(StrEnum):
    """Where a grant's permission is checked."""

    CURRENT = "current"  # the unit handling the dossier now (role there or above)
    RECEIVING = "receiving"  # the one-stop unit that received it
    APPLICANT = "applicant"  # the applicant's own account (no permission code)
    PLATFORM = "platform"  # a system actor (actor=None): the payment platform


@dataclass(frozen=True)
class Grant:
    """One way to be allowed: ``perm`` held in the unit given by ``scope``."""

    perm: str | None
    scope: Scope


class Condition(StrEnum):
    """Facts about a dossier, besides its status, that a move may require."""

    UNRECEIVED = "unreceived"  # not (yet) received: no clock
    RECEIVED = "received"  # received: the clock runs or is stopped
    CONSULTING = "consulting"  # another agency is handling a step (liên thông)
    NOT_CONSULTING = "not_consulting"
    HAS_NEXT_STEP = "has_next_step"
    HAS_PREVIOUS_STEP = "has_previous_step"
    # Only the return of the result at the one-stop desk is left (or nothing).
    PROCESSING_DONE = "processing_done"


CONDITION_LABELS: dict[Condition, Promise] = {
    Condition.UNRECEIVED: _("the dossier has already been received"),
    Condition.RECEIVED: _("the dossier has not been received yet"),
    Condition.CONSULTING: _("no other agency is handling the dossier"),
    Condition.NOT_CONSULTING: _("another agency is handling the dossier; wait for its answer"),
    Condition.HAS_NEXT_STEP: _("this is the last step of the process; mark the result ready"),
    Condition.HAS_PREVIOUS_STEP: _("this is the first step of the process"),
    Condition.PROCESSING_DONE: _("the process has steps left; forward the dossier first"),
}
"""Why a move is refused when a condition does not hold (said to the person)."""


@dataclass(frozen=True)
class Transition:
    action: Action
    from_statuses: frozenset[Status]
    #: ``None``: back to the status the dossier had before its clock stopped.
    #: For :attr:`Action.APOLOGY`: the status does not change (see ``keeps_status``).
    to_status: Status | None
    grants: tuple[Grant, ...]
    clock: Clock = Clock.NONE
    requires: frozenset[Condition] = frozenset()
    #: ``procedures.StepAction`` values of which the current step must list one
    #: (when it lists any).
    step_actions: tuple[str, ...] = ()
    #: The actor's permission is narrowed to what the current step's role grants
    #: (a specialist step needs ``dossiers.process``, an approval step ``approve``).
    step_role: bool = False
    keeps_status: bool = False


def _s(*statuses: Status) -> frozenset[Status]:
    return frozenset(statuses)


def _c(*conditions: Condition) -> frozenset[Condition]:
    return frozenset(conditions)


DESK = Grant(Perm.RECEIVE_DOSSIERS, Scope.RECEIVING)
APPLICANT = Grant(None, Scope.APPLICANT)
PLATFORM = Grant(None, Scope.PLATFORM)
HANDLER = (
    Grant(Perm.PROCESS_DOSSIERS, Scope.CURRENT),
    Grant(Perm.APPROVE_DOSSIERS, Scope.CURRENT),
    # The first step usually sits at the one-stop desk itself.
    Grant(Perm.RECEIVE_DOSSIERS, Scope.CURRENT),
)
RUNNING = _s(Status.RECEIVED, Status.PROCESSING)

TRANSITIONS: tuple[Transition, ...] = (
    # --- reception of online dossiers and desk dossiers left incomplete
    Transition(Action.ACCEPT, _s(Status.SUBMITTED), Status.RECEIVED, (DESK,), Clock.START),
    Transition(
        Action.REFUSE,
        _s(Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED),
        Status.REFUSED,
        (DESK,),
        Clock.END,
        requires=_c(Condition.UNRECEIVED),
    ),
    Transition(
        Action.REQUEST_SUPPLEMENT,
        _s(Status.SUBMITTED),
        Status.SUPPLEMENT_REQUESTED,
        (DESK,),
        requires=_c(Condition.UNRECEIVED),
    ),
    Transition(
        Action.RECEIVE_SUPPLEMENT,
        _s(Status.SUPPLEMENT_REQUESTED),
        Status.RECEIVED,
        (DESK, APPLICANT),
        Clock.START,
        requires=_c(Condition.UNRECEIVED),
    ),
    # --- processing, step by step
    Transition(
        Action.FORWARD,
        RUNNING,
        Status.PROCESSING,
        HANDLER,
        requires=_c(Condition.NOT_CONSULTING, Condition.HAS_NEXT_STEP),
        # Approving ("sign and approve") passes the dossier on too.
        step_actions=("forward", "approve"),
        step_role=True,
    ),
    Transition(
        Action.SEND_BACK,
        _s(Status.PROCESSING),
        Status.PROCESSING,
        HANDLER,
        requires=_c(Condition.NOT_CONSULTING, Condition.HAS_PREVIOUS_STEP),
        step_actions=("send_back",),
        step_role=True,
    ),
    Transition(
        Action.REQUEST_SUPPLEMENT,
        RUNNING,
        Status.SUPPLEMENT_REQUESTED,
        HANDLER,
        Clock.STOP,
        requires=_c(Condition.RECEIVED, Condition.NOT_CONSULTING),
        step_actions=("request_supplement",),
        step_role=True,
    ),
    Transition(
        Action.RECEIVE_SUPPLEMENT,
        _s(Status.SUPPLEMENT_REQUESTED),
        None,
        (DESK, APPLICANT, *HANDLER),
        Clock.RESUME,
        requires=_c(Condition.RECEIVED),
    ),
    Transition(
        Action.REQUEST_PAYMENT,
        RUNNING,
        Status.AWAITING_PAYMENT,
        (*HANDLER, DESK),
        Clock.STOP,
        requires=_c(Condition.RECEIVED, Condition.NOT_CONSULTING),
    ),
    Transition(
        Action.CONFIRM_PAYMENT,
        _s(Status.AWAITING_PAYMENT),
        None,
        (PLATFORM, DESK, *HANDLER),
        Clock.RESUME,
    ),
    Transition(
        Action.CONSULT,
        RUNNING,
        Status.PROCESSING,
        HANDLER,
        requires=_c(Condition.NOT_CONSULTING),
        step_actions=("consult",),
        step_role=True,
    ),
    Transition(
        Action.ANSWER_CONSULTATION,
        _s(Status.PROCESSING),
        Status.PROCESSING,
        HANDLER,
        requires=_c(Condition.CONSULTING),
    ),
    # --- endings
    Transition(
        Action.STOP,
        RUNNING,
        Status.STOPPED,
        HANDLER,
        Clock.END,
        requires=_c(Condition.RECEIVED, Condition.NOT_CONSULTING),
    ),
    Transition(
        Action.WITHDRAW,
        _s(
            Status.SUBMITTED,
            Status.RECEIVED,
            Status.PROCESSING,
            Status.SUPPLEMENT_REQUESTED,
            Status.AWAITING_PAYMENT,
        ),
        Status.WITHDRAWN,
        (APPLICANT, DESK),
        Clock.END,
    ),
    Transition(
        Action.RESULT_READY,
        RUNNING,
        Status.RESULT_READY,
        HANDLER,
        requires=_c(Condition.RECEIVED, Condition.NOT_CONSULTING, Condition.PROCESSING_DONE),
        step_role=True,
    ),
    Transition(
        Action.RETURN_RESULT,
        _s(Status.RESULT_READY),
        Status.RETURNED,
        (Grant(Perm.RETURN_RESULTS, Scope.RECEIVING), PLATFORM),  # PLATFORM: postal delivery
        Clock.END,
    ),
    # --- a late dossier: apology and new appointment (form 04); status unchanged
    Transition(
        Action.APOLOGY,
        RUNNING,
        None,
        (*HANDLER, DESK),
        Clock.EXTEND,
        requires=_c(Condition.RECEIVED),
        keeps_status=True,
    ),
)


@dataclass(frozen=True)
class StepFacts:
    """What the conditions need to know about the dossier's process."""

    has_next: bool
    has_previous: bool
    #: No step left, or only steps at the receiving one-stop desk (returning the
    #: result is what statuses 9 → 10 record).
    processing_done: bool


def condition_holds(condition: Condition, dossier: Dossier, steps: StepFacts) -> bool:
    checks: dict[Condition, Callable[[], bool]] = {
        Condition.UNRECEIVED: lambda: dossier.received_at is None,
        Condition.RECEIVED: lambda: dossier.received_at is not None,
        Condition.CONSULTING: lambda: dossier.consult_origin_unit_id is not None,
        Condition.NOT_CONSULTING: lambda: dossier.consult_origin_unit_id is None,
        Condition.HAS_NEXT_STEP: lambda: steps.has_next,
        Condition.HAS_PREVIOUS_STEP: lambda: steps.has_previous,
        Condition.PROCESSING_DONE: lambda: steps.processing_done,
    }
    return checks[condition]()


def transitions_for(action: Action) -> list[Transition]:
    return [row for row in TRANSITIONS if row.action == action]


def statuses_allowing(action: Action) -> frozenset[Status]:
    """Every status from which ``action`` is possible under some condition."""
    allowed: set[Status] = set()
    for row in transitions_for(action):
        allowed |= row.from_statuses
    return frozenset(allowed)


@dataclass(frozen=True)
class Lookup:
    """The row that applies, or why none does (first unmet condition)."""

    transition: Transition | None
    unmet: Condition | None = None


def find_transition(action: Action, dossier: Dossier, steps: StepFacts) -> Lookup:
    """The table row for ``action`` on ``dossier`` in its current state."""
    unmet: Condition | None = None
    for row in transitions_for(action):
        if dossier.status not in row.from_statuses:
            continue
        # In declaration order, so the reason given is the most basic one.
        missing = [
            c for c in Condition if c in row.requires and not condition_holds(c, dossier, steps)
        ]
        if not missing:
            return Lookup(row)
        unmet = unmet or missing[0]
    return Lookup(None, unmet)


def actions_from(status: Status) -> list[Action]:
    """Actions the table lists for a status (before conditions and permissions)."""
    return [a for a in Action if status in statuses_allowing(a)]


def perms_of(grants: Iterable[Grant]) -> frozenset[str]:
    return frozenset(g.perm for g in grants if g.perm)
