"""Reads of the procedure catalogue shared by pages, the API, services and other apps.

Vocabulary:

* the *current* version of a procedure is its published version, or, for a
  procedure never published yet, its draft; lists show current versions;
* the *legal time limit in working hours* (:func:`time_limit_hours`) is what
  process templates divide between their steps: working days × the length of a
  working day from ``settings.EGOV_OFFICE_HOURS`` (7.5 h with 07:30-11:30 and
  13:30-17:00);
* when an agency has no process template for a procedure,
  :func:`default_process_steps` proposes one (see there) so that a dossier can
  always be processed; :func:`egov.procedures.services.ensure_active_process`
  saves it on first use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
)
from django.db.models.functions import Cast
from django.utils.formats import get_format
from django.utils.translation import gettext, ngettext

from egov.accounts.permissions import Perm, RoleCode, units_with_perm
from egov.core.models import Unit, UnitLevel
from egov.core.selectors.units import one_stop_units
from egov.core.workcalendar import working_day_hours
from egov.procedures import fees as fee_rules
from egov.procedures.models import (
    OnlineLevel,
    Procedure,
    ProcedureField,
    ProcedureVersion,
    ProcessStep,
    ProcessTemplate,
    StepAction,
    TimeLimitUnit,
    VersionStatus,
)
from egov.procedures.text import search_key, search_terms

__all__ = [
    "StepSpec",
    "active_process",
    "catalogue",
    "consult_candidates",
    "current_versions",
    "default_process_steps",
    "fee_for",
    "fee_inputs",
    "get_procedure",
    "manageable_agencies",
    "one_stop_desk",
    "online_vocabulary",
    "process_steps",
    "published_version",
    "search_key",
    "step_hours_for",
    "time_limit_hours",
    "versions_for_agency",
    "working_day_hours",
]

HOURS = Decimal("0.01")
#: Levels of agency a procedure can be handled at (internal units are not agencies).
AGENCY_LEVELS: tuple[str, ...] = tuple(
    level.value for level in UnitLevel if level != UnitLevel.INTERNAL
)


@dataclass(frozen=True)
class StepSpec:
    """One step of a process template, before it is saved.

    ``hours`` is the step's share of the legal time limit in working hours;
    ``actions`` are values of :class:`~egov.procedures.models.StepAction`. A step
    whose unit lies outside the agency's subtree is a liên thông step: it must
    allow ``consult``. ``action_name`` names the button that finishes the step
    (empty: the dossier page names it after the step's role).
    """

    name: str
    unit: Unit
    role_code: str
    hours: Decimal
    actions: tuple[str, ...]
    action_name: str = ""
    name_en: str = ""
    action_name_en: str = ""

    @classmethod
    def from_step(cls, step: ProcessStep) -> StepSpec:
        return cls(
            name=step.name,
            unit=step.unit,
            role_code=step.role_code,
            hours=Decimal(step.hours),
            actions=tuple(step.actions),
            action_name=step.action_name,
            name_en=step.name_en,
            action_name_en=step.action_name_en,
        )

    def key(self) -> tuple[Any, ...]:
        """What makes two steps the same (to skip saving an unchanged template)."""
        return (
            self.name,
            self.unit.pk,
            self.role_code,
            Decimal(self.hours),
            self.actions,
            self.action_name.strip(),
            self.name_en.strip(),
            self.action_name_en.strip(),
        )


# --- time, fees, online levels ------------------------------------------------------


def limit_in_hours(time_limit: Decimal | int | str, unit: str) -> Decimal:
    value = Decimal(str(time_limit))
    if unit == TimeLimitUnit.WORKING_HOURS:
        return value.quantize(HOURS)
    return (value * working_day_hours()).quantize(HOURS, rounding=ROUND_HALF_UP)


def time_limit_hours(version: ProcedureVersion) -> Decimal:
    """The legal time limit of ``version`` in working hours (2 decimals)."""
    return limit_in_hours(version.time_limit, version.time_limit_unit)


def fee_for(version: ProcedureVersion, inputs: Mapping[str, Any] | None = None) -> int:
    """Fees and charges of ``version`` in whole đồng for the request's ``inputs``
    (see :mod:`egov.procedures.fees`; rules take their defaults for inputs not
    given, unknown inputs are ignored). Raises ``ValidationError`` for an input
    value a rule cannot use (a negative quantity, an unknown choice)."""
    return fee_rules.compute(version.fees or [], inputs)


def fee_inputs(version: ProcedureVersion) -> list[fee_rules.FeeInput]:
    """The inputs ``version``'s fee rules read, for a form to ask for."""
    return fee_rules.fee_inputs(version.fees or [])


def online_vocabulary(level: int | None) -> str | None:
    """The Nghị định 42/2022 word for a Nghị định 43/2011 level: 4 → "toàn trình"
    (fully online), 3 → "một phần" (partly online), 1–2 → ``None`` (not an online
    public service in the 2022 sense). The words are the legal vocabulary, the same
    in every interface language."""
    if level == OnlineLevel.FULLY_ONLINE:
        return "toàn trình"
    if level == OnlineLevel.PARTLY_ONLINE:
        return "một phần"
    return None


def _number(value: Decimal) -> str:
    text = f"{Decimal(value):f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text.replace(".", str(get_format("DECIMAL_SEPARATOR")) or ".")


def describe_time_limit(version: ProcedureVersion) -> str:
    """ "10 working days (75 working hours)" in the active language."""
    limit = Decimal(version.time_limit)
    if version.time_limit_unit == TimeLimitUnit.WORKING_HOURS:
        return ngettext("%(n)s working hour", "%(n)s working hours", _plural(limit)) % {
            "n": _number(limit)
        }
    hours = time_limit_hours(version)
    return ngettext(
        "%(n)s working day (%(hours)s working hours)",
        "%(n)s working days (%(hours)s working hours)",
        _plural(limit),
    ) % {"n": _number(limit), "hours": _number(hours)}


def _plural(value: Decimal) -> int:
    # ngettext wants an integer; 1.5 days reads as plural, 1 day as singular.
    return 1 if value == 1 else 2


def describe_online_level(level: int) -> str:
    """ "Level 4 (toàn trình)": the 2011 level and, where it has one, the 2022 word."""
    word = online_vocabulary(level)
    if word is None:
        return gettext("Level %(level)s") % {"level": level}
    return gettext("Level %(level)s (%(word)s)") % {"level": level, "word": word}


def level_labels(levels: Sequence[str]) -> list[str]:
    labels = dict(UnitLevel.choices)
    return [str(labels.get(level, level)) for level in levels]


# --- the catalogue ------------------------------------------------------------------


def get_procedure(national_code: str) -> Procedure | None:
    return Procedure.objects.filter(national_code=national_code.strip()).first()


def published_version(procedure: Procedure | str) -> ProcedureVersion | None:
    """The version in force of a procedure (object or national code), or ``None``."""
    qs = ProcedureVersion.objects.select_related("procedure", "field").filter(
        status=VersionStatus.PUBLISHED
    )
    if isinstance(procedure, Procedure):
        return qs.filter(procedure=procedure).first()
    return qs.filter(procedure__national_code=procedure.strip()).first()


def current_versions() -> QuerySet[ProcedureVersion]:
    """One version per procedure: the published one, or the draft of a procedure
    that was never published (a procedure has at most one draft at a time)."""
    published = ProcedureVersion.objects.filter(
        procedure=OuterRef("procedure"), status=VersionStatus.PUBLISHED
    )
    return ProcedureVersion.objects.filter(
        Q(status=VersionStatus.PUBLISHED) | (Q(status=VersionStatus.DRAFT) & ~Exists(published))
    )


def catalogue(
    *,
    q: str = "",
    field: ProcedureField | str | None = None,
    level: str = "",
    online_level: int | None = None,
    published_only: bool = False,
    agency: Unit | None = None,
) -> QuerySet[ProcedureVersion]:
    """Current versions matching the filters (field and procedure joined); one
    query whatever the page size.

    ``q`` matches the national code and the name, without regard to diacritics
    or case ("dang ky khai sinh" finds "Đăng ký khai sinh"); every word must
    appear. ``field`` is a field or its code; ``level`` a value of UnitLevel.
    """
    base = (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        if published_only
        else current_versions()
    )
    qs = base.select_related("procedure", "field")
    for term in search_terms(q):
        qs = qs.filter(search_key__contains=term)
    if field:
        qs = (
            qs.filter(field=field)
            if isinstance(field, ProcedureField)
            else qs.filter(field__code=field)
        )
    if level:
        # JSON lists are stored as text like ["commune", "district"] on both
        # databases; the quotes keep "district" from matching "district_agency".
        qs = qs.annotate(levels_text=Cast("levels", output_field=TextField())).filter(
            levels_text__contains=f'"{level}"'
        )
    if online_level:
        qs = qs.filter(online_level=online_level)
    if agency is not None:
        qs = qs.filter(agencies=agency)
    return qs.order_by("procedure__national_code")


def versions_for_agency(agency: Unit) -> QuerySet[ProcedureVersion]:
    """Published versions ``agency`` carries out (what its desk can receive)."""
    return (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED, agencies=agency)
        .select_related("procedure", "field")
        .order_by("name")
    )


