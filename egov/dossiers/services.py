"""Every change to a one-stop dossier: receipt, processing moves, late dossiers.

Rules every function here follows:

* ``actor`` comes first (``None`` only where the table allows a system actor:
  the payment platform confirming a payment);
* a change to an existing dossier takes ``expected_version``, the version the
  caller read; the row is locked (``SELECT … FOR UPDATE``) and compared, so of two
  people acting at once one wins and the other gets :class:`StaleDossier`;
* the move must be a row of :mod:`egov.dossiers.workflow` for the dossier's state,
  else :class:`TransitionNotAllowed` and nothing changes;
* one transaction per act, with a :class:`~egov.dossiers.models.DossierEvent` (the
  history and the handover record of the control sheet, form 06) and one audit
  entry written last (the audit chain head stays locked until commit).

Incomplete papers at the desk (``IncompleteDossier``) write nothing. The desk then
either refuses (:func:`refuse_dossier`, status 3, form 03) or records the request to
supplement (:func:`request_supplement_at_desk`): **decision** — that creates the
dossier at once, with its code, in status 5 and *without* ``received_at`` or a due
date, so the form 02 slip carries a code the applicant brings back; when they
return, :func:`receive_supplement` receives it (status 2) and the legal time limit
counts from that moment. Statistics count receipt by ``received_at``, so such a
dossier is not "received" until it is complete.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.models import AccountKind, Role, User
from egov.accounts.permissions import Perm, has_perm_in_unit, perms_in_unit, require_perm
from egov.accounts.validators import (
    normalize_phone,
    validate_national_id,
    validate_phone,
    validate_tax_code,
)
from egov.core import audit
from egov.core.models import Unit
from egov.core.numbering import issue_dossier_code
from egov.core.selectors.units import one_stop_units
from egov.core.workcalendar import Deadline, get_calendar
from egov.dossiers import workflow
from egov.dossiers.errors import (
    IdempotencyKeyReused,
    IncompleteDossier,
    MissingPaper,
    StaleDossier,
    TransitionNotAllowed,
)
from egov.dossiers.models import (
    ApologyLetter,
    Channel,
    Dossier,
    DossierEvent,
    DossierPaper,
    IdempotentRequest,
    Status,
    Timeliness,
)
from egov.dossiers.signals import dossier_changed
from egov.dossiers.workflow import Action, Clock, Scope, StepFacts, Transition
from egov.procedures.models import (
    OnlineLevel,
    PaperForm,
    ProcedureVersion,
    ProcessStep,
    ProcessTemplate,
    RequiredPaper,
    TimeLimitUnit,
    VersionStatus,
)

Actor = Any  # a User, or None for a system actor where allowed

#: Stronger forms satisfy weaker requirements: an original serves as a copy.
_FORM_RANK: dict[str, int] = {
    PaperForm.PHOTOCOPY: 1,
    PaperForm.CERTIFIED_COPY: 2,
    PaperForm.ORIGINAL: 3,
}
MAX_COPIES = 99
#: Clock skew tolerated for a receipt time given by a client.
_FUTURE_SKEW = timedelta(minutes=5)


# --- inputs --------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantIn:
    """Who the dossier is for. ``id_number``: CCCD (12 digits) or tax code."""

    name: str
    id_number: str
    address: str = ""
    phone: str = ""
    email: str = ""
    user: User | None = None


@dataclass(frozen=True)
class PaperIn:
    """A paper handed in: a paper of the procedure's list (by id, or by its exact
    name), or any other paper (by name)."""

    required_paper: int | None = None
    name: str = ""
    copies: int = 1
    form: str = ""
    file: File[Any] | None = None


@dataclass(frozen=True)
class StepPlan:
    """One step of the process a dossier follows: a ``ProcessStep`` row of the
    agency's template, or a step of the built-in default process (``step=None``)."""

    position: int
    name: str
    unit: Unit
    role_code: str
    hours: Decimal
    actions: tuple[str, ...]
    step: ProcessStep | None = None


@dataclass
class _PaperRow:
    required: RequiredPaper | None
    name: str
    copies: int
    form: str
    file: File[Any] | None


# --- small helpers -------------------------------------------------------------------


def _now() -> datetime:
    # Whole seconds: stored remaining times are whole seconds, so deadlines that
    # stop and restart come out exact.
    return timezone.now().replace(microsecond=0)


def _moment(value: datetime | None, field_name: str = "received_at") -> datetime:
    if value is None:
        return _now()
    if timezone.is_naive(value):
        raise ValidationError({field_name: _("A date and time with a time zone is required.")})
    if value > timezone.now() + _FUTURE_SKEW:
        raise ValidationError({field_name: _("The time cannot be in the future.")})
    return value.replace(microsecond=0)


