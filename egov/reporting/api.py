"""Staff JSON API of reporting, mounted at ``/api/v1/reporting``: the reports due,
open a report, read it, save figures, submit, approve, send, and completeness per
period. Same authentication as the staff pages (a staff session that passed the
second factor; CSRF token on unsafe methods). Refusals answer with the API's one
error body; figures breaking a rule answer 422 ``invalid_figures`` with every
message by indicator code in ``errors``."""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from egov.accounts.api_auth import staff_auth
from egov.core.models import Unit
from egov.core.schemas import ErrorOut
from egov.reporting import access, selectors, services
from egov.reporting.models import Regime, Report
from egov.reporting.periods import period_of

router = Router(auth=staff_auth)
ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    502: ErrorOut,
}


class FigureOut(Schema):
    code: str
    label: str
    measure: str
    value: str
    note: str
    automatic: bool


class ReportOut(Schema):
    id: int
    regime: str
    unit_code: str
    unit_name: str
    period: str
    period_label: str
    period_start: date
    period_end: date
    deadline: date
    version: int = Field(description="The correction number (1 for the first version).")
    lock_version: int = Field(description="Send it back as `expected_version` to save.")
    is_current: bool
    status: str
    is_late: bool
    is_signed: bool
    receipt: str
    queued_for_sending: bool = Field(
        description="Waiting for the background job that sends it to the Government "
        "reporting system (it retries while that system does not answer)."
    )
    send_attempts: int
    send_error: str = Field(description="Why the last attempt failed (empty when it did not).")
    figures: list[FigureOut]
    texts: dict[str, str]


class DueOut(Schema):
    regime: str
    unit: str
    period: str
    deadline: date
    action: str = Field(description="`file` (prepare and submit) or `approve`.")
    report_id: int | None


class CreateIn(Schema):
    regime: str = Field(description="The regime's code, e.g. `tthc-quy`.")
    unit_code: str
    period: str = Field(description="`2026-Q1`, `2026-03`, `2026-H1`, `2026-9M`, `2026`.")


class FiguresIn(Schema):
    values: dict[str, str] = Field(default_factory=dict)
    notes: dict[str, str] = Field(default_factory=dict)
    texts: dict[str, str] | None = None
    expected_version: int | None = None


class SubmitIn(Schema):
    late_reason: str = ""


class ApproveIn(Schema):
    pin: str = ""


class CompletenessRowOut(Schema):
    unit_code: str
    unit_name: str
    state: str = Field(description="missing, draft, waiting, on_time or late.")
    submitted_at: datetime | None


class CompletenessOut(Schema):
    regime: str
    period: str
    deadline: date
    expected: int
    reported: int
    on_time: int
    late: int
    rows: list[CompletenessRowOut]


def _out(report: Report) -> dict[str, Any]:
    figures = []
    for indicator in report.regime.indicators.all():
        item = report.values.get(indicator.code) or {}
        figures.append(
            {
                "code": indicator.code,
                "label": indicator.label,
                "measure": indicator.measure,
                "value": item.get("value", ""),
                "note": item.get("note", ""),
                "automatic": bool(indicator.source),
            }
        )
    return {
        "id": report.pk,
        "regime": report.regime.code,
        "unit_code": report.unit.code,
        "unit_name": report.unit.name,
        "period": report.period_key,
        "period_label": report.period_label,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "deadline": report.deadline,
        "version": report.version,
        "lock_version": report.lock_version,
        "queued_for_sending": report.next_send_at is not None,
        "send_attempts": report.send_attempts,
        "send_error": report.send_error,
        "is_current": report.is_current,
        "status": report.status,
        "is_late": report.is_late,
        "is_signed": report.is_signed,
        "receipt": report.remote_id,
        "figures": figures,
        "texts": report.texts or {},
    }


def _get(request: HttpRequest, report_id: int) -> Report:
    report = Report.objects.select_related("regime", "unit").filter(pk=report_id).first()
    if report is None or not access.may_see_unit(request.user, report.unit):
        raise Http404
    return report


