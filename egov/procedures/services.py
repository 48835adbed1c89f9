"""The only write path of the procedure catalogue and of process templates.

Every public function takes the acting user first, checks permission, validates,
runs in one ``transaction.atomic()`` and writes its audit entry inside it, last.
``actor=None`` stands for the platform itself (management commands, the demo
loader, a dossier service materialising the default process): no permission
check, written as "system" in the audit log.

Who may act
-----------
* The catalogue (drafts, papers, publishing, new versions, fields): platform
  operators, ``Perm.OPERATE_PLATFORM`` held anywhere (the role sits at the
  province root).
* Process templates: the agency's administrators, ``Perm.MANAGE_UNITS`` in the
  agency (held in the agency or above it; platform operators hold every
  permission at the root, so they may too).

Content of a version
--------------------
``name``, ``field`` (a :class:`ProcedureField` or its code), ``levels`` (values
of ``core.UnitLevel`` other than ``internal``), ``online_level`` (1-4),
``time_limit`` (> 0) and ``time_limit_unit`` (``working_days`` or
``working_hours``), ``fees`` (see :mod:`egov.procedures.fees`), ``result_type``,
``legal_basis``; ``agencies`` (units or identifier codes, each at one of the
levels) and ``papers`` (dicts with ``name``, ``copies`` ≥ 1, ``form`` in
``PaperForm``, ``template_name``, ``is_optional``) replace the whole set when given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import Role
from egov.accounts.permissions import Perm, require_perm
from egov.core import audit
from egov.core.models import Unit
from egov.core.selectors.units import get_unit_by_code
from egov.procedures import fees as fee_rules
from egov.procedures.models import (
    OnlineLevel,
    PaperForm,
    Procedure,
    ProcedureField,
    ProcedureVersion,
    ProcessStep,
    ProcessTemplate,
    RequiredPaper,
    StepAction,
    TimeLimitUnit,
    VersionStatus,
)
from egov.procedures.selectors import (
    AGENCY_LEVELS,
    HOURS,
    StepSpec,
    active_process,
    default_process_steps,
    limit_in_hours,
    published_version,
    time_limit_hours,
)

__all__ = [
    "CONTENT_FIELDS",
    "Problem",
    "StepSpec",
    "add_paper",
    "content_problems",
    "create_draft",
    "create_field",
    "define_process_template",
    "delete_draft",
    "ensure_active_process",
    "new_version_from",
    "publish_version",
    "replace_papers",
    "update_draft",
    "update_field",
]

Actor = AbstractBaseUser | AnonymousUser | None

#: Scalar content of a version, in the order files and forms show it.
CONTENT_FIELDS: tuple[str, ...] = (
    "name",
    "field",
    "levels",
    "online_level",
    "time_limit",
    "time_limit_unit",
    "fees",
    "result_type",
    "legal_basis",
)
PAPER_KEYS: tuple[str, ...] = ("name", "copies", "form", "template_name", "is_optional")
_MAX_TIME_LIMIT = Decimal("9999.99")
_MAX_STEP_HOURS = Decimal("99999.99")


@dataclass(frozen=True)
class Problem:
    """One mistake in submitted content, at ``path`` (``name``, ``fees[1].amount``,
    ``papers[0].form``, ``agencies[3]``)."""

    path: str
    message: str

    @property
    def field(self) -> str:
        """The top-level content key the problem belongs to."""
        return self.path.split("[", 1)[0].split(".", 1)[0]


# --- permission ---------------------------------------------------------------------


def _require_operator(actor: Actor) -> None:
    if actor is None:
        return
    require_perm(actor, Perm.OPERATE_PLATFORM, None)


def _require_agency_admin(actor: Actor, agency: Unit) -> None:
    if actor is None:
        return
    require_perm(actor, Perm.MANAGE_UNITS, agency)


def _user(actor: Actor) -> Any:
    return actor if actor is not None and getattr(actor, "pk", None) is not None else None


# --- validation of content ----------------------------------------------------------


def _text(value: Any, path: str, problems: list[Problem], *, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(Problem(path, _("Must be text.")))
        return ""
    text = value.strip()
    if required and not text:
        problems.append(Problem(path, _("This field is required.")))
    elif len(text) > limit:
        problems.append(
            Problem(
                path,
                _("At most %(limit)s characters (it has %(n)s).")
                % {
                    "limit": limit,
                    "n": len(text),
                },
            )
        )
    return text


def _clean_field(value: Any, problems: list[Problem]) -> ProcedureField | None:
    if isinstance(value, ProcedureField):
        return value
    code = str(value or "").strip()
    if not code:
        problems.append(Problem("field", _("This field is required.")))
        return None
    found = ProcedureField.objects.filter(code=code).first()
    if found is None:
        problems.append(Problem("field", _("No field with the code %(code)s.") % {"code": code}))
    return found


def _clean_levels(value: Any, problems: list[Problem]) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        problems.append(
            Problem("levels", _("Give at least one level of agency (e.g. commune, district)."))
        )
        return []
    levels: list[str] = []
    for index, level in enumerate(value):
        if level not in AGENCY_LEVELS:
            problems.append(
                Problem(
                    f"levels[{index}]",
                    _("“%(value)s” is not a level of agency; use one of: %(levels)s.")
                    % {"value": level, "levels": ", ".join(AGENCY_LEVELS)},
                )
            )
        elif level in levels:
            problems.append(Problem(f"levels[{index}]", _("This level is listed twice.")))
        else:
            levels.append(level)
    # One canonical order (province first), so that files differing only in order match.
    return sorted(levels, key=AGENCY_LEVELS.index)


def _clean_online_level(value: Any, problems: list[Problem]) -> int:
    if isinstance(value, bool):
        value = None
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in OnlineLevel.values:
        problems.append(Problem("online_level", _("Must be a whole number from 1 to 4.")))
    return level


def _clean_time_limit(value: Any, problems: list[Problem]) -> Decimal:
    if isinstance(value, bool | float):
        # A float has already lost the decimals the author meant; ask for text.
        value = str(value) if isinstance(value, float) else None
    try:
        limit = Decimal(str(value).strip()) if value is not None else Decimal("NaN")
    except InvalidOperation:
        limit = Decimal("NaN")
    if not limit.is_finite() or limit <= 0:
        problems.append(Problem("time_limit", _("The time limit must be a number larger than 0.")))
        return Decimal(0)
    if limit > _MAX_TIME_LIMIT or limit != limit.quantize(HOURS):
        problems.append(
            Problem(
                "time_limit",
                _("The time limit must be at most 9999.99, with at most two decimals."),
            )
        )
    return limit


def _clean_papers(value: Any, problems: list[Problem]) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple):
        problems.append(Problem("papers", _("Must be a list of papers.")))
        return []
    papers: list[dict[str, Any]] = []
    for index, raw in enumerate(value):
        path = f"papers[{index}]"
        if not isinstance(raw, Mapping):
            problems.append(Problem(path, _("Each paper must be an object.")))
            continue
        for key in sorted(set(raw) - set(PAPER_KEYS), key=str):
            problems.append(Problem(f"{path}.{key}", _("Unknown key.")))
        name = _text(raw.get("name"), f"{path}.name", problems, limit=500, required=True)
        copies = raw.get("copies", 1)
        if isinstance(copies, str) and copies.strip().isdigit():
            copies = int(copies)
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 100:
            problems.append(Problem(f"{path}.copies", _("Must be a whole number from 1 to 100.")))
        form = raw.get("form", "")
        if form not in PaperForm.values:
            problems.append(
                Problem(
                    f"{path}.form",
                    _("Must be one of: %(forms)s.") % {"forms": ", ".join(PaperForm.values)},
                )
            )
        template_name = _text(
            raw.get("template_name", ""),
            f"{path}.template_name",
            problems,
            limit=255,
            required=False,
        )
        optional = raw.get("is_optional", False)
        if not isinstance(optional, bool):
            problems.append(Problem(f"{path}.is_optional", _("Must be true or false.")))
        papers.append(
            {
                "name": name,
                "copies": copies,
                "form": form,
                "template_name": template_name,
                "is_optional": bool(optional),
            }
        )
    return papers


def _clean_agencies(
    value: Any, levels: Sequence[str] | None, problems: list[Problem]
) -> list[Unit]:
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        problems.append(Problem("agencies", _("Must be a list of agencies.")))
        return []
    items = list(value)
    codes = [item.strip().upper() for item in items if isinstance(item, str)]
    by_code = {
        unit.code: unit for unit in Unit.objects.filter(code__in=codes, dissolved_at__isnull=True)
    }
    agencies: list[Unit] = []
    seen: set[int] = set()
    for index, item in enumerate(items):
        path = f"agencies[{index}]"
        unit: Unit | None
        if isinstance(item, Unit):
            unit = item
        elif isinstance(item, str):
            code = item.strip().upper()
            unit = by_code.get(code) or get_unit_by_code(code, follow_successor=True)
            if unit is None:
                problems.append(
                    Problem(path, _("No unit with the identifier code %(code)s.") % {"code": code})
                )
                continue
        else:
            problems.append(Problem(path, _("Give the agency's identifier code.")))
            continue
        if unit.dissolved_at is not None:
            problems.append(Problem(path, _("%(name)s has been dissolved.") % {"name": unit.name}))
            continue
        if levels is not None and unit.level not in levels:
            problems.append(
                Problem(
                    path,
                    _(
                        "%(name)s (%(code)s) is at the level “%(level)s”, not one of the "
                        "procedure's levels (%(levels)s)."
                    )
                    % {
                        "name": unit.name,
                        "code": unit.code,
                        "level": unit.level,
                        "levels": ", ".join(levels),
                    },
                )
            )
            continue
        if unit.pk in seen:
            continue
        seen.add(unit.pk)
        agencies.append(unit)
    return agencies


def content_problems(
    values: Mapping[str, Any], *, partial: bool = False, current_levels: Sequence[str] = ()
) -> tuple[dict[str, Any], list[Problem]]:
    """Check content keys of a version; returns the cleaned values (fields resolved,
    agencies as units) and every problem found. With ``partial`` only the keys
    given are checked (``current_levels`` then checks agencies when levels are
    not given)."""
    problems: list[Problem] = []
    unknown = set(values) - set(CONTENT_FIELDS) - {"papers", "agencies"}
    problems += [Problem(str(key), _("Unknown key.")) for key in sorted(unknown, key=str)]
    cleaned: dict[str, Any] = {}

    def wanted(key: str) -> bool:
        return key in values or not partial

    if wanted("name"):
        cleaned["name"] = _text(values.get("name"), "name", problems, limit=500, required=True)
    if wanted("field"):
        cleaned["field"] = _clean_field(values.get("field"), problems)
    if wanted("levels"):
        cleaned["levels"] = _clean_levels(values.get("levels"), problems)
    if wanted("online_level"):
        cleaned["online_level"] = _clean_online_level(
            values.get("online_level", OnlineLevel.FORMS), problems
        )
    if wanted("time_limit"):
        cleaned["time_limit"] = _clean_time_limit(values.get("time_limit"), problems)
    if wanted("time_limit_unit"):
        unit = values.get("time_limit_unit", TimeLimitUnit.WORKING_DAYS)
        if unit not in TimeLimitUnit.values:
            problems.append(
                Problem(
                    "time_limit_unit",
                    _("Must be one of: %(units)s.") % {"units": ", ".join(TimeLimitUnit.values)},
                )
            )
        cleaned["time_limit_unit"] = unit
    if wanted("fees"):
        raw_fees = values.get("fees", [])
        fee_problems = fee_rules.check_fees(raw_fees)
        problems += [Problem(f"fees{p.path}", p.message) for p in fee_problems]
        cleaned["fees"] = raw_fees if not fee_problems else []
    if wanted("result_type"):
        cleaned["result_type"] = _text(
            values.get("result_type", ""), "result_type", problems, limit=500, required=False
        )
    if wanted("legal_basis"):
        cleaned["legal_basis"] = _text(
            values.get("legal_basis", ""), "legal_basis", problems, limit=20000, required=False
        )
    if "papers" in values:
        cleaned["papers"] = _clean_papers(values["papers"], problems)
    if "agencies" in values:
        levels = cleaned.get("levels") if "levels" in cleaned else list(current_levels)
        level_problem = any(p.field == "levels" for p in problems)
        cleaned["agencies"] = _clean_agencies(
            values["agencies"], None if level_problem else levels, problems
        )
    return cleaned, problems


def _raise(problems: Sequence[Problem]) -> None:
    if not problems:
        return
    errors: dict[str, list[str]] = {}
    for problem in problems:
        message = (
            problem.message
            if problem.path == problem.field
            else f"{problem.path}: {problem.message}"
        )
        errors.setdefault(problem.field or NON_FIELD_ERRORS, []).append(message)
    raise ValidationError(errors)


# --- snapshots for the audit log ----------------------------------------------------


def version_snapshot(version: ProcedureVersion) -> dict[str, Any]:
    return {
        "name": version.name,
        "field": version.field.code if version.field_id else None,
        "levels": list(version.levels),
        "online_level": version.online_level,
        "time_limit": f"{Decimal(version.time_limit).quantize(HOURS)}",
        "time_limit_unit": version.time_limit_unit,
        "fees": version.fees,
        "result_type": version.result_type,
        "legal_basis": version.legal_basis,
        "agencies": sorted(version.agencies.values_list("code", flat=True)),
        "papers": [paper_dict(p) for p in version.papers.order_by("position")],
    }


def cleaned_snapshot(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned content (from :func:`content_problems`) in the form of
    :func:`version_snapshot`, for the keys it has: to tell whether content differs."""
    shown: dict[str, Any] = {}
    for key, value in cleaned.items():
        if key == "field":
            shown[key] = value.code if value is not None else None
        elif key == "time_limit":
            shown[key] = f"{Decimal(value).quantize(HOURS)}"
        elif key == "agencies":
            shown[key] = sorted(unit.code for unit in value)
        elif key == "levels":
            shown[key] = list(value)
        else:
            shown[key] = value
    return shown


