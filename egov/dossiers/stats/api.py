"""JSON API of the one-stop statistics, mounted at ``/api/v1/statistics``.

``GET /api/v1/statistics/dossiers?unit=…&start=…&end=…[&field=…][&procedure=…][&group_by=…]``
gives the figures of :func:`egov.dossiers.stats.figures.dossier_statistics` (the
module's docstring defines every bucket).

Who may call it: a staff session that passed the second factor (the same
authentication as ``/api/v1/dossiers``; anything else gets 401), and that holds,
in the unit asked for or above it, a permission to work on dossiers (receive,
process, approve, return), to read the audit log, or to operate the platform
(otherwise 403). A role held in a unit covers its subtree, so a commune clerk sees
their commune, a department leader their department, an operator the province.

Query parameters are taken as text and checked here, so that each bad value gets
a 400 with the structured :class:`~egov.core.schemas.ErrorOut` body naming it.
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, P, QueryEx, Router, Schema, Status

from egov.accounts.api_auth import StaffSessionAuth
from egov.core.schemas import ErrorOut
from egov.core.selectors.units import get_unit_by_code
from egov.dossiers.stats.figures import (
    GROUP_BY_CHOICES,
    MAX_DATE,
    MIN_DATE,
    Counts,
    StatsResult,
    dossier_statistics,
    may_view_statistics,
)
from egov.procedures.models import Procedure, ProcedureField

router = Router(auth=StaffSessionAuth(csrf=True))


# --- schemas -------------------------------------------------------------------------------


class StatsCountsOut(Schema):
    """The figures of one group, or of the whole scope."""

    received: int = Field(description="carried_over + new.")
    carried_over: int = Field(
        description="Received before the start and still open (not resolved, not closed) "
        "at the start."
    )
    new: int = Field(description="Received in the period (received_at in it).")
    new_desk: int = Field(description="New, received at the desk (channel 1).")
    new_online: int = Field(description="New, received online (channel 2).")
    new_post: int = Field(description="New, received by post (channel 3).")
    resolved: int = Field(description="Result ready in the period: early + on time + late.")
    resolved_early: int = Field(description="Ready on a local day before the due day.")
    resolved_on_time: int = Field(
        description="Ready on the due day, not after the appointment (or without one)."
    )
    resolved_late: int = Field(
        description="Ready after the appointment, or given an apology letter (form 04)."
    )
    in_progress: int = Field(
        description="Received and neither resolved nor closed at the end of the period "
        "(or now, if it has not ended)."
    )
    in_progress_not_due: int = Field(
        description="In progress, appointment not passed (or clock stopped for the applicant)."
    )
    in_progress_overdue: int = Field(
        description="In progress, appointment passed, or an earlier one missed and replaced "
        "with an apology letter."
    )
    returned: int = Field(description="Results handed back in the period (status 10).")
    withdrawn: int = Field(description="Withdrawn by the applicant in the period (status 7).")
    refused: int = Field(description="Refused in the period (status 3).")
    stopped: int = Field(description="Processing stopped in the period (status 8).")
    online_share: float | None = Field(
        description="new_online / new, between 0 and 1; null when nothing new."
    )
    on_time_share: float | None = Field(
        description="(early + on time) / resolved; null when nothing resolved."
    )


class StatsUnitOut(Schema):
    code: str
    name: str


class StatsRowOut(Schema):
    kind: str = Field(description="`unit`, `field` or `procedure`.")
    key: str = Field(
        description="The unit's identifier code, the field's code or the procedure's national code."
    )
    name: str
    is_self: bool = Field(
        description="For `unit` rows: dossiers received by the chosen unit itself, not by "
        "one of its children."
    )
    counts: StatsCountsOut


class SatisfactionOut(Schema):
    count: int = Field(description="Ratings given in the period.")
    unsatisfied: int = Field(description="Không hài lòng.")
    satisfied: int = Field(description="Hài lòng.")
    very_satisfied: int = Field(description="Rất hài lòng.")
    satisfied_or_better_share: float | None = Field(
        description="(satisfied + very satisfied) / count, 0–1; null without ratings."
    )
    overall_index: float | None = Field(
        description="Mean of the nine indicators' scores, 0–1; null without ratings."
    )
    indicators: dict[str, float | None] = Field(
        description="Score of each of the nine indicators, 0–1 (null: no answers)."
    )


class StatsOut(Schema):
    unit: StatsUnitOut
    scope: str = Field(
        description="`agency`: dossiers whose receiving agency is in the unit's subtree; "
        "`desk`: the unit is a one-stop desk, dossiers it received."
    )
    start: dt.date
    end: dt.date
    starts_at: dt.datetime = Field(description="Start of the period, local midnight.")
    ends_at: dt.datetime = Field(description="Midnight after the end date (excluded).")
    as_of: dt.datetime = Field(description="Moment of the in-progress figures.")
    rolled_up_at: dt.datetime | None = Field(
        description="When the figures were read from the daily roll-ups: every change "
        "to a dossier before this moment is counted (the in-progress figures of a period "
        "not yet ended are always counted live). Null: read from the dossiers themselves."
    )
    field: str | None = Field(description="The field filter (code), if any.")
    procedure: str | None = Field(description="The procedure filter (national code), if any.")
    group_by: str | None
    totals: StatsCountsOut
    rows: list[StatsRowOut] = Field(
        description="One row per child unit (with its subtree), field or procedure; empty "
        "without grouping. Rows add up to the totals."
    )
    satisfaction: SatisfactionOut | None = Field(
        description="Applicants' ratings of the dossiers received in the scope, rated in "
        "the period; null when a field or procedure filter is set."
    )


def counts_out(counts: Counts) -> dict[str, Any]:
    return counts.as_dict()


def result_out(result: StatsResult) -> dict[str, Any]:
    return {
        "unit": {"code": result.unit.code, "name": result.unit.name},
        "scope": "desk" if result.by_desk else "agency",
        "start": result.start,
        "end": result.end,
        "starts_at": timezone.localtime(result.starts_at),
        "ends_at": timezone.localtime(result.ends_at),
        "as_of": timezone.localtime(result.as_of),
        "rolled_up_at": (timezone.localtime(result.rolled_up_at) if result.rolled_up_at else None),
        "field": result.field.code if result.field else None,
        "procedure": result.procedure.national_code if result.procedure else None,
        "group_by": result.group_by,
        "totals": counts_out(result.totals),
        "rows": [
            {
                "kind": row.kind,
                "key": row.key,
                "name": row.name,
                "is_self": row.is_self,
                "counts": counts_out(row.counts),
            }
            for row in result.rows
        ],
        "satisfaction": result.satisfaction,
    }


# --- parameters ---------------------------------------------------------------------------


class BadInput(Exception):
    def __init__(self, code: str, message: str, field: str | None) -> None:
        super().__init__(message)
        self.error = ErrorOut(code=code, message=message, field=field)


def _date(raw: str | None, name: str) -> dt.date:
    if raw is None or not raw.strip():
        raise BadInput(
            "missing_date", gettext("Give the date, as YYYY-MM-DD, e.g. 2020-01-15."), name
        )
    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise BadInput(
            "invalid_date",
            gettext("The date is not valid; use YYYY-MM-DD, e.g. 2020-01-15."),
            name,
        ) from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise BadInput(
            "out_of_range",
            gettext("The date must be between %(first)s and %(last)s.")
            % {"first": MIN_DATE.isoformat(), "last": MAX_DATE.isoformat()},
            name,
        )
    return value


def _group_by(raw: str | None) -> str | None:
    value = (raw or "agency").strip().lower()
    if value in ("", "none"):
        return None
    if value not in GROUP_BY_CHOICES:
        raise BadInput(
            "invalid_group_by",
            gettext("Group by agency, field, procedure or none."),
            "group_by",
        )
    return value


@router.get(
    "/dossiers",
    response={200: StatsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    url_name="statistics-dossiers",
    summary="Statistics of one-stop dossiers for a unit and period",
    # Named as before the module moved into dossiers/stats/: clients keep their names.
    operation_id="egov_dossiers_stats_api_dossier_statistics_api",
)
def dossier_statistics_api(
    request: HttpRequest,
    unit: QueryEx[
        str | None,
        P(
            description="Identifier code of the unit (an agency, or a one-stop desk); its "
            "subtree is counted.",
            examples=["000.00.00.H33"],
        ),
    ] = None,
    start: QueryEx[
        str | None, P(description="First day, YYYY-MM-DD (local date).", examples=["2019-01-01"])
    ] = None,
    end: QueryEx[
        str | None,
        P(description="Last day, YYYY-MM-DD, included.", examples=["2019-12-31"]),
    ] = None,
    field: QueryEx[str | None, P(description="Only this field (its code).")] = None,
    procedure: QueryEx[
        str | None, P(description="Only this procedure (national code), all its versions.")
    ] = None,
    group_by: QueryEx[
        str | None,
        P(
            description="`agency` (default: the unit's direct children), `field`, "
            "`procedure` or `none`."
        ),
    ] = None,
) -> Status[Any]:
    """Received (carried over, new by channel), resolved (early, on time, late), in
    progress (not yet due, overdue), returned, withdrawn, refused and stopped, with
    the share received online. For the period of Nghị định 09/2019 (15th to 14th),
    give those dates. Definitions: see the `StatsCountsOut` schema."""
    try:
        first = _date(start, "start")
        last = _date(end, "end")
        if last < first:
            raise BadInput(
                "end_before_start",
                gettext("The end date must be on or after the start date."),
                "end",
            )
        code = (unit or "").strip()
        if not code:
            raise BadInput("missing_unit", gettext("Give the unit's identifier code."), "unit")
        chosen = get_unit_by_code(code)
        if chosen is None:
            raise BadInput(
                "unknown_unit",
                gettext("No unit has the identifier code “%(code)s”.") % {"code": code},
                "unit",
            )
        grouping = _group_by(group_by)
        chosen_field = None
        if field and field.strip():
            chosen_field = ProcedureField.objects.filter(code=field.strip()).first()
            if chosen_field is None:
                raise BadInput(
                    "unknown_field",
                    gettext("No field has the code “%(code)s”.") % {"code": field.strip()},
                    "field",
                )
        chosen_procedure = None
        if procedure and procedure.strip():
            chosen_procedure = Procedure.objects.filter(national_code=procedure.strip()).first()
            if chosen_procedure is None:
                raise BadInput(
                    "unknown_procedure",
                    gettext("No procedure has the national code “%(code)s”.")
                    % {"code": procedure.strip()},
                    "procedure",
                )
    except BadInput as exc:
        return Status(400, exc.error)
    if not may_view_statistics(request.user, chosen):
        return Status(
            403,
            ErrorOut(
                code="forbidden",
                message=gettext("You may not see the statistics of this unit."),
                field="unit",
            ),
        )
    result = dossier_statistics(
        chosen, first, last, field=chosen_field, procedure=chosen_procedure, group_by=grouping
    )
    return Status(200, result_out(result))