def _regime(code: str) -> Regime:
    regime = Regime.objects.filter(code=code.strip(), is_active=True).first()
    if regime is None:
        raise ValidationError(
            {"regime": _("No reporting regime with the code %(code)s.") % {"code": code[:40]}}
        )
    return regime


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code.strip(), dissolved_at__isnull=True).first()
    if unit is None:
        raise ValidationError(
            {"unit_code": _("No agency or unit with the code %(code)s.") % {"code": code[:40]}}
        )
    return unit


@router.get("/due", response={200: list[DueOut], **ERRORS}, summary="Reports due for me")
def due(request: HttpRequest) -> Any:
    return [
        {
            "regime": d.regime_title,
            "unit": d.unit_name,
            "period": d.period_label,
            "deadline": d.deadline,
            "action": d.action,
            "report_id": d.report_id,
        }
        for d in selectors.reports_due_for(request.user)
    ]


@router.post("/reports", response={201: ReportOut, **ERRORS}, summary="Open a report")
def create(request: HttpRequest, payload: CreateIn) -> Any:
    report = services.create_report(
        request.user, _regime(payload.regime), _unit(payload.unit_code), payload.period
    )
    return Status(201, _out(report))


@router.get("/reports/{report_id}", response={200: ReportOut, **ERRORS}, summary="A report")
def get_report(request: HttpRequest, report_id: int) -> Any:
    return _out(_get(request, report_id))


@router.post(
    "/reports/{report_id}/figures", response={200: ReportOut, **ERRORS}, summary="Save figures"
)
def save(request: HttpRequest, report_id: int, payload: FiguresIn) -> Any:
    report = services.save_figures(
        request.user,
        _get(request, report_id),
        values=payload.values,
        notes=payload.notes,
        texts=payload.texts,
        expected_version=payload.expected_version,
    )
    return _out(report)


@router.post("/reports/{report_id}/submit", response={200: ReportOut, **ERRORS}, summary="Submit")
def submit(request: HttpRequest, report_id: int, payload: SubmitIn) -> Any:
    return _out(
        services.submit(request.user, _get(request, report_id), late_reason=payload.late_reason)
    )


@router.post("/reports/{report_id}/approve", response={200: ReportOut, **ERRORS}, summary="Approve")
def approve(request: HttpRequest, report_id: int, payload: ApproveIn) -> Any:
    return _out(services.approve(request.user, _get(request, report_id), pin=payload.pin))


@router.post(
    "/reports/{report_id}/send",
    response={200: ReportOut, **ERRORS},
    summary="Send to the Government reporting system",
    description="Queues the approved report: a background job sends it (with retries) "
    "and asks for its acknowledgement; follow `status` (`sent`, then `acknowledged`), "
    "`queued_for_sending` and `send_error`.",
)
def send(request: HttpRequest, report_id: int) -> Any:
    return _out(services.send(request.user, _get(request, report_id)))


@router.get("/completeness", response={200: CompletenessOut, **ERRORS}, summary="Who has reported")
def completeness(request: HttpRequest, regime: str, unit_code: str, period: str) -> Any:
    found = _regime(regime)
    root = _unit(unit_code)
    if not access.may_see_unit(request.user, root):
        raise Http404
    span = period_of(found, period)
    if span is None:
        raise ValidationError(
            {"period": _("“%(key)s” is not a period of this regime.") % {"key": period[:30]}}
        )
    result = selectors.completeness(found, span, root)
    return {
        "regime": found.code,
        "period": span.key,
        "deadline": result.deadline,
        "expected": result.expected,
        "reported": result.reported,
        "on_time": result.on_time,
        "late": result.late,
        "rows": [
            {
                "unit_code": row.unit.code,
                "unit_name": row.unit.name,
                "state": row.state,
                "submitted_at": row.report.submitted_at if row.report else None,
            }
            for row in result.rows
        ],
    }