def paper_dict(paper: RequiredPaper) -> dict[str, Any]:
    return {
        "name": paper.name,
        "copies": paper.copies,
        "form": paper.form,
        "template_name": paper.template_name,
        "is_optional": paper.is_optional,
    }


def _set_papers(version: ProcedureVersion, papers: Sequence[Mapping[str, Any]]) -> None:
    version.papers.all().delete()
    RequiredPaper.objects.bulk_create(
        [
            RequiredPaper(version=version, position=index, **{k: paper[k] for k in PAPER_KEYS})
            for index, paper in enumerate(papers, start=1)
        ]
    )


def _apply(version: ProcedureVersion, cleaned: Mapping[str, Any]) -> None:
    for key in CONTENT_FIELDS:
        if key in cleaned:
            setattr(version, key, cleaned[key])
    version.save()
    if "agencies" in cleaned:
        version.agencies.set(cleaned["agencies"])
    if "papers" in cleaned:
        _set_papers(version, cleaned["papers"])


def _lock_procedure(procedure: Procedure) -> Procedure:
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


def _draft_of(procedure: Procedure) -> ProcedureVersion | None:
    return ProcedureVersion.objects.filter(procedure=procedure, status=VersionStatus.DRAFT).first()


def _refuse_second_draft(procedure: Procedure) -> None:
    draft = _draft_of(procedure)
    if draft is not None:
        raise ValidationError(
            _(
                "Procedure %(code)s already has a draft (version %(number)s): edit or "
                "publish that one first."
            )
            % {"code": procedure.national_code, "number": draft.number},
            code="draft_exists",
        )


