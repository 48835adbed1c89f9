"""Changes to the plan's data: loading the plan, reporting a target's value, updating
a project. One function per act; each checks the person, locks the row, keeps the
history and writes the audit log in the same transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.core import audit
from egov.core.errors import DomainError
from egov.dashboards import seed_plan
from egov.dashboards.models import Plan, Project, ProjectUpdate, Target, TargetReport


class PlanError(DomainError):
    code = "invalid"
    http_status = 422


class StaleProject(DomainError):
    code = "stale"
    http_status = 409

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone updated this project while you were editing it. Nothing was "
                "saved: look at its new figures and enter your update again."
            )
        )


def may_report(user: Any) -> bool:
    """The IT department's operators report on the plan (and superusers)."""
    return has_perm_in_unit(user, Perm.OPERATE_PLATFORM, None)


def _require(user: Any) -> None:
    if not may_report(user):
        raise PermissionDenied(_("Only the platform's operators report on the plan."))


@dataclass(frozen=True)
class Loaded:
    plan: Plan
    targets: int
    projects: int


def load_plan(text: str | None = None) -> Loaded:
    """Create or refresh the plan from its text. Idempotent: the plan's own figures
    (texts, target values, budgets) are refreshed; what was reported since (values,
    evidence, disbursement, progress) is kept."""
    text = text if text is not None else seed_plan.read_text()
    targets = seed_plan.targets(text)
    projects, _totals = seed_plan.projects(text)
    match = re.search(r"Tổng kinh phí sự nghiệp CNTT tỉnh năm \d{4} là: ([\d.]+) đồng", text)
    total = int(match.group(1).replace(".", "")) if match else 0
    if total and total != sum(p.budget for p in projects):
        raise seed_plan.SeedError("the projects do not add up to the plan's total budget")
    with transaction.atomic():
        plan, _created = Plan.objects.update_or_create(
            code=seed_plan.PLAN_CODE,
            defaults={
                "title": seed_plan.PLAN_TITLE,
                "year": seed_plan.PLAN_YEAR,
                "issued_on": seed_plan.PLAN_DATE,
                "total_budget": total,
            },
        )
        for order, row in enumerate(targets):
            Target.objects.update_or_create(
                plan=plan,
                code=row.code,
                defaults={
                    "text": row.quote[0].upper() + row.quote[1:],
                    "system": row.system,
                    "value": row.value,
                    "measure": row.measure,
                    "order": order,
                },
            )
        for order, p in enumerate(projects):
            Project.objects.update_or_create(
                plan=plan,
                code=p.code,
                defaults={
                    "group": p.group,
                    "name": p.name,
                    "owner": p.owner,
                    "partners": p.partners,
                    "budget": p.budget,
                    "funding": p.funding,
                    "note": p.note,
                    "order": order,
                },
            )
    return Loaded(plan, len(targets), len(projects))


def _decimal(raw: str | Decimal | int, field: str, *, low: int, high: int) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise PlanError(_("Enter a number."), field=field) from exc
    if not value.is_finite() or not low <= value <= high:
        raise PlanError(
            _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high},
            field=field,
        )
    return value.quantize(Decimal("0.01"))


def report_target(actor: Any, target_id: int, *, value: str | Decimal, evidence: str) -> Target:
    """Record the reported value of a target the platform does not measure."""
    _require(actor)
    evidence = " ".join(evidence.split())
    number = _decimal(value, "value", low=0, high=100000)
    if not evidence:
        raise PlanError(
            _("Give the evidence: the document, report or source of the figure."),
            field="evidence",
        )
    with transaction.atomic():
        target = Target.objects.select_for_update().get(pk=target_id)
        if target.measure:
            raise PlanError(
                _("This target is measured by the platform; its value cannot be entered.")
            )
        before = target.reported_value
        moment = timezone.now()
        target.reported_value, target.evidence = number, evidence[:500]
        target.reported_by, target.reported_at = actor, moment
        target.save(update_fields=["reported_value", "evidence", "reported_by", "reported_at"])
        TargetReport.objects.create(
            target=target,
            value=number,
            evidence=evidence[:500],
            reported_by=actor,
            reported_at=moment,
        )
        audit.record(
            actor=actor,
            action="dashboards.target_reported",
            obj=target,
            changes={"value": [str(before) if before is not None else None, str(number)]},
        )
    return target


def update_project(
    actor: Any,
    project_id: int,
    *,
    disbursed: int,
    progress: int,
    note: str,
    expected_version: int,
) -> Project:
    """Record a project's disbursement and progress."""
    _require(actor)
    if not 0 <= progress <= 100:
        raise PlanError(_("Progress is a percentage from 0 to 100."), field="progress")
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project_id)
        if project.version != expected_version:
            raise StaleProject()
        if not 0 <= disbursed <= project.budget:
            raise PlanError(
                _("The disbursed amount must be between 0 and the budget (%(budget)s đồng).")
                % {"budget": f"{project.budget:,}".replace(",", ".")},
                field="disbursed",
            )
        before = {"disbursed": project.disbursed, "progress": project.progress}
        moment = timezone.now()
        project.disbursed, project.progress = disbursed, progress
        project.status_note = note.strip()[:500]
        project.updated_at, project.version = moment, project.version + 1
        project.save(
            update_fields=["disbursed", "progress", "status_note", "updated_at", "version"]
        )
        ProjectUpdate.objects.create(
            project=project,
            disbursed=disbursed,
            progress=progress,
            note=project.status_note,
            updated_by=actor,
            updated_at=moment,
        )
        audit.record(
            actor=actor,
            action="dashboards.project_updated",
            obj=project,
            changes={k: [v, getattr(project, k)] for k, v in before.items()},
        )
    return project
