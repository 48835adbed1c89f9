"""Public JSON API (no sign-in): look up a dossier by its code.

Mounted at ``/api/v1/public``. Answers never contain personal data (see
:mod:`egov.dossiers.public.lookup`); repeated lookups of unknown codes from one client
are refused with 429 and a ``Retry-After`` header.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from egov.core.middleware import client_ip
from egov.core.schemas import ErrorOut
from egov.dossiers.public.limits import browser_of, remember_browser
from egov.dossiers.public.lookup import PublicDossier, not_found_message, throttled_lookup

router = Router()


class PublicStepOut(Schema):
    unit: str = Field(description="Unit that had the dossier after this step.")
    at: dt.datetime = Field(description="When the step happened, local time (+07:00).")
    status_code: int = Field(description="Status after the step (national portal codes 1–10).")
    status: str = Field(description="Name of that status in the request's language.")


class PublicDossierOut(Schema):
    code: str = Field(description="Dossier code, e.g. `000.00.31.H33-260115-0001`.")
    procedure_name: str
    procedure_code: str = Field(description="National code of the procedure, e.g. `1.001193`.")
    agency: str = Field(description="Agency that received the dossier.")
    status_code: int = Field(description="Current status (national portal codes 1–10).")
    status: str = Field(description="Name of the current status in the request's language.")
    received_at: dt.datetime | None = Field(description="Received, local time (+07:00).")
    due_at: dt.datetime | None = Field(description="Appointment to return the result.")
    resolved_at: dt.datetime | None = Field(description="Result ready.")
    returned_at: dt.datetime | None = Field(description="Result returned to the applicant.")
    result_ready: bool = Field(description="Whether the result is ready (or already returned).")
    notice: str = Field(description="What the applicant should know now, if anything.")
    steps: list[PublicStepOut] = Field(description="History of steps, oldest first.")


def _out(found: PublicDossier) -> PublicDossierOut:
    return PublicDossierOut(
        code=found.code,
        procedure_name=found.procedure_name,
        procedure_code=found.procedure_code,
        agency=found.agency,
        status_code=found.status_code,
        status=found.status,
        received_at=found.received_at,
        due_at=found.due_at,
        resolved_at=found.resolved_at,
        returned_at=found.returned_at,
        result_ready=found.result_ready,
        notice=found.notice,
        steps=[
            PublicStepOut(
                unit=step.unit, at=step.at, status_code=step.status_code, status=step.status
            )
            for step in found.steps
        ],
    )


@router.get(
    "/dossiers/{code}",
    response={200: PublicDossierOut, 404: ErrorOut, 429: ErrorOut},
    summary="Look up a dossier by its code",
    description="Public, no sign-in. Shows where a dossier is (procedure, receiving agency, "
    "status, dates, steps) and never the applicant's personal data. 404 `not_found` for an "
    "unknown code. 429 (with `Retry-After` in seconds) after repeated lookups of unknown "
    "codes: `lookups_delayed` when this client made them in a row (each further unknown code "
    "doubles the wait), `too_many_lookups` when its whole network reached its limit. A "
    "client is named by the signed `egov_lookup` cookie set on the first answer; a client "
    "that does not send it back is counted with its network only.",
    operation_id="public_dossier_lookup",
)
def lookup_dossier(request: HttpRequest, code: str, response: HttpResponse) -> Status[Any]:
    browser = browser_of(request)
    result = throttled_lookup(client_ip(request), code, browser=browser.id)
    remember_browser(response, request, browser)
    if result.retry_after is not None:
        response["Retry-After"] = str(result.retry_after)
        return Status(429, ErrorOut(code=result.refusal_code, message=result.refusal))
    found = result.found
    if found is None:
        return Status(
            404, ErrorOut(code="not_found", message=not_found_message(code), field="code")
        )
    return Status(200, _out(found))