def _next_number(procedure: Procedure) -> int:
    top = ProcedureVersion.objects.filter(procedure=procedure).aggregate(top=Max("number"))
    return int(top["top"] or 0) + 1


# --- fields -------------------------------------------------------------------------


def create_field(actor: Actor, code: str, name: str) -> ProcedureField:
    """A new field (lĩnh vực) of procedures."""
    _require_operator(actor)
    problems: list[Problem] = []
    code = _text(code, "code", problems, limit=60, required=True).lower()
    name = _text(name, "name", problems, limit=255, required=True)
    field = ProcedureField(code=code, name=name)
    try:
        field.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            problems += [Problem(key, message) for message in messages]
    _raise(problems)
    with transaction.atomic():
        field.save()
        audit.record(
            actor=_user(actor),
            action="procedures.field_create",
            obj=field,
            changes=audit.diff({}, {"code": code, "name": name}),
        )
    return field


def update_field(actor: Actor, field: ProcedureField, *, name: str) -> ProcedureField:
    _require_operator(actor)
    problems: list[Problem] = []
    name = _text(name, "name", problems, limit=255, required=True)
    _raise(problems)
    with transaction.atomic():
        field = ProcedureField.objects.select_for_update().get(pk=field.pk)
        if field.name == name:
            return field
        before = field.name
        field.name = name
        field.save(update_fields=["name"])
        audit.record(
            actor=_user(actor),
            action="procedures.field_update",
            obj=field,
            changes={"name": [before, name]},
        )
    return field