def version_detail(national_code: str, number: int | None = None) -> ProcedureVersion | None:
    """A version with its papers and agencies prefetched: the numbered one, else
    the current one."""
    qs = ProcedureVersion.objects.select_related("procedure", "field", "created_by").filter(
        procedure__national_code=national_code.strip()
    )
    if number is not None:
        qs = qs.filter(number=number)
    else:
        qs = qs.filter(pk__in=current_versions().values("pk"))
    return qs.prefetch_related(
        "papers", Prefetch("agencies", queryset=Unit.objects.order_by("path"))
    ).first()


def all_versions(procedure: Procedure) -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.filter(procedure=procedure).order_by("-number")


# --- process templates --------------------------------------------------------------


def _steps_prefetch() -> Prefetch[Any]:
    steps = ProcessStep.objects.select_related("unit").order_by("position")
    return Prefetch("steps", queryset=steps)


def active_process(procedure: Procedure, agency: Unit) -> ProcessTemplate | None:
    """The process template in force for ``procedure`` at ``agency``, steps
    prefetched in order (with their units), or ``None``."""
    return (
        ProcessTemplate.objects.filter(procedure=procedure, agency=agency, is_active=True)
        .select_related("agency", "updated_by")
        .prefetch_related(_steps_prefetch())
        .first()
    )


