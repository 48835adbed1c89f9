"""Process templates: the steps an agency follows for a procedure, checked
against its time limit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.accounts.models import Role
from egov.core import audit
from egov.core.models import Unit
from egov.procedures.models import (
    Procedure,
    ProcedureVersion,
    ProcessStep,
    ProcessTemplate,
    StepAction,
)
from egov.procedures.selectors import (
    HOURS,
    StepSpec,
    active_process,
    default_process_steps,
    limit_in_hours,
    published_version,
    time_limit_hours,
)
from egov.procedures.services.content import (
    _MAX_STEP_HOURS,
    Actor,
    Problem,
    _require_agency_admin,
    _user,
)

# --- process templates --------------------------------------------------------------


def _step_problems(agency: Unit, steps: Sequence[StepSpec], limit: Decimal | None) -> list[Problem]:
    problems: list[Problem] = []
    if not steps:
        return [Problem(NON_FIELD_ERRORS, _("A process needs at least one step."))]
    role_codes = set(Role.objects.values_list("code", flat=True))
    total = Decimal(0)
    for index, step in enumerate(steps):
        path = f"steps[{index}]"
        if not str(step.name or "").strip():
            problems.append(Problem(f"{path}.name", _("Give the step a name.")))
        elif len(step.name) > 255:
            problems.append(Problem(f"{path}.name", _("At most 255 characters.")))
        if len(str(step.action_name or "").strip()) > 80:
            problems.append(Problem(f"{path}.action_name", _("At most 80 characters.")))
        actions = tuple(step.actions)
        unknown = [a for a in actions if a not in StepAction.values]
        if not actions:
            problems.append(Problem(f"{path}.actions", _("Allow at least one action.")))
        elif unknown:
            problems.append(
                Problem(
                    f"{path}.actions",
                    _("Unknown actions: %(actions)s.") % {"actions": ", ".join(map(str, unknown))},
                )
            )
        elif len(set(actions)) != len(actions):
            problems.append(Problem(f"{path}.actions", _("An action is listed twice.")))
        if step.role_code not in role_codes:
            problems.append(
                Problem(
                    f"{path}.role_code",
                    _("No role with the code %(code)s.") % {"code": step.role_code},
                )
            )
        unit = step.unit
        if unit is None or unit.dissolved_at is not None:
            problems.append(Problem(f"{path}.unit", _("Choose a unit in operation.")))
        elif not unit.path.startswith(agency.path) and StepAction.CONSULT not in actions:
            problems.append(
                Problem(
                    f"{path}.unit",
                    _(
                        "%(unit)s is outside %(agency)s: a step at another agency is a "
                        "liên thông step and must allow “pass to another agency”."
                    )
                    % {"unit": unit.name, "agency": agency.name},
                )
            )
        try:
            hours = Decimal(step.hours)
        except (InvalidOperation, TypeError, ValueError):
            hours = Decimal("NaN")
        if not hours.is_finite() or hours <= 0:
            problems.append(Problem(f"{path}.hours", _("Must be a number of hours above 0.")))
        elif hours > _MAX_STEP_HOURS or hours != hours.quantize(HOURS):
            problems.append(Problem(f"{path}.hours", _("At most two decimals (e.g. 3.75).")))
        else:
            total += hours
    hours_valid = not any(p.path.endswith(".hours") for p in problems)
    if limit is not None and hours_valid and total != limit:
        problems.append(
            Problem(
                NON_FIELD_ERRORS,
                _(
                    "The steps add up to %(total)s working hours but the legal time "
                    "limit is %(limit)s working hours: the hours must add up exactly."
                )
                % {"total": _hours(total), "limit": _hours(limit)},
            )
        )
    return problems


def _hours(value: Decimal) -> str:
    text = f"{value.quantize(HOURS):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def process_problems(
    procedure: Procedure, agency: Unit, steps: Sequence[StepSpec]
) -> list[Problem]:
    """Every reason ``steps`` cannot be saved as ``agency``'s process (no DB writes)."""
    problems: list[Problem] = []
    version = published_version(procedure)
    if version is None:
        problems.append(
            Problem(
                NON_FIELD_ERRORS,
                _("Procedure %(code)s has no published version: publish it first.")
                % {"code": procedure.national_code},
            )
        )
    elif not version.agencies.filter(pk=agency.pk).exists():
        problems.append(
            Problem(
                NON_FIELD_ERRORS,
                _("%(agency)s does not carry out procedure %(code)s.")
                % {"agency": agency.name, "code": procedure.national_code},
            )
        )
    if agency.dissolved_at is not None:
        problems.append(Problem(NON_FIELD_ERRORS, _("This agency has been dissolved.")))
    limit = time_limit_hours(version) if version is not None else None
    return problems + _step_problems(agency, steps, limit)