# --- drafts, papers, publishing -----------------------------------------------------


def create_draft(actor: Actor, national_code: str, **content: Any) -> ProcedureVersion:
    """A new draft version of the procedure ``national_code`` (created if new).

    ``content`` holds every content key (see the module docstring); ``agencies``
    and ``papers`` are optional. Refused when the procedure already has a draft.
    """
    _require_operator(actor)
    code = str(national_code or "").strip()
    problems: list[Problem] = []
    if not code or len(code) > 30 or any(ch.isspace() for ch in code):
        problems.append(
            Problem(
                "national_code",
                _("Give the national code (e.g. 1.001193): up to 30 characters, no spaces."),
            )
        )
    cleaned, found = content_problems(content)
    _raise(problems + found)
    with transaction.atomic():
        procedure, created = Procedure.objects.get_or_create(national_code=code)
        procedure = _lock_procedure(procedure)
        _refuse_second_draft(procedure)
        version = ProcedureVersion(
            procedure=procedure,
            number=_next_number(procedure),
            status=VersionStatus.DRAFT,
            created_by=_user(actor),
        )
        _apply(version, cleaned)
        after = version_snapshot(version)
        if created:
            audit.record(
                actor=_user(actor),
                action="procedures.procedure_create",
                obj=procedure,
                changes={"national_code": [None, code]},
            )
        audit.record(
            actor=_user(actor),
            action="procedures.draft_create",
            obj=version,
            changes=audit.diff({}, after),
        )
    return version


