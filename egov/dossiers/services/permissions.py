"""Who may make a move: the grants of the workflow row, narrowed at a process step
to what the step's role acts with, and what the step itself allows."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from egov.accounts.models import Role
from egov.accounts.permissions import has_perm_in_unit, perms_in_unit
from egov.dossiers import workflow
from egov.dossiers.models import Dossier
from egov.dossiers.services.inputs import Actor
from egov.dossiers.services.plan import StepPlan, plan_of, step_facts
from egov.dossiers.workflow import Action, Scope, Transition


def _role_perms(role_code: str) -> frozenset[str]:
    if not role_code:
        return frozenset()
    perms = Role.objects.filter(code=role_code).values_list("permissions", flat=True).first()
    return frozenset(perms or ())


def _grant_holds(actor: Actor, dossier: Dossier, grant: workflow.Grant) -> bool:
    if grant.scope == Scope.PLATFORM:
        return actor is None
    if actor is None:
        return False
    if grant.scope == Scope.APPLICANT:
        return bool(
            dossier.applicant_id is not None
            and getattr(actor, "pk", None) == dossier.applicant_id
            and actor.is_active
        )
    unit = dossier.current_unit if grant.scope == Scope.CURRENT else dossier.receiving_unit
    return bool(grant.perm and unit is not None and has_perm_in_unit(actor, grant.perm, unit))


def check_grants(actor: Actor, dossier: Dossier, row: Transition) -> None:
    """Any grant of the row suffices, except that a step-bound move in the current
    unit needs every dossier permission the step's role acts with: a specialist
    cannot act at the head's step (process + approve), the head can at the
    specialist's (process)."""
    required: frozenset[str] = frozenset()
    if row.step_role and dossier.current_role:
        current_perms = workflow.perms_of(g for g in row.grants if g.scope == Scope.CURRENT)
        required = _role_perms(dossier.current_role) & current_perms
    for grant in row.grants:
        if required and grant.scope == Scope.CURRENT:
            unit = dossier.current_unit
            if actor is not None and unit is not None and required <= perms_in_unit(actor, unit):
                return
            continue
        if _grant_holds(actor, dossier, grant):
            return
    raise PermissionDenied(_("You are not allowed to do this with this dossier."))


def step_allows(row: Transition, dossier: Dossier, plan: Sequence[StepPlan]) -> bool:
    if not row.step_actions or dossier.step_position is None:
        return True
    if not 1 <= dossier.step_position <= len(plan):
        return True
    actions = plan[dossier.step_position - 1].actions
    # A step listing no actions restricts nothing (older templates).
    return not actions or any(action in actions for action in row.step_actions)


def may_act(actor: Actor, dossier: Dossier, action: Action) -> bool:
    """Whether ``actor`` could do ``action`` now (for showing buttons; the service
    checks again under lock)."""
    plan = plan_of(dossier) if dossier.step_position is not None else []
    lookup = workflow.find_transition(action, dossier, step_facts(dossier, plan))
    if lookup.transition is None:
        return False
    if not step_allows(lookup.transition, dossier, plan):
        return False
    try:
        check_grants(actor, dossier, lookup.transition)
    except PermissionDenied:
        return False
    return True