def _text(value: str, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


def _required_text(value: str, field_name: str, message: str, limit: int = 2000) -> str:
    cleaned = (value or "").strip()[:limit]
    if not cleaned:
        raise ValidationError({field_name: message})
    return cleaned


# The receipt's one read, written out: the ORM spent more CPU compiling this query
# (a tree filter and a correlated subquery) than the database spent running it.
_DESK_AND_TEMPLATE_SQL = """
SELECT u.*, (
    SELECT t.id FROM procedures_processtemplate t
    WHERE t.procedure_id = %s AND t.agency_id = %s AND t.is_active
    ORDER BY t.id LIMIT 1
) AS template_id
FROM core_unit u
WHERE (u.id = %s OR (u.path LIKE %s AND u.depth = %s))
  AND u.is_one_stop AND u.dissolved_at IS NULL
ORDER BY u.path
LIMIT 2
"""


def _desk_and_template(version: ProcedureVersion, agency: Unit) -> tuple[Unit, int | None]:
    """The agency's one-stop desk (as :func:`one_stop_unit`) and its active process
    template for the procedure (as :func:`plan_for`), in one query."""
    # Tree paths are made of digits and capital letters: no LIKE wildcard to escape.
    params = [version.procedure_id, agency.pk, agency.pk, f"{agency.path}%", agency.depth + 1]
    desks = list(Unit.objects.raw(_DESK_AND_TEMPLATE_SQL, params))
    if not desks:
        steps = _active_steps(version, agency)
        return agency, (steps[0].template_id if steps else None)
    return _pick_desk(agency, desks), desks[0].template_id


def one_stop_unit(agency: Unit) -> Unit:
    """The one-stop desk that receives for ``agency``: its first active one-stop
    sub-unit, else the agency itself (the catalogue's default process picks the
    same desk)."""
    return _pick_desk(agency, list(one_stop_units(agency)[:2]))


def _pick_desk(agency: Unit, desks: Sequence[Unit]) -> Unit:
    """Of the one-stop units serving ``agency`` (itself and/or its children, in path
    order), its own desk (a child) wins; else the agency itself."""
    children = [unit for unit in desks if unit.pk != agency.pk]
    return children[0] if children else agency


def _clean_applicant(applicant: ApplicantIn) -> ApplicantIn:
    errors: dict[str, str] = {}
    name = _text(applicant.name, 255)
    if not name:
        errors["applicant.name"] = _("Enter the applicant's name.")
    id_number = (applicant.id_number or "").strip().replace(" ", "")
    if not id_number:
        errors["applicant.id_number"] = _("Enter the citizen ID number (CCCD) or the tax code.")
    else:
        try:
            if len(id_number) == 12 and id_number.isdigit():
                validate_national_id(id_number)
            else:
                validate_tax_code(id_number)
        except ValidationError:
            errors["applicant.id_number"] = _(
                "Enter a citizen ID number (CCCD, 12 digits) or a tax code (10 digits, or "
                "13 for a branch: 0123456789-001)."
            )
    phone = normalize_phone((applicant.phone or "").strip())
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            errors["applicant.phone"] = exc.messages[0]
    email = (applicant.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["applicant.email"] = _("Enter a valid e-mail address.")
    if errors:
        raise ValidationError(errors)
    return ApplicantIn(
        name=name,
        id_number=id_number,
        address=_text(applicant.address, 500),
        phone=phone,
        email=email,
        user=applicant.user,
    )


def applicant_from_account(user: User) -> ApplicantIn:
    """The applicant data of a citizen's or business's own account."""
    return ApplicantIn(
        name=user.full_name,
        id_number=user.national_id or user.tax_code,
        phone=user.phone,
        email=user.email,
        user=user,
    )


@dataclass(frozen=True)
class _VersionFacts:
    papers: tuple[RequiredPaper, ...]
    agency_ids: frozenset[int]


@functools.lru_cache(maxsize=512)
def _published_facts(version_id: int, created_at: datetime) -> _VersionFacts:
    # A published version never changes (the catalogue edits drafts and publishes a
    # new version), so its papers and agencies are read once per process. The
    # creation time in the key keeps a reused id (a test database) from matching.
    papers = tuple(RequiredPaper.objects.filter(version_id=version_id).order_by("position"))
    agencies = ProcedureVersion.agencies.through.objects.filter(procedureversion_id=version_id)
    return _VersionFacts(papers, frozenset(agencies.values_list("unit_id", flat=True)))


def _version_facts(version: ProcedureVersion) -> _VersionFacts:
    """The papers and agencies of ``version``, cached when it is published."""
    if version.status == VersionStatus.PUBLISHED and version.created_at is not None:
        return _published_facts(version.pk, version.created_at)
    return _VersionFacts(
        tuple(version.papers.order_by("position")),
        frozenset(version.agencies.values_list("pk", flat=True)),
    )


def _check_version(version: ProcedureVersion, agency: Unit) -> _VersionFacts:
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(
            {"procedure": _("This version of the procedure is not in force; use the current one.")}
        )
    if agency.dissolved_at is not None:
        raise ValidationError({"agency": _("This agency no longer exists.")})
    facts = _version_facts(version)
    # An empty list means the catalogue does not restrict the agencies.
    if facts.agency_ids and agency.pk not in facts.agency_ids:
        raise ValidationError({"agency": _("This agency does not carry out this procedure.")})
    return facts


def _paper_rows(
    version: ProcedureVersion,
    papers: Sequence[PaperIn],
    *,
    field_name: str = "papers",
    listed: Sequence[RequiredPaper] | None = None,
) -> list[_PaperRow]:
    if listed is None:
        listed = _version_facts(version).papers
    required = {paper.pk: paper for paper in listed}
    by_name = {paper.name.casefold().strip(): paper for paper in required.values()}
    rows: list[_PaperRow] = []
    for index, item in enumerate(papers):
        where = f"{field_name}[{index}]"
        paper: RequiredPaper | None = None
        if item.required_paper is not None:
            paper = required.get(item.required_paper)
            if paper is None:
                raise ValidationError({where: _("This paper is not in the list of the procedure.")})
        elif item.name.strip():
            paper = by_name.get(item.name.casefold().strip())
        else:
            raise ValidationError({where: _("Give the paper's name.")})
        if isinstance(item.copies, bool) or not 1 <= int(item.copies) <= MAX_COPIES:
            raise ValidationError(
                {where: _("The number of copies must be between 1 and %(max)s.") % {"max": 99}}
            )
        form = (item.form or "").strip()
        if form and form not in PaperForm.values:
            raise ValidationError({where: _("Form must be original, certified_copy or photocopy.")})
        rows.append(
            _PaperRow(
                required=paper,
                name=paper.name if paper is not None else _text(item.name, 500),
                copies=int(item.copies),
                form=form or (paper.form if paper is not None else ""),
                file=item.file,
            )
        )
    return rows


def _satisfies(given_form: str, required_form: str) -> bool:
    if not given_form or not required_form:
        return True
    return _FORM_RANK.get(given_form, 0) >= _FORM_RANK.get(required_form, 0)


def missing_papers(
    version: ProcedureVersion,
    given: Sequence[_PaperRow],
    listed: Sequence[RequiredPaper] | None = None,
) -> list[MissingPaper]:
    """The compulsory papers of ``version`` not satisfied by ``given``: absent, too
    few copies, or in a weaker form than required (a photocopy for an original)."""
    missing: list[MissingPaper] = []
    for paper in listed if listed is not None else _version_facts(version).papers:
        if paper.is_optional:
            continue
        matching = [
            row for row in given if row.required is not None and row.required.pk == paper.pk
        ]
        good = sum(row.copies for row in matching if _satisfies(row.form, paper.form))
        if good >= paper.copies:
            continue
        if not matching:
            reason = "missing"
        elif sum(row.copies for row in matching) >= paper.copies:
            reason = "wrong_form"
        else:
            reason = "not_enough_copies"
        missing.append(
            MissingPaper(
                required_paper_id=paper.pk,
                name=paper.name,
                copies_required=paper.copies,
                copies_given=good,
                form_required=paper.form,
                reason=reason,
            )
        )
    return missing


def check_papers(version: ProcedureVersion, papers: Sequence[PaperIn]) -> list[MissingPaper]:
    """What is missing from ``papers`` for ``version`` (empty when complete); raises
    ``ValidationError`` for papers that cannot be read. Writes nothing (the desk
    screen calls it before deciding)."""
    return missing_papers(version, _paper_rows(version, papers))


def _save_papers(
    dossier: Dossier, rows: Sequence[_PaperRow], *, is_result: bool = False
) -> list[DossierPaper]:
    saved: list[DossierPaper] = []
    for row in rows:
        paper = DossierPaper(
            dossier=dossier,
            required_paper=row.required,
            name=row.name,
            copies=row.copies,
            form=row.form,
            is_result=is_result,
        )
        if row.file is not None:
            # FileField.save() writes the file to storage and sets the name.
            paper.file.save(getattr(row.file, "name", None) or "paper", row.file, save=False)
        saved.append(paper)
    if saved and all(not paper.file for paper in saved):
        DossierPaper.objects.bulk_create(saved)
    else:
        for paper in saved:
            paper.save(force_insert=True)
    return saved


def _fee(version: ProcedureVersion, inputs: Mapping[str, Any] | None) -> int:
    try:
        from egov.procedures.fees import compute
    except ImportError:  # pragma: no cover - the catalogue module is part of the project
        return sum(int(item.get("amount", 0)) for item in version.fees if "amount" in item)
    return int(compute(version.fees, inputs or {}))


# --- deadlines -----------------------------------------------------------------------


def legal_limit_hours(version: ProcedureVersion) -> Decimal:
    """The legal time limit in working hours."""
    limit = Decimal(version.time_limit)
    if version.time_limit_unit == TimeLimitUnit.WORKING_HOURS:
        return limit
    day = Decimal(get_calendar().working_day_length.total_seconds()) / Decimal(3600)
    return limit * day


def due_from(version: ProcedureVersion, start: datetime) -> datetime:
    """The appointment for a dossier of ``version`` received at ``start``: whole
    working days land at the same clock time (see core.workcalendar); fractions and
    hour limits count working time."""
    calendar = get_calendar()
    limit = Decimal(version.time_limit)
    if version.time_limit_unit == TimeLimitUnit.WORKING_DAYS and limit == limit.to_integral():
        return calendar.add_working_days(start, int(limit))
    return calendar.add_working_hours(start, legal_limit_hours(version))


def _step_due(start: datetime, step: StepPlan) -> datetime:
    return get_calendar().add_working_hours(start, step.hours)


# --- the process a dossier follows -----------------------------------------------------

_DEFAULT_STEPS = (
    # (name, where, role, share of the time limit, actions)
    (
        gettext_lazy("Receive and hand over the dossier"),
        "one_stop",
        "one_stop_clerk",
        Decimal("0.10"),
        ("forward", "request_supplement"),
    ),
    (
        gettext_lazy("Examine and process the dossier"),
        "agency",
        "specialist",
        Decimal("0.70"),
        ("forward", "send_back", "request_supplement", "consult"),
    ),
    (
        gettext_lazy("Approve the result"),
        "agency",
        "agency_leader",
        Decimal("0.20"),
        ("send_back", "approve"),
    ),
)


def default_plan(version: ProcedureVersion, agency: Unit, one_stop: Unit) -> list[StepPlan]:
    """The process used when the agency has no template for the procedure: the
    catalogue's ``default_process_steps`` (desk → specialist → leader → return at the
    desk), or, without it, the minimal built-in desk → specialist → leader."""
    try:
        from egov.procedures.selectors import default_process_steps
    except ImportError:  # pragma: no cover - the catalogue module may be absent
        return _builtin_plan(version, agency, one_stop)
    return [
        StepPlan(
            position=position,
            name=str(spec.name),
            unit=spec.unit,
            role_code=spec.role_code,
            hours=Decimal(spec.hours),
            actions=tuple(spec.actions),
        )
        for position, spec in enumerate(
            default_process_steps(version, agency, desk=one_stop), start=1
        )
    ]


def _builtin_plan(version: ProcedureVersion, agency: Unit, one_stop: Unit) -> list[StepPlan]:
    """Desk → specialist → leader, sharing the legal time limit 10/70/20."""
    total = legal_limit_hours(version)
    plan: list[StepPlan] = []
    for position, (name, where, role, share, actions) in enumerate(_DEFAULT_STEPS, start=1):
        hours = (total * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        plan.append(
            StepPlan(
                position=position,
                name=str(name),
                unit=one_stop if where == "one_stop" else agency,
                role_code=role,
                hours=max(hours, Decimal("0.01")),
                actions=actions,
            )
        )
    return plan


def _steps_plan(steps: Iterable[ProcessStep]) -> list[StepPlan]:
    return [
        StepPlan(
            position=index,
            name=step.name,
            unit=step.unit,
            role_code=step.role_code,
            hours=Decimal(step.hours),
            actions=tuple(step.actions or ()),
            step=step,
        )
        for index, step in enumerate(steps, start=1)
    ]


def _template_plan(template_id: int) -> list[StepPlan]:
    steps = ProcessStep.objects.filter(template_id=template_id).select_related("unit")
    return _steps_plan(steps.order_by("position"))


def _active_steps(version: ProcedureVersion, agency: Unit) -> list[ProcessStep]:
    """The steps of the agency's active template for the procedure, in order (same
    rule as ``procedures.selectors.active_process``: the active template of the
    procedure at that agency). Most agencies have none: a light existence query
    first keeps that common case cheap."""
    template_id = (
        ProcessTemplate.objects.filter(
            procedure_id=version.procedure_id, agency=agency, is_active=True
        )
        .values_list("pk", flat=True)
        .first()
    )
    if template_id is None:
        return []
    steps = ProcessStep.objects.filter(template_id=template_id).select_related("unit")
    return list(steps.order_by("position"))


def plan_for(
    version: ProcedureVersion, agency: Unit, one_stop: Unit | None = None
) -> list[StepPlan]:
    """The steps a new dossier of ``version`` at ``agency`` will follow: the agency's
    process template, else the default process."""
    steps = _active_steps(version, agency)
    if steps:
        return _steps_plan(steps)
    return default_plan(version, agency, one_stop or one_stop_unit(agency))


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
            return _template_plan(template_id)
    return default_plan(dossier.procedure_version, dossier.receiving_agency, dossier.receiving_unit)


def _step_facts(dossier: Dossier, plan: Sequence[StepPlan]) -> StepFacts:
    position = dossier.step_position
    if position is None:
        return StepFacts(has_next=False, has_previous=False, processing_done=True)
    rest = plan[position:]
    return StepFacts(
        has_next=bool(rest),
        has_previous=position > 1,
        processing_done=all(step.unit.pk == dossier.receiving_unit_id for step in rest),
    )


def _enter_step(dossier: Dossier, step: StepPlan, at: datetime, assignee: User | None) -> None:
    dossier.current_step = step.step
    dossier.step_position = step.position
    dossier.current_unit = step.unit
    dossier.current_role = step.role_code
    dossier.current_assignee = assignee
    dossier.step_due_at = _step_due(at, step)


# --- permissions -----------------------------------------------------------------------


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


def _check_grants(actor: Actor, dossier: Dossier, row: Transition) -> None:
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


def may_act(actor: Actor, dossier: Dossier, action: Action) -> bool:
    """Whether ``actor`` could do ``action`` now (for showing buttons; the service
    checks again under lock)."""
    plan = plan_of(dossier) if dossier.step_position is not None else []
    lookup = workflow.find_transition(action, dossier, _step_facts(dossier, plan))
    if lookup.transition is None:
        return False
    if not _step_allows(lookup.transition, dossier, plan):
        return False
    try:
        _check_grants(actor, dossier, lookup.transition)
    except PermissionDenied:
        return False
    return True


def _step_allows(row: Transition, dossier: Dossier, plan: Sequence[StepPlan]) -> bool:
    if not row.step_actions or dossier.step_position is None:
        return True
    if not 1 <= dossier.step_position <= len(plan):
        return True
    actions = plan[dossier.step_position - 1].actions
    # A step listing no actions restricts nothing (older templates).
    return not actions or any(action in actions for action in row.step_actions)


# --- the move machinery ------------------------------------------------------------------


def _not_allowed(action: Action, dossier: Dossier, reason: str = "") -> TransitionNotAllowed:
    message = _("You cannot %(action)s: the dossier %(code)s is in status “%(status)s”.") % {
        "action": workflow.ACTION_LABELS[action],
        "code": dossier.code,
        "status": Status(dossier.status).label,
    }
    if reason:
        message = f"{message} {_('Reason: %(reason)s.') % {'reason': reason}}"
    return TransitionNotAllowed(message, action=str(action), status=dossier.status)


_SNAPSHOT_FIELDS = (
    "status",
    "version",
    "current_unit_id",
    "current_step_id",
    "step_position",
    "current_assignee_id",
    "consult_origin_unit_id",
    "received_at",
    "due_at",
    "step_due_at",
    "paused_at",
    "remaining_seconds",
    "resolved_at",
    "returned_at",
    "closed_at",
    "payment_requested",
)


def _snapshot(dossier: Dossier) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in _SNAPSHOT_FIELDS:
        value = getattr(dossier, name)
        values[name] = value.isoformat() if isinstance(value, datetime) else value
    return values


@dataclass
class _Move:
    actor: Actor
    action: Action
    dossier: Dossier
    row: Transition
    plan: list[StepPlan]
    at: datetime
    before: dict[str, Any]
    from_status: int
    from_unit: Unit | None
    event_data: dict[str, Any] = field(default_factory=dict)


def _lock(dossier: Dossier | int) -> Dossier:
    pk = dossier if isinstance(dossier, int) else dossier.pk
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related(
            "procedure_version",
            "receiving_agency",
            "receiving_unit",
            "current_unit",
            "consult_origin_unit",
        )
        .get(pk=pk)
    )


def _begin(
    actor: Actor,
    dossier: Dossier,
    action: Action,
    expected_version: int,
    at: datetime | None = None,
) -> _Move:
    """Lock the dossier and check version, table row, step and permission."""
    locked = _lock(dossier)
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise ValidationError({"expected_version": _("Give the version of the dossier you read.")})
    if locked.version != expected_version:
        raise StaleDossier(expected=expected_version, current=locked.version)
    plan = plan_of(locked) if locked.step_position is not None else []
    lookup = workflow.find_transition(action, locked, _step_facts(locked, plan))
    if lookup.transition is None:
        reason = str(workflow.CONDITION_LABELS[lookup.unmet]) if lookup.unmet else ""
        raise _not_allowed(action, locked, reason)
    row = lookup.transition
    if not _step_allows(row, locked, plan):
        raise _not_allowed(action, locked, _("the current step of the process does not allow it"))
    _check_grants(actor, locked, row)
    return _Move(
        actor=actor,
        action=action,
        dossier=locked,
        row=row,
        plan=plan,
        at=at or _now(),
        before=_snapshot(locked),
        from_status=locked.status,
        from_unit=locked.current_unit,
    )


def _apply_clock(move: _Move) -> None:
    dossier = move.dossier
    calendar = get_calendar()
    clock = move.row.clock
    if clock == Clock.START:
        dossier.received_at = move.at
        dossier.due_at = due_from(dossier.procedure_version, move.at)
        dossier.original_due_at = dossier.due_at
    elif clock == Clock.STOP:
        dossier.status_before_pause = dossier.status
        if dossier.due_at is not None:
            paused = Deadline(dossier.due_at).pause(move.at, calendar)
            remaining = paused.remaining or timedelta(0)
            dossier.paused_at = move.at
            dossier.remaining_seconds = int(remaining // timedelta(seconds=1))
    elif clock == Clock.RESUME:
        if dossier.paused_at is not None and dossier.remaining_seconds is not None:
            deadline = Deadline(
                dossier.due_at or dossier.paused_at,
                paused_at=dossier.paused_at,
                remaining=timedelta(seconds=dossier.remaining_seconds),
            ).resume(move.at, calendar)
            stopped = calendar.working_time_between(dossier.paused_at, move.at)
            move.event_data["paused_working_seconds"] = int(stopped // timedelta(seconds=1))
            dossier.due_at = deadline.due
            if dossier.step_due_at is not None and stopped:
                # The step's own deadline moves by the same working time.
                dossier.step_due_at = calendar.shift_working_time(dossier.step_due_at, stopped)
        dossier.paused_at = None
        dossier.remaining_seconds = None
    elif clock == Clock.END:
        dossier.closed_at = move.at


def _finish(
    move: _Move,
    *,
    note: str = "",
    to_user: User | None = None,
    audit_extra: Mapping[str, Any] | None = None,
) -> Dossier:
    dossier = move.dossier
    row = move.row
    if row.to_status is not None:
        dossier.status = row.to_status
    elif not row.keeps_status:
        dossier.status = dossier.status_before_pause or Status.PROCESSING
        dossier.status_before_pause = None
    dossier.version += 1
    dossier.save()
    position = dossier.step_position
    step_name = ""
    if position is not None:
        plan = move.plan or plan_of(dossier)
        if 1 <= position <= len(plan):
            step_name = plan[position - 1].name
    data = {"step_position": position, "step_name": step_name, **move.event_data}
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=move.at,
        action=str(move.action),
        from_status=move.from_status,
        to_status=dossier.status,
        from_unit=move.from_unit,
        to_unit=dossier.current_unit,
        actor=move.actor if getattr(move.actor, "pk", None) else None,
        to_user=to_user,
        step=dossier.current_step,
        step_due_at=dossier.step_due_at,
        note=note,
        data=_json_safe(data),
    )
    dossier_changed.send(
        Dossier, dossier=dossier, event=event, action=str(move.action), actor=_actor(move.actor)
    )
    changes: dict[str, Any] = audit.diff(move.before, _snapshot(dossier))
    if note:
        changes["note"] = note
    if audit_extra:
        changes.update(_json_safe(dict(audit_extra)))
    audit.record(
        actor=move.actor,
        action=f"dossier.{move.action}",
        obj=dossier,
        unit=dossier.current_unit or dossier.receiving_unit,
        changes=changes,
    )
    return dossier


def _actor(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.pk else None


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _sync(target: Dossier, source: Dossier) -> Dossier:
    """Give the caller's object the saved state (it may be shown right after)."""
    if target is source:
        return target
    for model_field in Dossier._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(source, model_field.attname))
    target._state.fields_cache = dict(source._state.fields_cache)
    return target


@contextmanager
def _moving(
    actor: Actor,
    dossier: Dossier,
    action: Action,
    expected_version: int,
    at: datetime | None = None,
) -> Iterator[_Move]:
    with transaction.atomic():
        move = _begin(actor, dossier, action, expected_version, at)
        yield move
    _sync(dossier, move.dossier)


# --- creation: desk, post, online -------------------------------------------------------


@dataclass
class _Intake:
    one_stop: Unit
    template_id: int | None  # the agency's active process template, if any
    applicant: ApplicantIn
    rows: list[_PaperRow]
    at: datetime
    listed: list[RequiredPaper]  # the procedure's papers, read once

    def first_step(self, version: ProcedureVersion, agency: Unit) -> StepPlan:
        if self.template_id is not None:
            return _template_plan(self.template_id)[0]
        return default_plan(version, agency, self.one_stop)[0]


def _intake(
    actor: Actor,
    *,
    version: ProcedureVersion,
    agency: Unit,
    channel: int,
    applicant: ApplicantIn,
    papers: Sequence[PaperIn],
    at: datetime | None,
    online: bool = False,
) -> _Intake:
    one_stop, template_id = _desk_and_template(version, agency)
    if not online:
        require_perm(actor, Perm.RECEIVE_DOSSIERS, one_stop)
        if channel not in (Channel.DESK, Channel.POST):
            raise ValidationError(
                {"channel": _("Online dossiers are submitted by the applicant, not at the desk.")}
            )
    facts = _check_version(version, agency)
    cleaned = _clean_applicant(applicant)
    listed = list(facts.papers)
    rows = _paper_rows(version, papers, listed=listed)
    return _Intake(
        one_stop=one_stop,
        template_id=template_id,
        applicant=cleaned,
        rows=rows,
        at=_moment(at),
        listed=listed,
    )


def _new_dossier(
    intake: _Intake,
    *,
    version: ProcedureVersion,
    agency: Unit,
    channel: int,
    status: Status,
) -> Dossier:
    applicant = intake.applicant
    return Dossier(
        procedure_version=version,
        receiving_agency=agency,
        receiving_unit=intake.one_stop,
        channel=channel,
        status=status,
        applicant=applicant.user,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_address=applicant.address,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        submitted_at=intake.at,
        current_unit=intake.one_stop,
    )


def _create(
    actor: Actor,
    dossier: Dossier,
    agency: Unit,
    intake: _Intake,
    *,
    action: str,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    step_name: str = "",
    on_insert: Callable[[Dossier], object] | None = None,
) -> Dossier:
    """Insert a new dossier with its code, papers, first event and audit entry.

    Runs inside the caller's transaction, which then holds the agency's code
    sequence row (from the upsert) and, for its last statement, the audit chain head,
    until it commits. Everything that only reads or computes is done before it:
    the transaction is five statements (code, dossier, papers, event, audit).
    """
    dossier.code = issue_dossier_code(agency.code, intake.at)
    dossier.save(force_insert=True)
    if on_insert is not None:
        on_insert(dossier)
    _save_papers(dossier, intake.rows)
    event_data = {
        "channel": dossier.channel,
        "step_position": dossier.step_position,
        "step_name": step_name,
        **(data or {}),
    }
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=intake.at,
        action=action,
        from_status=None,
        to_status=dossier.status,
        from_unit=None,
        to_unit=dossier.current_unit,
        actor=actor if getattr(actor, "pk", None) else None,
        step=dossier.current_step,
        step_due_at=dossier.step_due_at,
        note=note,
        data=_json_safe(event_data),
    )
    changes = _json_safe(
        {
            "status": [None, dossier.status],
            "procedure": version_label(dossier.procedure_version),
            "channel": dossier.channel,
            "received_at": dossier.received_at,
            "due_at": dossier.due_at,
            "papers": len(intake.rows),
            **({"note": note} if note else {}),
            **(data or {}),
        }
    )
    dossier_changed.send(Dossier, dossier=dossier, event=event, action=action, actor=_actor(actor))
    audit.record(
        actor=actor,
        action=f"dossier.{action}",
        obj=dossier,
        unit=dossier.receiving_unit,
        changes=changes,
    )
    return dossier


def version_label(version: ProcedureVersion) -> str:
    return f"{version.procedure.national_code} v{version.number}"


def receive_dossier(
    actor: Actor,
    *,
    version: ProcedureVersion,
    agency: Unit,
    channel: int = Channel.DESK,
    applicant: ApplicantIn,
    papers: Sequence[PaperIn],
    received_at: datetime | None = None,
    fee_inputs: Mapping[str, Any] | None = None,
    note: str = "",
) -> Dossier:
    """Receive a complete dossier at the desk (channel 1) or by post (3).

    Needs ``dossiers.receive`` in the agency's one-stop unit. Gives it its code,
    status 2, the appointment (``due_at``) counted from ``received_at`` (default
    now) with the working-day calendar, its fees, and the first process step.
    Incomplete papers raise :class:`IncompleteDossier` and write nothing.
    """
    return _receive(
        actor,
        version=version,
        agency=agency,
        channel=channel,
        applicant=applicant,
        papers=papers,
        received_at=received_at,
        fee_inputs=fee_inputs,
        note=note,
    )


def _receive(
    actor: Actor,
    *,
    version: ProcedureVersion,
    agency: Unit,
    channel: int = Channel.DESK,
    applicant: ApplicantIn,
    papers: Sequence[PaperIn],
    received_at: datetime | None = None,
    fee_inputs: Mapping[str, Any] | None = None,
    note: str = "",
    on_insert: Callable[[Dossier], object] | None = None,
) -> Dossier:
    intake = _intake(
        actor,
        version=version,
        agency=agency,
        channel=channel,
        applicant=applicant,
        papers=papers,
        at=received_at,
    )
    missing = missing_papers(version, intake.rows, intake.listed)
    if missing:
        raise IncompleteDossier(missing)
    # Everything that reads or computes happens before the transaction, which
    # then only writes: it holds the agency's sequence row and the audit head.
    due = due_from(version, intake.at)
    first = intake.first_step(version, agency)
    fee = _fee(version, fee_inputs)
    dossier = _new_dossier(
        intake, version=version, agency=agency, channel=channel, status=Status.RECEIVED
    )
    dossier.received_at = intake.at
    dossier.due_at = due
    dossier.original_due_at = due
    dossier.fee_amount = fee
    _enter_step(dossier, first, intake.at, None)
    with transaction.atomic():
        return _create(
            actor,
            dossier,
            agency,
            intake,
            action="receive",
            note=_text(note, 2000),
            step_name=first.name,
            on_insert=on_insert,
        )


def submit_online(
    actor: User,
    *,
    version: ProcedureVersion,
    agency: Unit,
    papers: Sequence[PaperIn],
    applicant: ApplicantIn | None = None,
    fee_inputs: Mapping[str, Any] | None = None,
) -> Dossier:
    """An applicant submits online (channel 2): status 1 with its code at once; the
    clock starts when the desk accepts it (:func:`accept_online`)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in to submit a dossier online."))
    if version.online_level < OnlineLevel.PARTLY_ONLINE:
        raise ValidationError({"procedure": _("This procedure cannot be submitted online.")})
    base = applicant or applicant_from_account(actor)
    if base.user is None and actor.kind in (AccountKind.CITIZEN, AccountKind.BUSINESS):
        base = dataclasses.replace(base, user=actor)
    intake = _intake(
        actor,
        version=version,
        agency=agency,
        channel=Channel.ONLINE,
        applicant=base,
        papers=papers,
        at=None,
        online=True,
    )
    missing = missing_papers(version, intake.rows, intake.listed)
    if missing:
        raise IncompleteDossier(missing)
    dossier = _new_dossier(
        intake, version=version, agency=agency, channel=Channel.ONLINE, status=Status.SUBMITTED
    )
    dossier.fee_amount = _fee(version, fee_inputs)
    with transaction.atomic():
        return _create(actor, dossier, agency, intake, action="submit_online")


def _missing_data(missing: Sequence[MissingPaper]) -> list[dict[str, Any]]:
    return [paper.__dict__ for paper in missing]


def request_supplement_at_desk(
    actor: Actor,
    *,
    version: ProcedureVersion,
    agency: Unit,
    channel: int = Channel.DESK,
    applicant: ApplicantIn,
    papers: Sequence[PaperIn],
    reason: str = "",
    missing: Sequence[str] = (),
    at: datetime | None = None,
) -> Dossier:
    """Record a dossier brought to the desk incomplete (form 02): status 5, a code
    for the applicant to come back with, no receipt time and no due date yet.

    ``missing`` lists what the clerk asks for in words; the papers absent from the
    procedure's list are added to it. At least one of them, or ``reason``, is needed.
    """
    intake = _intake(
        actor,
        version=version,
        agency=agency,
        channel=channel,
        applicant=applicant,
        papers=papers,
        at=at,
    )
    absent = missing_papers(version, intake.rows, intake.listed)
    asked = [_text(item, 500) for item in missing if item and item.strip()]
    reason = (reason or "").strip()[:2000]
    if not absent and not asked and not reason:
        raise ValidationError(
            {"missing": _("Say what the applicant must add: the papers, or the reason.")}
        )
    dossier = _new_dossier(
        intake, version=version, agency=agency, channel=channel, status=Status.SUPPLEMENT_REQUESTED
    )
    with transaction.atomic():
        return _create(
            actor,
            dossier,
            agency,
            intake,
            action="desk_supplement_request",
            note=reason,
            data={"missing": _missing_data(absent), "asked": asked},
        )


def refuse_dossier(
    actor: Actor,
    *,
    version: ProcedureVersion,
    agency: Unit,
    channel: int = Channel.DESK,
    applicant: ApplicantIn,
    papers: Sequence[PaperIn] = (),
    reasons: str,
    at: datetime | None = None,
) -> Dossier:
    """Refuse a dossier at the desk (status 3, form 03), with the reasons; it keeps a
    code so the refusal slip can be looked up."""
    reasons = _required_text(reasons, "reasons", _("Give the reasons for the refusal."))
    intake = _intake(
        actor,
        version=version,
        agency=agency,
        channel=channel,
        applicant=applicant,
        papers=papers,
        at=at,
    )
    dossier = _new_dossier(
        intake, version=version, agency=agency, channel=channel, status=Status.REFUSED
    )
    dossier.closed_at = intake.at
    with transaction.atomic():
        return _create(
            actor,
            dossier,
            agency,
            intake,
            action="refuse_at_desk",
            note=reasons,
            data={"missing": _missing_data(missing_papers(version, intake.rows, intake.listed))},
        )


# --- idempotent creation (API) -----------------------------------------------------------


def request_fingerprint(payload: Any) -> str:
    """SHA-256 of a request body in canonical JSON (key order and spacing ignored)."""
    blob = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _idempotent_answer(scope: str, key: str, fingerprint: str) -> Dossier | None:
    row = IdempotentRequest.objects.filter(scope=scope, key=key).select_related("dossier").first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    return row.dossier


def receive_dossier_once(
    actor: User,
    *,
    idempotency_key: str,
    fingerprint: str,
    route: str = "POST /api/v1/dossiers",
    **receive_kwargs: Any,
) -> tuple[Dossier, bool]:
    """:func:`receive_dossier` at most once per (actor, route, key).

    Returns ``(dossier, created)``. A retry with the same key and the same
    ``fingerprint`` gets the first dossier; with another fingerprint,
    :class:`IdempotencyKeyReused`. Retries racing each other each start a receipt;
    the ``IdempotentRequest`` row is inserted right after the dossier row, so the
    unique constraint makes the later ones wait for the first to commit, then fail
    before taking a number; their transactions roll back and they answer with the
    first one's dossier.
    """
    key = idempotency_key.strip()
    if not key or len(key) > 255:
        raise ValidationError(
            {"Idempotency-Key": _("Give an Idempotency-Key of 1 to 255 characters.")}
        )
    scope = f"user:{actor.pk}:{route}"[:150]
    found = _idempotent_answer(scope, key, fingerprint)
    if found is not None:
        return found, False

    def claim(dossier: Dossier) -> None:
        # Right after the dossier row and before its number: a racing retry blocks
        # here on the key's unique index and, once the first commits, fails without
        # having taken a number.
        IdempotentRequest.objects.create(
            key=key, scope=scope, request_hash=fingerprint, dossier=dossier
        )

    try:
        with transaction.atomic():
            dossier = _receive(actor, **receive_kwargs, on_insert=claim)
    except IntegrityError:
        found = _idempotent_answer(scope, key, fingerprint)
        if found is None:
            raise
        return found, False
    return dossier, True


# --- reception of online and pending dossiers ------------------------------------------


def _start_processing(move: _Move) -> None:
    """A dossier just received: clock from now, first step assigned."""
    dossier = move.dossier
    _apply_clock(move)
    plan = plan_for(dossier.procedure_version, dossier.receiving_agency, dossier.receiving_unit)
    move.plan = plan
    _enter_step(dossier, plan[0], move.at, None)
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
    with _moving(actor, dossier, Action.ACCEPT, expected_version) as move:
        _start_processing(move)
        if fee_inputs is not None:
            move.dossier.fee_amount = _fee(move.dossier.procedure_version, fee_inputs)
        _finish(move, note=_text(note, 2000))
    return dossier


def refuse(actor: Actor, dossier: Dossier, *, expected_version: int, reasons: str) -> Dossier:
    """Refuse an online dossier, or one left incomplete at the desk (status 3, form 03)."""
    reasons = _required_text(reasons, "reasons", _("Give the reasons for the refusal."))
    with _moving(actor, dossier, Action.REFUSE, expected_version) as move:
        _apply_clock(move)
        move.event_data["reasons"] = reasons
        _finish(move, note=reasons)
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


def _handover(move: _Move, step: StepPlan, to_user: User | None) -> None:
    _check_assignee(to_user, step.unit)
    _enter_step(move.dossier, step, move.at, to_user)
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
) -> Dossier:
    """Hand the dossier to the next step of its process (status 4), optionally to a
    named person there; the step's deadline counts its working hours from now."""
    with _moving(actor, dossier, Action.FORWARD, expected_version) as move:
        step = move.plan[move.dossier.step_position or 0]  # positions are 1-based
        _handover(move, step, to_user)
        _finish(move, note=_text(note, 2000), to_user=to_user)
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
    reason = _required_text(reason, "reason", _("Say why the dossier goes back."))
    with _moving(actor, dossier, Action.SEND_BACK, expected_version) as move:
        step = move.plan[(move.dossier.step_position or 2) - 2]
        _handover(move, step, to_user)
        _finish(move, note=reason, to_user=to_user)
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
    asked = [_text(item, 500) for item in missing_papers if item and item.strip()]
    reason = (reason or "").strip()[:2000]
    if not asked and not reason:
        raise ValidationError(
            {"missing_papers": _("Say what the applicant must add: the papers, or the reason.")}
        )
    with _moving(actor, dossier, Action.REQUEST_SUPPLEMENT, expected_version) as move:
        _apply_clock(move)
        move.event_data.update(
            {"asked": asked, "remaining_seconds": move.dossier.remaining_seconds}
        )
        _finish(move, note=reason)
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
    with _moving(actor, dossier, Action.RECEIVE_SUPPLEMENT, expected_version) as move:
        current = move.dossier
        rows = _paper_rows(current.procedure_version, papers)
        if move.row.clock == Clock.START:
            held = [
                _PaperRow(
                    required=paper.required_paper,
                    name=paper.name,
                    copies=paper.copies,
                    form=paper.form,
                    file=None,
                )
                for paper in current.papers.filter(received=True, is_result=False).select_related(
                    "required_paper"
                )
            ]
            missing = missing_papers(current.procedure_version, held + rows)
            if missing:
                raise IncompleteDossier(missing)
            _start_processing(move)
        else:
            _apply_clock(move)
        _save_papers(current, rows)
        move.event_data["papers"] = [row.name for row in rows]
        _finish(move, note=_text(note, 2000))
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
    with _moving(actor, dossier, Action.REQUEST_PAYMENT, expected_version) as move:
        _apply_clock(move)
        move.dossier.payment_requested = amount
        move.event_data["amount"] = amount
        _finish(move, note=_text(note, 2000))
    return dossier


def confirm_payment(
    actor: Actor, dossier: Dossier, *, expected_version: int, amount: int, reference: str
) -> Dossier:
    """The payment arrived (the national payment platform calls with ``actor=None``,
    or the desk records a cash payment): the clock restarts."""
    amount = _amount(amount, "amount")
    reference = _required_text(reference, "reference", _("Give the payment reference."), 200)
    with _moving(actor, dossier, Action.CONFIRM_PAYMENT, expected_version) as move:
        requested = move.dossier.payment_requested or 0
        if amount < requested:
            raise ValidationError(
                {
                    "amount": _("%(paid)s đồng is less than the %(requested)s đồng requested.")
                    % {"paid": amount, "requested": requested}
                }
            )
        _apply_clock(move)
        move.event_data.update({"amount": amount, "reference": reference})
        _finish(move, audit_extra={"paid": amount, "reference": reference})
    return dossier


def consult_agency(
    actor: Actor, dossier: Dossier, *, expected_version: int, other_agency: Unit, note: str
) -> Dossier:
    """Pass the dossier to another agency for a step it must handle (liên thông),
    e.g. commune → district. ``other_agency`` may be the agency or the unit in it
    that acts; it answers with :func:`answer_consultation`."""
    note = _required_text(note, "note", _("Say what the other agency is asked to do."))
    if other_agency.dissolved_at is not None:
        raise ValidationError({"other_agency": _("This agency no longer exists.")})
    with _moving(actor, dossier, Action.CONSULT, expected_version) as move:
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
        _finish(move, note=note)
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
    note = _required_text(note, "note", _("Give the answer."))
    with _moving(actor, dossier, Action.ANSWER_CONSULTATION, expected_version) as move:
        current = move.dossier
        rows = _paper_rows(current.procedure_version, files, field_name="files")
        current.current_unit = current.consult_origin_unit
        current.consult_origin_unit = None
        position = current.step_position
        if position is not None and 1 <= position <= len(move.plan):
            current.current_role = move.plan[position - 1].role_code
        _save_papers(current, rows)
        move.event_data.update(
            {
                "consulted_unit": move.from_unit.code if move.from_unit else None,
                "origin_unit": current.current_unit.code if current.current_unit else None,
                "files": [row.name for row in rows],
            }
        )
        _finish(move, note=note)
    return dossier


def stop_processing(
    actor: Actor, dossier: Dossier, *, expected_version: int, reason: str
) -> Dossier:
    """Stop processing (status 8, form 05), e.g. the applicant is not eligible."""
    reason = _required_text(reason, "reason", _("Give the reason for stopping."))
    with _moving(actor, dossier, Action.STOP, expected_version) as move:
        _apply_clock(move)
        _finish(move, note=reason)
    return dossier


def withdraw(actor: Actor, dossier: Dossier, *, expected_version: int, reason: str) -> Dossier:
    """The applicant withdraws the dossier (status 7), themselves online or through
    the desk at their request."""
    reason = _required_text(reason, "reason", _("Give the reason for the withdrawal."))
    with _moving(actor, dossier, Action.WITHDRAW, expected_version) as move:
        _apply_clock(move)
        _finish(move, note=reason)
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
    with _moving(actor, dossier, Action.RESULT_READY, expected_version) as move:
        current = move.dossier
        rows = _paper_rows(current.procedure_version, result_papers, field_name="result_papers")
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
        _save_papers(current, rows, is_result=True)
        _finish(
            move,
            note=_text(note, 2000),
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
    with _moving(actor, dossier, Action.RETURN_RESULT, expected_version) as move:
        move.dossier.returned_at = move.at
        _apply_clock(move)
        _finish(move, note=_text(note, 2000))
    return dossier


def issue_apology(
    actor: Actor,
    dossier: Dossier,
    *,
    expected_version: int,
    reason: str,
    new_due_at: datetime,
) -> ApologyLetter:
    """Apologise for a dossier that will be late and give a new appointment (form 04);
    the dossier's appointment becomes ``new_due_at``."""
    reason = _required_text(reason, "reason", _("Give the reason for the delay."))
    if timezone.is_naive(new_due_at):
        raise ValidationError({"new_due_at": _("A date and time with a time zone is required.")})
    with _moving(actor, dossier, Action.APOLOGY, expected_version) as move:
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
        letter = ApologyLetter.objects.create(
            dossier=current,
            reason=reason,
            previous_due_at=previous,
            new_due_at=new_due_at,
            issued_by=move.actor,
            issuing_unit=current.current_unit or current.receiving_unit,
            issued_at=move.at,
        )
        _apply_clock(move)
        current.due_at = new_due_at
        move.event_data.update(
            {"apology_id": letter.pk, "previous_due_at": previous, "new_due_at": new_due_at}
        )
        _finish(move, note=reason)
    return letter


def perform(actor: Actor, action: Action | str, dossier: Dossier, **kwargs: Any) -> Any:
    """Dispatch an action by name (bulk actions in worklists, the API)."""
    functions: dict[Action, Any] = {
        Action.ACCEPT: accept_online,
        Action.REFUSE: refuse,
        Action.FORWARD: forward,
        Action.SEND_BACK: send_back,
        Action.REQUEST_SUPPLEMENT: request_supplement,
        Action.RECEIVE_SUPPLEMENT: receive_supplement,
        Action.REQUEST_PAYMENT: request_payment,
        Action.CONFIRM_PAYMENT: confirm_payment,
        Action.CONSULT: consult_agency,
        Action.ANSWER_CONSULTATION: answer_consultation,
        Action.STOP: stop_processing,
        Action.WITHDRAW: withdraw,
        Action.RESULT_READY: mark_result_ready,
        Action.RETURN_RESULT: return_result,
        Action.APOLOGY: issue_apology,
    }
    return functions[Action(action)](actor, dossier, **kwargs)