def _step_summary(steps: Iterable[StepSpec]) -> list[dict[str, Any]]:
    return [
        {
            "name": step.name,
            "unit": step.unit.code,
            "role": step.role_code,
            "hours": str(Decimal(step.hours)),
            "actions": list(step.actions),
            "action_name": step.action_name,
            "name_en": step.name_en,
            "action_name_en": step.action_name_en,
        }
        for step in steps
    ]


def _save_template(
    actor: Actor, procedure: Procedure, agency: Unit, steps: Sequence[StepSpec], action: str
) -> ProcessTemplate:
    previous = (
        ProcessTemplate.objects.select_for_update()
        .filter(procedure=procedure, agency=agency, is_active=True)
        .first()
    )
    before: list[dict[str, Any]] = []
    if previous is not None:
        old_steps = [StepSpec.from_step(s) for s in previous.steps.select_related("unit")]
        if [s.key() for s in old_steps] == [s.key() for s in steps]:
            return previous
        before = _step_summary(old_steps)
        # Kept, inactive: dossiers in progress point to its steps.
        previous.is_active = False
        previous.save(update_fields=["is_active", "updated_at"])
    template = ProcessTemplate.objects.create(
        procedure=procedure, agency=agency, is_active=True, updated_by=_user(actor)
    )
    ProcessStep.objects.bulk_create(
        [
            ProcessStep(
                template=template,
                position=position,
                name=step.name.strip(),
                unit=step.unit,
                role_code=step.role_code,
                hours=Decimal(step.hours),
                actions=list(step.actions),
                action_name=str(step.action_name or "").strip(),
                name_en=str(step.name_en or "").strip(),
                action_name_en=str(step.action_name_en or "").strip(),
            )
            for position, step in enumerate(steps, start=1)
        ]
    )
    audit.record(
        actor=_user(actor),
        action=action,
        obj=template,
        unit=agency,
        changes={"steps": [before or None, _step_summary(steps)]},
    )
    return template


def define_process_template(
    actor: Actor, procedure: Procedure, agency: Unit, steps: Sequence[StepSpec]
) -> ProcessTemplate:
    """Make ``steps`` (in order; positions 1..n) ``agency``'s process for
    ``procedure``, replacing the active template atomically. The old template is
    kept, inactive, for the dossiers that reference its steps; saving the same
    steps again changes nothing.

    Checked: the procedure is published and the agency carries it out; every
    step's hours are positive and together equal the legal limit in working
    hours; every role exists; every unit is in operation and inside the agency's
    subtree, unless the step allows ``consult`` (a liên thông step at another
    agency); every action is a ``StepAction``. Errors come as a
    ``ValidationError`` keyed ``steps[i].field`` (and ``__all__``).
    """
    _require_agency_admin(actor, agency)
    steps = list(steps)
    problems = process_problems(procedure, agency, steps)
    if problems:
        raise ValidationError(_grouped(problems))
    try:
        with transaction.atomic():
            return _save_template(actor, procedure, agency, steps, "procedures.process_define")
    except IntegrityError as exc:
        # Another administrator saved a template for the same pair at this moment.
        raise ValidationError(
            _("Someone else changed this process at the same time; reload and try again."),
            code="concurrent_change",
        ) from exc


def _grouped(problems: Sequence[Problem]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.path, []).append(problem.message)
    return grouped


def ensure_active_process(version: ProcedureVersion, agency: Unit) -> ProcessTemplate:
    """The active template of ``version``'s procedure at ``agency``; where none is
    defined, the default process (see
    :func:`egov.procedures.selectors.default_process_steps`) is saved as the
    active template first, by the platform, so that dossier steps always point to
    real rows. Safe to call inside the caller's transaction and concurrently."""
    template = active_process(version.procedure, agency)
    if template is not None:
        return template
    steps = default_process_steps(version, agency)
    try:
        with transaction.atomic():
            _save_template(None, version.procedure, agency, steps, "procedures.process_default")
    except IntegrityError:
        pass  # saved by a concurrent receipt: read theirs
    found = active_process(version.procedure, agency)
    if found is None:  # pragma: no cover - the unique constraint guarantees one
        raise RuntimeError("no active process template after saving the default")
    return found


def limit_hours_of(values: Mapping[str, Any]) -> Decimal:
    """Legal limit in working hours of raw content (for forms previewing a draft)."""
    return limit_in_hours(values["time_limit"], values.get("time_limit_unit", "working_days"))
