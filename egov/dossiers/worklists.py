"""Which dossiers each staff worklist holds, as data.

A worklist (a tab of ``/can-bo/ho-so/``) is a list of :class:`Rule` rows; a dossier
is in it when it matches one row: its status, whether it has been received yet,
and where the person must hold the row's permission (the receiving desk, the step
the dossier is at, the unit holding it). Which tab a status belongs to is a row
here, not an ``if`` in a query, and the tests walk the table.

An online dossier waits "to receive" until the desk accepts it; once received it
sits at the desk's own step of the process (hand it over; later, the result back
at the desk), which is work "to process" for the desk, like every step is for the
people it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import Role
from egov.accounts.permissions import Perm, has_perm_in_unit, units_with_perm
from egov.core.models import Unit
from egov.dossiers import workflow
from egov.dossiers.models import Status


class Place(StrEnum):
    """Where the person's permission must hold for a dossier to be theirs."""

    RECEIVING_DESK = "receiving_desk"  # the one-stop unit the dossier was sent to
    STEP = "step"  # the step the dossier is at: its unit, and its role acts with the perm
    HOLDING_UNIT = "holding_unit"  # the unit holding the dossier, whatever the step
    # The unit holding it while another agency handles a step for it (liên thông):
    # no step role then.
    CONSULTED_UNIT = "consulted_unit"


@dataclass(frozen=True)
class Rule:
    statuses: frozenset[Status]
    place: Place
    perm: str
    #: ``True``: only received dossiers; ``False``: only those not received yet.
    received: bool | None = None


@dataclass(frozen=True)
class Worklist:
    kind: str
    label: Promise
    rules: tuple[Rule, ...]

    @property
    def perms(self) -> frozenset[str]:
        """Holding one of these anywhere shows the tab."""
        return frozenset(rule.perm for rule in self.rules)


def _s(*statuses: Status) -> frozenset[Status]:
    return frozenset(statuses)


RUNNING = _s(Status.RECEIVED, Status.PROCESSING)

WORKLISTS: tuple[Worklist, ...] = (
    Worklist(
        "receive",
        _("To receive"),
        (
            Rule(_s(Status.SUBMITTED), Place.RECEIVING_DESK, Perm.RECEIVE_DOSSIERS),
            # Left incomplete at the desk (form 02) and not received since.
            Rule(
                _s(Status.SUPPLEMENT_REQUESTED),
                Place.RECEIVING_DESK,
                Perm.RECEIVE_DOSSIERS,
                received=False,
            ),
        ),
    ),
    Worklist(
        "process",
        _("To process"),
        (
            Rule(RUNNING, Place.STEP, Perm.PROCESS_DOSSIERS),
            Rule(RUNNING, Place.CONSULTED_UNIT, Perm.PROCESS_DOSSIERS),
            # The desk's own steps: hand the received dossier over; the result back.
            Rule(RUNNING, Place.STEP, Perm.RECEIVE_DOSSIERS),
        ),
    ),
    Worklist(
        "approve",
        _("To approve"),
        (Rule(_s(Status.PROCESSING), Place.STEP, Perm.APPROVE_DOSSIERS),),
    ),
    Worklist(
        "return",
        _("To return"),
        (Rule(_s(Status.RESULT_READY), Place.HOLDING_UNIT, Perm.RETURN_RESULTS),),
    ),
)

KINDS: tuple[str, ...] = tuple(worklist.kind for worklist in WORKLISTS)


def worklist(kind: str) -> Worklist:
    for row in WORKLISTS:
        if row.kind == kind:
            return row
    raise ValueError(f"unknown queue {kind!r}; expected one of {', '.join(KINDS)}")


def worklists_for(user: Any) -> list[Worklist]:
    """The tabs ``user`` sees: those whose rules use a permission they hold somewhere."""
    return [
        row
        for row in WORKLISTS
        if any(has_perm_in_unit(user, perm, None) for perm in sorted(row.perms))
    ]


#: The permissions a step-bound move can use (see ``workflow.HANDLER``).
_STEP_PERMS = workflow.perms_of(workflow.HANDLER)


class _Units:
    """Units where ``user`` holds each permission, read once per permission."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.found: dict[str, QuerySet[Unit]] = {}

    def __call__(self, perm: str) -> QuerySet[Unit]:
        if perm not in self.found:
            self.found[perm] = units_with_perm(self.user, perm)
        return self.found[perm]


def at_steps_for(user: Any, perm: str, units: _Units | None = None) -> Q:
    """Dossiers at a step whose role acts with ``perm``, where ``user`` holds every
    dossier permission that role acts with in the unit handling it: the rule the
    services apply to step-bound moves, so a worklist shows what its owner can move
    (a specialist does not see the head's review step; the head sees the
    specialist's)."""
    where = units or _Units(user)
    condition = Q(pk__in=[])
    for role_code, granted in Role.objects.values_list("code", "permissions"):
        perms = set(granted or ())
        if perm not in perms:
            continue
        step = Q(current_role=role_code)
        for needed in sorted(perms & _STEP_PERMS):
            step &= Q(current_unit__in=where(needed))
        condition |= step
    return condition


def _matches(user: Any, rule: Rule, units: _Units) -> Q:
    condition = Q(status__in=sorted(rule.statuses))
    if rule.received is not None:
        condition &= Q(received_at__isnull=not rule.received)
    if rule.place == Place.RECEIVING_DESK:
        return condition & Q(receiving_unit__in=units(rule.perm))
    if rule.place == Place.STEP:
        return condition & at_steps_for(user, rule.perm, units)
    if rule.place == Place.HOLDING_UNIT:
        return condition & Q(current_unit__in=units(rule.perm))
    return condition & Q(current_role="", current_unit__in=units(rule.perm))


def membership(user: Any, kind: str) -> Q:
    """The dossiers in ``user``'s worklist ``kind``: those matching one of its rules."""
    units = _Units(user)
    condition = Q(pk__in=[])
    for rule in worklist(kind).rules:
        condition |= _matches(user, rule, units)
    return condition