def active_templates(procedure: Procedure) -> QuerySet[ProcessTemplate]:
    """Every active template of ``procedure`` (one per agency), steps prefetched."""
    return (
        ProcessTemplate.objects.filter(procedure=procedure, is_active=True)
        .select_related("agency", "updated_by")
        .prefetch_related(_steps_prefetch())
        .order_by("agency__path")
    )


def one_stop_desk(agency: Unit, desks: Sequence[Unit] | None = None) -> Unit:
    """The one-stop desk that receives for ``agency``: of the one-stop units serving
    it (itself and/or its children, in path order; ``desks`` when the caller has
    read them already), its own desk (a child) wins; else the agency itself."""
    if desks is None:
        desks = list(one_stop_units(agency)[:2])
    children = [unit for unit in desks if unit.pk != agency.pk]
    return children[0] if children else agency


def _split(total: Decimal, shares: Sequence[Decimal]) -> list[Decimal]:
    parts = [(total * share).quantize(HOURS) for share in shares]
    return parts


def default_process_steps(
    version: ProcedureVersion, agency: Unit, *, desk: Unit | None = None
) -> list[StepSpec]:
    """The process used where an agency has not defined its own:

    1. receipt at the agency's one-stop desk (``one_stop_clerk``): half a working day;
    2. handling by a specialist of the agency (``specialist``): the rest;
    3. approval and signature by the agency's leader (``agency_leader``): one day;
    4. return of the result at the one-stop desk (``one_stop_clerk``): half a day.

    For limits shorter than three working days the four steps take 10 %, 60 %,
    20 % and 10 % instead. The specialist's share absorbs rounding, so the hours
    always add up exactly to the legal limit. The one-stop desk is the agency's
    child unit flagged one-stop, else the agency itself (``desk`` when the caller
    has already looked it up).
    """
    total = time_limit_hours(version)
    day = working_day_hours()
    if total >= 3 * day:
        receipt, approval, returning = day / 2, day, day / 2
        receipt, approval, returning = (x.quantize(HOURS) for x in (receipt, approval, returning))
    else:
        receipt, approval, returning = _split(
            total, [Decimal("0.10"), Decimal("0.20"), Decimal("0.10")]
        )
    specialist = total - receipt - approval - returning
    desk = desk or one_stop_desk(agency)
    return [
        StepSpec(
            name="Tiếp nhận hồ sơ",
            unit=desk,
            role_code=RoleCode.ONE_STOP_CLERK,
            hours=receipt,
            actions=(StepAction.FORWARD.value, StepAction.REQUEST_SUPPLEMENT.value),
            action_name="Chuyển xử lý",
        ),
        StepSpec(
            name="Thẩm định, xử lý hồ sơ",
            unit=agency,
            role_code=RoleCode.SPECIALIST,
            hours=specialist,
            actions=(
                StepAction.FORWARD.value,
                StepAction.SEND_BACK.value,
                StepAction.REQUEST_SUPPLEMENT.value,
                StepAction.CONSULT.value,
            ),
            action_name="Chuyển kết quả thẩm định",
        ),
        StepSpec(
            name="Phê duyệt, ký kết quả",
            unit=agency,
            role_code=RoleCode.AGENCY_LEADER,
            hours=approval,
            actions=(StepAction.APPROVE.value, StepAction.SEND_BACK.value),
            action_name="Phê duyệt",
        ),
        StepSpec(
            name="Trả kết quả",
            unit=desk,
            role_code=RoleCode.ONE_STOP_CLERK,
            hours=returning,
            actions=(StepAction.FORWARD.value,),
            action_name="Xác nhận có kết quả",
        ),
    ]