def _locked_draft(version: ProcedureVersion) -> ProcedureVersion:
    fresh = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if fresh.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)s is %(status)s: only a draft can be changed.")
            % {"number": fresh.number, "status": fresh.get_status_display()},
            code="not_draft",
        )
    return fresh


def update_draft(actor: Actor, version: ProcedureVersion, **content: Any) -> ProcedureVersion:
    """Change some content keys of a draft; keys not given stay as they are."""
    _require_operator(actor)
    cleaned, problems = content_problems(content, partial=True, current_levels=list(version.levels))
    _raise(problems)
    with transaction.atomic():
        fresh = _locked_draft(version)
        before = version_snapshot(fresh)
        _apply(fresh, cleaned)
        after = version_snapshot(fresh)
        changes = audit.diff(before, after)
        if changes:
            audit.record(
                actor=_user(actor), action="procedures.draft_update", obj=fresh, changes=changes
            )
    return fresh


def add_paper(actor: Actor, version: ProcedureVersion, **paper: Any) -> RequiredPaper:
    """Append one required paper to a draft (keys as in ``papers``)."""
    _require_operator(actor)
    cleaned, problems = content_problems({"papers": [paper]}, partial=True)
    _raise(problems)
    values = cleaned["papers"][0]
    with transaction.atomic():
        fresh = _locked_draft(version)
        top = fresh.papers.aggregate(top=Max("position"))["top"] or 0
        created = RequiredPaper.objects.create(version=fresh, position=top + 1, **values)
        audit.record(
            actor=_user(actor),
            action="procedures.paper_add",
            obj=fresh,
            changes={"paper": [None, values]},
        )
    return created


