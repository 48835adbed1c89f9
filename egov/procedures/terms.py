"""The terms of receipt: what the catalogue promises a dossier of one procedure
version received at one agency.

One call, :func:`terms_of_receipt`, answers every question a receipt asks of the
catalogue: which one-stop desk receives (:attr:`ReceiptTerms.desk`), which papers
must be handed in, the process the dossier follows (the agency's active template,
else :func:`~egov.procedures.selectors.default_process_steps` — not saved), its
first step, its appointment for a receipt moment, and its fee. The dossier
services ask once and read the answers; they never work procedure facts out
themselves.

The receipt is the platform's hottest write, so the call costs one query: the
desk and the agency's active template come back together from one hand-written
statement (the ORM spent more CPU compiling the tree filter and the correlated
subquery than the database spent running it). A published version's papers and
agencies are read once per process (a published version never changes: the
catalogue edits drafts and publishes a new version). The template's steps are
read only when asked for (one more query, only where the agency has a template).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from egov.core.models import Unit
from egov.core.workcalendar import get_calendar
from egov.procedures.models import (
    ProcedureVersion,
    ProcessStep,
    ProcessTemplate,
    RequiredPaper,
    TimeLimitUnit,
    VersionStatus,
)
from egov.procedures.selectors import (
    default_process_steps,
    fee_for,
    one_stop_desk,
    time_limit_hours,
)

__all__ = [
    "PlannedStep",
    "ReceiptTerms",
    "due_from",
    "plan_of_template",
    "terms_of_receipt",
]


@dataclass(frozen=True)
class PlannedStep:
    """One step of the process a dossier follows: a ``ProcessStep`` row of the
    agency's template, or a step of the default process (``step=None``)."""

    position: int
    name: str
    unit: Unit
    role_code: str
    hours: Decimal
    actions: tuple[str, ...]
    step: ProcessStep | None = None
    #: The button finishing the step as the template names it ("" when unnamed).
    action_name: str = ""


def _from_rows(steps: Iterable[ProcessStep]) -> list[PlannedStep]:
    return [
        PlannedStep(
            position=position,
            name=step.name,
            unit=step.unit,
            role_code=step.role_code,
            hours=Decimal(step.hours),
            actions=tuple(step.actions or ()),
            step=step,
            action_name=step.action_name,
        )
        for position, step in enumerate(steps, start=1)
    ]


def plan_of_template(template_id: int) -> list[PlannedStep]:
    """The steps of a process template, in order (one query)."""
    steps = ProcessStep.objects.filter(template_id=template_id).select_related("unit")
    return _from_rows(steps.order_by("position"))


def default_plan(version: ProcedureVersion, agency: Unit, desk: Unit) -> list[PlannedStep]:
    """The default process where the agency has no template (computed, no query)."""
    return [
        PlannedStep(
            position=position,
            name=str(spec.name),
            unit=spec.unit,
            role_code=spec.role_code,
            hours=Decimal(spec.hours),
            actions=tuple(spec.actions),
            action_name=spec.action_name,
        )
        for position, spec in enumerate(default_process_steps(version, agency, desk=desk), 1)
    ]


def due_from(version: ProcedureVersion, start: datetime) -> datetime:
    """The appointment of a dossier of ``version`` received at ``start``: whole
    working days land at the same clock time (see core.workcalendar); fractions and
    hour limits count working time."""
    calendar = get_calendar()
    limit = Decimal(version.time_limit)
    if version.time_limit_unit == TimeLimitUnit.WORKING_DAYS and limit == limit.to_integral():
        return calendar.add_working_days(start, int(limit))
    return calendar.add_working_hours(start, time_limit_hours(version))


@dataclass(frozen=True)
class _VersionFacts:
    papers: tuple[RequiredPaper, ...]
    agency_ids: frozenset[int]


