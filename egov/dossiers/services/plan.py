"""The process a dossier follows: its steps (from the terms of receipt when it
starts, from the template it started with while in flight), and entering one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from egov.accounts.models import User
from egov.core.models import Unit
from egov.core.workcalendar import get_calendar
from egov.dossiers.models import Dossier
from egov.dossiers.workflow import StepFacts
from egov.procedures.models import ProcedureVersion, ProcessStep
from egov.procedures.terms import PlannedStep, default_plan, plan_of_template, terms_of_receipt

#: One step of a dossier's process (the catalogue's planned step).
StepPlan = PlannedStep


def plan_for(version: ProcedureVersion, agency: Unit) -> list[StepPlan]:
    """The steps a new dossier of ``version`` at ``agency`` will follow: the agency's
    process template, else the default process."""
    return terms_of_receipt(version, agency).plan


def plan_of(dossier: Dossier) -> list[StepPlan]:
    """The steps of a dossier in flight: those of the template it started with (so
    editing a template never reshuffles dossiers already moving), else the default."""
    if dossier.current_step_id is not None:
        template_id = (
            ProcessStep.objects.filter(pk=dossier.current_step_id)
            .values_list("template_id", flat=True)
            .first()
        )
        if template_id is not None:
            return plan_of_template(template_id)
    return default_plan(dossier.procedure_version, dossier.receiving_agency, dossier.receiving_unit)


def step_facts(dossier: Dossier, plan: Sequence[StepPlan]) -> StepFacts:
    position = dossier.step_position
    if position is None:
        return StepFacts(has_next=False, has_previous=False, processing_done=True)
    rest = plan[position:]
    return StepFacts(
        has_next=bool(rest),
        has_previous=position > 1,
        processing_done=all(step.unit.pk == dossier.receiving_unit_id for step in rest),
    )


def enter_step(dossier: Dossier, step: StepPlan, at: datetime, assignee: User | None) -> None:
    """Put ``dossier`` at ``step`` from ``at``: its unit, role, person and deadline."""
    dossier.current_step = step.step
    dossier.step_position = step.position
    dossier.current_unit = step.unit
    dossier.current_role = step.role_code
    dossier.current_assignee = assignee
    dossier.step_due_at = get_calendar().add_working_hours(at, step.hours)
