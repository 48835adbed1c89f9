"""What the staff dossier page offers a person now: one primary move, named after
the process step it finishes, and the other moves (refusals and stops marked as
warnings), all read from the rows of :data:`egov.dossiers.registry.MOVES`.

The primary move is the ADVANCE move (:class:`~egov.dossiers.registry.Kind`) of
lowest rank the person may make; a move that finishes a step takes the step's
action name from the process template (``ProcessStep.action_name``), else a name
derived from what the step's role may do (approve → "Phê duyệt", process →
"Chuyển kết quả thẩm định", receive → "Chuyển xử lý"). Which moves the person may
make is :func:`egov.dossiers.services.may_act`; the service checks again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from egov.accounts.models import Role
from egov.accounts.permissions import Perm
from egov.core.localized import localized_name
from egov.dossiers import services
from egov.dossiers.models import Dossier
from egov.dossiers.registry import MOVES, Kind, Move
from egov.dossiers.services.plan import StepPlan
from egov.dossiers.workflow import Action
from egov.procedures.models import StepAction


@dataclass(frozen=True)
class Offer:
    action: Action
    #: The button and panel title.
    label: str
    #: Styled as a warning (the move ends the dossier against the applicant's wish).
    warning: bool = False


@dataclass(frozen=True)
class Offers:
    primary: Offer | None
    others: tuple[Offer, ...]


def _role_perms(role_code: str) -> frozenset[str]:
    perms = Role.objects.filter(code=role_code).values_list("permissions", flat=True).first()
    return frozenset(perms or ())


def step_action_name(step: StepPlan, action: Action) -> str:
    """The name of ``action`` finishing ``step``: the template's, else derived from
    what the step allows and what its role may do ("" when nothing fits)."""
    if step.action_name.strip():
        row = getattr(step, "step", None)  # the template's step: it may have an English name
        return (localized_name(row, "action_name") if row is not None else step.action_name).strip()
    perms = _role_perms(step.role_code) if step.role_code else frozenset()
    if StepAction.APPROVE in step.actions or Perm.APPROVE_DOSSIERS in perms:
        return _("Approve")
    if action != Action.FORWARD:
        return ""
    if Perm.PROCESS_DOSSIERS in perms:
        return _("Send the appraisal result")
    if Perm.RECEIVE_DOSSIERS in perms:
        return _("Send for processing")
    return ""


def current_step(dossier: Dossier) -> StepPlan | None:
    if dossier.step_position is None:
        return None
    plan = services.plan_of(dossier)
    if 1 <= dossier.step_position <= len(plan):
        return plan[dossier.step_position - 1]
    return None


def choose_primary(allowed: Iterable[Action], moves: dict[Action, Move] = MOVES) -> Action | None:
    """The ADVANCE move of lowest rank among ``allowed`` (registry order breaks ties)."""
    order = list(moves)
    candidates = [a for a in allowed if moves[a].kind == Kind.ADVANCE]
    if not candidates:
        return None
    return min(candidates, key=lambda a: (moves[a].rank, order.index(a)))


def label_for(action: Action, step: StepPlan | None) -> str:
    move = MOVES[action]
    if move.finishes_step and step is not None:
        name = step_action_name(step, action)
        if name:
            return name
    return str(move.button)


def arrange(allowed: Sequence[Action], step: StepPlan | None) -> Offers:
    """The primary offer and the others, in registry order, from the moves allowed."""
    primary_action = choose_primary(allowed)
    primary = None
    if primary_action is not None:
        primary = Offer(primary_action, label_for(primary_action, step))
    others = tuple(
        Offer(action, str(MOVES[action].button), MOVES[action].kind == Kind.WARNING)
        for action in allowed
        if action != primary_action
    )
    return Offers(primary, others)


def offers_for(user: Any, dossier: Dossier, now: datetime) -> Offers:
    """What the page offers ``user`` on ``dossier`` at ``now``."""
    allowed = [
        action
        for action, move in MOVES.items()
        if services.may_act(user, dossier, action) and move.offered(dossier, now)
    ]
    return arrange(allowed, current_step(dossier))