@functools.lru_cache(maxsize=512)
def _published_facts(version_id: int, created_at: datetime) -> _VersionFacts:
    # The creation time in the key keeps a reused id (a test database) from matching.
    papers = tuple(RequiredPaper.objects.filter(version_id=version_id).order_by("position"))
    agencies = ProcedureVersion.agencies.through.objects.filter(procedureversion_id=version_id)
    return _VersionFacts(papers, frozenset(agencies.values_list("unit_id", flat=True)))


def _version_facts(version: ProcedureVersion) -> _VersionFacts:
    if version.status == VersionStatus.PUBLISHED and version.created_at is not None:
        return _published_facts(version.pk, version.created_at)
    return _VersionFacts(
        tuple(version.papers.order_by("position")),
        frozenset(version.agencies.values_list("pk", flat=True)),
    )


def required_papers(version: ProcedureVersion) -> tuple[RequiredPaper, ...]:
    """The papers of ``version``'s list, in order (cached when published)."""
    return _version_facts(version).papers


# Tree paths are digits and capital letters: no LIKE wildcard to escape.
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
    params = [version.procedure_id, agency.pk, agency.pk, f"{agency.path}%", agency.depth + 1]
    desks = list(Unit.objects.raw(_DESK_AND_TEMPLATE_SQL, params))
    if desks:
        return one_stop_desk(agency, desks), desks[0].template_id
    # No one-stop unit at all: the agency receives itself; its template alone.
    template_id = (
        ProcessTemplate.objects.filter(
            procedure_id=version.procedure_id, agency=agency, is_active=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return agency, template_id


@dataclass(frozen=True)
class ReceiptTerms:
    """The answers of :func:`terms_of_receipt` (see the module's docstring)."""

    version: ProcedureVersion
    agency: Unit
    desk: Unit
    #: The agency's active process template for the procedure, if any.
    template_id: int | None
    papers: tuple[RequiredPaper, ...]
    agency_ids: frozenset[int]
    #: The receipt moment the appointment counts from (``None``: not received yet).
    at: datetime | None = None

    def check(self) -> None:
        """Refuse (``ValidationError``) a version not in force, a dissolved agency or
        one that does not carry the procedure out."""
        if self.version.status != VersionStatus.PUBLISHED:
            raise ValidationError(
                {
                    "procedure": _(
                        "This version of the procedure is not in force; use the current one."
                    )
                }
            )
        if self.agency.dissolved_at is not None:
            raise ValidationError({"agency": _("This agency no longer exists.")})
        # An empty list means the catalogue does not restrict the agencies.
        if self.agency_ids and self.agency.pk not in self.agency_ids:
            raise ValidationError({"agency": _("This agency does not carry out this procedure.")})

    @functools.cached_property
    def plan(self) -> list[PlannedStep]:
        """The steps the dossier will follow (one query with a template, else none)."""
        if self.template_id is not None:
            return plan_of_template(self.template_id)
        return default_plan(self.version, self.agency, self.desk)

    @property
    def first_step(self) -> PlannedStep:
        return self.plan[0]

    @property
    def limit_hours(self) -> Decimal:
        """The legal time limit in working hours."""
        return time_limit_hours(self.version)

    @property
    def due_at(self) -> datetime | None:
        """The appointment for a receipt at :attr:`at`."""
        return None if self.at is None else due_from(self.version, self.at)

    def fee(self, inputs: Mapping[str, Any] | None = None) -> int:
        """Fees and charges in whole đồng for the request's ``inputs``."""
        return int(fee_for(self.version, inputs or {}))


def terms_of_receipt(
    version: ProcedureVersion, agency: Unit, at: datetime | None = None
) -> ReceiptTerms:
    """The terms of receipt of ``version`` at ``agency`` for a receipt at ``at``.

    One query (desk and template); papers and agencies come from the per-process
    cache of published versions. Nothing is checked here: call
    :meth:`ReceiptTerms.check` once the caller has checked who is asking.
    """
    desk, template_id = _desk_and_template(version, agency)
    facts = _version_facts(version)
    return ReceiptTerms(
        version=version,
        agency=agency,
        desk=desk,
        template_id=template_id,
        papers=facts.papers,
        agency_ids=facts.agency_ids,
        at=at,
    )
