"""JSON API of the feedback and questions app (mounted at ``/api/v1/feedback``).

Public, no sign-in: the published satisfaction figures, never personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from egov.core.models import Unit
from egov.core.periods import parse_period
from egov.core.schemas import ErrorOut
from egov.feedback import selectors
from egov.feedback.indicators import INDICATORS

router = Router()


class FiguresOut(Schema):
    count: int = Field(description="Number of ratings.")
    unsatisfied: int = Field(description="Ratings “Không hài lòng”.")
    satisfied: int = Field(description="Ratings “Hài lòng”.")
    very_satisfied: int = Field(description="Ratings “Rất hài lòng”.")
    unsatisfied_share: float | None
    satisfied_share: float | None
    very_satisfied_share: float | None
    satisfied_or_better_share: float | None
    on_time_share: float | None = Field(description="Share of rated dossiers returned on time.")
    indicators: dict[str, float | None] = Field(
        description="Score of each of the nine indicators, 0–1 of the best score "
        "(`null` without answers)."
    )
    overall_index: float | None = Field(description="Mean of the indicators' scores.")


class RowOut(Schema):
    code: str = Field(description="Identifier code of the agency.")
    name: str
    is_self: bool = Field(description="Ratings of the chosen agency itself, not of a unit below.")
    figures: FiguresOut


class IndicatorOut(Schema):
    code: str
    number: int
    name: str
    measured: bool = Field(description="Measured from the dossier rather than asked.")


class RatingsOut(Schema):
    agency: str | None = Field(description="Code of the chosen agency; `null` for all.")
    period: str = Field(description="`2026`, `2026-Q1` or `2026-03`.")
    start: dt.date
    end: dt.date
    totals: FiguresOut = Field(description="The chosen agency with every unit below it.")
    rows: list[RowOut] = Field(description="One row per agency directly below (with subtree).")
    indicators: list[IndicatorOut]


@router.get(
    "/ratings",
    response={200: RatingsOut, 404: ErrorOut, 422: ErrorOut},
    summary="Published satisfaction ratings",
    description="Public, no sign-in. Counts and shares of the three satisfaction levels, the "
    "nine indicators' scores and the on-time share for an agency (with its subtree) and "
    "its direct sub-agencies in a period (`period`: year `2026`, quarter `2026-Q1` or month "
    "`2026-03`; default this year).",
    operation_id="feedback_ratings",
)
def ratings(request: HttpRequest, agency: str = "", period: str = "") -> Status[Any]:
    found = parse_period(period)
    if found is None:
        return Status(
            422,
            ErrorOut(
                code="invalid",
                message=_("Give the period as 2026, 2026-Q1 or 2026-03."),
                field="period",
            ),
        )
    unit: Unit | None = None
    if agency.strip():
        unit = selectors.rating_agencies().filter(code=agency.strip().upper()).first()
        if unit is None:
            return Status(
                404, ErrorOut(code="not_found", message=_("No such agency."), field="agency")
            )
    table = selectors.ratings_table(unit, found)
    return Status(
        200,
        RatingsOut(
            agency=unit.code if unit else None,
            period=found.key,
            start=found.start,
            end=found.end,
            totals=FiguresOut(**table.totals.as_dict()),
            rows=[
                RowOut(
                    code=row.unit.code,
                    name=row.unit.name,
                    is_self=row.is_self,
                    figures=FiguresOut(**row.figures.as_dict()),
                )
                for row in table.rows
            ],
            indicators=[
                IndicatorOut(
                    code=item.code, number=item.number, name=str(item.name), measured=item.measured
                )
                for item in INDICATORS
            ],
        ),
    )


# The complaint channel (phản ánh, kiến nghị): /api/v1/feedback/complaints…
from egov.feedback.complaint_api import router as complaint_router  # noqa: E402

router.add_router("/complaints", complaint_router)