def replace_papers(
    actor: Actor, version: ProcedureVersion, papers: Sequence[Mapping[str, Any]]
) -> ProcedureVersion:
    """Replace the whole list of required papers of a draft."""
    return update_draft(actor, version, papers=list(papers))


def delete_draft(actor: Actor, version: ProcedureVersion) -> None:
    """Throw a draft away (dossiers only ever point to published versions)."""
    _require_operator(actor)
    with transaction.atomic():
        fresh = _locked_draft(version)
        before = version_snapshot(fresh)
        label = str(fresh)
        pk = fresh.pk
        fresh.agencies.clear()
        fresh.delete()
        audit.record(
            actor=_user(actor),
            action="procedures.draft_delete",
            object_type="procedures.procedureversion",
            object_id=pk,
            object_repr=label,
            changes=audit.diff(before, {}),
        )


def publication_problems(version: ProcedureVersion) -> list[Problem]:
    """What keeps a draft from being published (content rechecked as a whole)."""
    values = {key: getattr(version, key) for key in CONTENT_FIELDS}
    values["agencies"] = list(version.agencies.all())
    _cleaned, problems = content_problems(values)
    if not values["agencies"]:
        problems.append(
            Problem("agencies", _("Name at least one agency that carries the procedure out."))
        )
    return problems


def publish_version(actor: Actor, version: ProcedureVersion) -> ProcedureVersion:
    """Put a draft in force. The version in force until now becomes "replaced"
    (with ``replaced_at``); dossiers received under it keep pointing to it."""
    _require_operator(actor)
    with transaction.atomic():
        _lock_procedure(version.procedure)
        fresh = _locked_draft(version)
        _raise(publication_problems(fresh))
        now = timezone.now()
        previous = (
            ProcedureVersion.objects.select_for_update()
            .filter(procedure_id=fresh.procedure_id, status=VersionStatus.PUBLISHED)
            .first()
        )
        if previous is not None:
            # Replaced first: the database allows one published version per procedure.
            previous.status = VersionStatus.REPLACED
            previous.replaced_at = now
            previous.save(update_fields=["status", "replaced_at"])
        fresh.status = VersionStatus.PUBLISHED
        fresh.published_at = now
        fresh.save(update_fields=["status", "published_at"])
        audit.record(
            actor=_user(actor),
            action="procedures.version_publish",
            obj=fresh,
            changes={
                "status": [VersionStatus.DRAFT.value, VersionStatus.PUBLISHED.value],
                "replaces": [None, previous.number if previous else None],
            },
        )
    return fresh


def new_version_from(actor: Actor, version: ProcedureVersion) -> ProcedureVersion:
    """A new draft copying the content, agencies and papers of ``version`` (usually
    the published one), to be edited and published in its place."""
    _require_operator(actor)
    with transaction.atomic():
        procedure = _lock_procedure(version.procedure)
        source = ProcedureVersion.objects.get(pk=version.pk)
        if source.status == VersionStatus.DRAFT:
            raise ValidationError(
                _("Version %(number)s is itself a draft: edit it instead.")
                % {"number": source.number},
                code="draft_exists",
            )
        _refuse_second_draft(procedure)
        draft = ProcedureVersion(
            procedure=procedure,
            number=_next_number(procedure),
            status=VersionStatus.DRAFT,
            created_by=_user(actor),
            **{key: getattr(source, key) for key in CONTENT_FIELDS},
        )
        draft.save()
        draft.agencies.set(source.agencies.all())
        _set_papers(draft, [paper_dict(p) for p in source.papers.order_by("position")])
        audit.record(
            actor=_user(actor),
            action="procedures.draft_create",
            obj=draft,
            changes={"copied_from": [None, source.number]},
        )
    return draft


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