def process_steps(version: ProcedureVersion, agency: Unit) -> list[StepSpec]:
    """The steps that apply to ``version`` at ``agency``: the active template's,
    or the default ones (not saved)."""
    template = active_process(version.procedure, agency)
    if template is None:
        return default_process_steps(version, agency)
    return [StepSpec.from_step(step) for step in template.steps.all()]


def step_hours_for(template: ProcessTemplate, version: ProcedureVersion) -> dict[int, Decimal]:
    """Each step's working hours (by step id) for dossiers received under
    ``version``: the template's own hours when they add up to the version's
    limit, else scaled in proportion (a newer version may have changed the limit
    since the template was saved); the last step absorbs rounding."""
    steps = list(template.steps.all())
    if not steps:
        return {}
    total = time_limit_hours(version)
    own = sum((Decimal(step.hours) for step in steps), Decimal(0))
    if own == total or own <= 0:
        return {step.pk: Decimal(step.hours) for step in steps}
    scaled = {step.pk: (Decimal(step.hours) * total / own).quantize(HOURS) for step in steps[:-1]}
    scaled[steps[-1].pk] = total - sum(scaled.values(), Decimal(0))
    return scaled


def template_total(template: ProcessTemplate) -> Decimal:
    return sum((Decimal(step.hours) for step in template.steps.all()), Decimal(0))


def manageable_agencies(user: Any, version: ProcedureVersion) -> QuerySet[Unit]:
    """Agencies of ``version`` where ``user`` may define the process (agency
    administrators hold ``Perm.MANAGE_UNITS`` there)."""
    return (
        Unit.objects.filter(pk__in=version.agencies.values("pk"), dissolved_at__isnull=True)
        .filter(pk__in=units_with_perm(user, Perm.MANAGE_UNITS).values("pk"))
        .order_by("path")
    )


def consult_candidates(agency: Unit) -> QuerySet[Unit]:
    """Units a liên thông step of ``agency`` is usually sent to: the body above the
    agency and its units two levels down (a commune's district and the district's
    offices; a department's province and the other departments), other communes
    left out. The service accepts any unit in operation for a consult step."""
    parent_path = agency.path[: -Unit.steplen]
    if not parent_path:
        return Unit.objects.none()
    return (
        Unit.objects.filter(
            path__startswith=parent_path,
            depth__lte=agency.depth + 1,
            dissolved_at__isnull=True,
        )
        .exclude(path__startswith=agency.path)
        .exclude(level=UnitLevel.COMMUNE)
        .exclude(Q(level=UnitLevel.INTERNAL) & Q(depth=agency.depth + 1))
        .order_by("path")
    )


def versions_for_units(unit_ids: Sequence[int] | None) -> QuerySet[ProcedureVersion]:
    """Published versions carried out by any of ``unit_ids`` (``None``: all), each
    once, with ``paper_count`` (its listed papers) annotated; for the 766 index."""
    qs = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
    if unit_ids is not None:
        carried = ProcedureVersion.agencies.through.objects.filter(
            procedureversion_id=OuterRef("pk"), unit_id__in=list(unit_ids)
        )
        qs = qs.filter(Exists(carried))
    return (
        qs.select_related("procedure")
        .annotate(paper_count=Count("papers"))
        .order_by("procedure__national_code")
    )


def made_public_versions(unit_ids: Sequence[int] | None) -> QuerySet[ProcedureVersion]:
    """Versions ever published (in force or since replaced) carried out by any of
    ``unit_ids`` (``None``: all), each once: the 766 index's 1.1 and 1.2 read their
    ``publication``."""
    qs = ProcedureVersion.objects.filter(
        status__in=[VersionStatus.PUBLISHED, VersionStatus.REPLACED]
    )
    if unit_ids is not None:
        carried = ProcedureVersion.agencies.through.objects.filter(
            procedureversion_id=OuterRef("pk"), unit_id__in=list(unit_ids)
        )
        qs = qs.filter(Exists(carried))
    return qs.select_related("procedure").order_by("procedure__national_code", "number")


def versions_by_ids(ids: Sequence[int]) -> dict[int, ProcedureVersion]:
    """The versions ``ids`` (any status) with their procedure, by id."""
    return {
        version.pk: version
        for version in ProcedureVersion.objects.filter(pk__in=list(ids)).select_related("procedure")
    }
