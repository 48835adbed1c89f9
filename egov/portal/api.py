"""Public JSON API of the portal for the mobile app and the SMS gateway
(mounted at ``/api/v1/portal``; no sign-in).

* ``GET /procedures``: search the procedures in force (same search and ranking
  as the catalogue page), paginated;
* ``GET /procedures/{national_code}``: one procedure, with papers, fees and where
  to submit;
* ``GET /fields``: fields with procedures in force;
* ``POST /sms``: the reply to an SMS received by the gateway (dossier lookup).

Errors answer :class:`~egov.core.schemas.ErrorOut` ``{code, message, field}``.
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

import hashlib
import hmac
import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, P, QueryEx, Router, Schema, Status

from egov.core.models import Unit
from egov.core.schemas import ErrorOut
from egov.portal import sms
from egov.portal.search import LEVEL_GROUPS, get_index
from egov.portal.selectors import (
    field_counts,
    level_groups_of,
    online_service_label,
    procedure_page,
    rows_for,
)
from egov.procedures.models import ProcedureField, ProcedureVersion
from egov.procedures.selectors import AGENCY_LEVELS, online_vocabulary

router = Router()

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


# --- schemas ---------------------------------------------------------------------------


class PortalFieldOut(Schema):
    code: str = Field(description="Code of the field (lĩnh vực), e.g. `ho-tich`.")
    name: str
    count: int = Field(description="Procedures in force in this field.")


class PortalFieldRefOut(Schema):
    code: str
    name: str


class PortalProcedureOut(Schema):
    national_code: str = Field(description="Code in the national database, e.g. `1.001193`.")
    name: str
    field: PortalFieldRefOut
    levels: list[str] = Field(
        description="Agency levels that carry it out: `province`, `provincial_agency`, "
        "`district`, `district_agency`, `commune`."
    )
    level_groups: list[str] = Field(description="The same as `province`/`district`/`commune`.")
    online_level: int = Field(description="Online service level 1-4 (Nghị định 43/2011).")
    online_service: str | None = Field(
        description="`toàn trình` (level 4) or `một phần` (level 3) as in Nghị định "
        "42/2022; null when it cannot be submitted online."
    )
    online_label: str = Field(description="The online service in words, for display.")
    time_limit: float = Field(description="Legal time limit, in `time_limit_unit`.")
    time_limit_unit: str = Field(description="`working_days` or `working_hours`.")
    time_limit_text: str = Field(description="The limit in words, e.g. `1 ngày làm việc …`.")
    url: str = Field(description="Path of the procedure's public page.")


class PortalPageOut(Schema):
    count: int = Field(description="Procedures matching, over all pages.")
    page: int
    page_size: int
    pages: int
    query: str = Field(description="The words actually searched (cut when too long).")
    truncated: bool = Field(description="Whether the query was cut to the longest read.")
    approximate: bool = Field(
        description="No procedure matched every word: these match at least half of them."
    )
    items: list[PortalProcedureOut] = Field(description="Best match first (by name without q).")


class PortalPaperOut(Schema):
    name: str
    copies: int
    form: str = Field(description="`original`, `certified_copy` or `photocopy`.")
    form_label: str
    template_name: str
    template_url: str = Field(description="Path of the form template to download, or empty.")
    is_optional: bool


class PortalFeeOut(Schema):
    name: str
    description: str = Field(description="The fee in words, amounts in đồng.")
    note: str


class PortalDeskOut(Schema):
    agency_code: str = Field(description="Electronic identifier code of the agency.")
    agency_name: str
    level: str
    desk_name: str = Field(description="Its one-stop desk (Bộ phận Một cửa), where to submit.")
    address: str
    phone: str


class PortalProcedureDetailOut(PortalProcedureOut):
    fee_total: int = Field(description="Fees and charges in đồng for the usual case.")
    fee_total_text: str = Field(description="The same formatted, e.g. `200.000 đ`.")
    fees: list[PortalFeeOut]
    papers: list[PortalPaperOut]
    result_type: str
    legal_basis: str
    agencies: list[PortalDeskOut]
    submit_url: str = Field(description="Path to submit online (levels 3-4), else empty.")


class SmsIn(Schema):
    from_: str = Field(
        alias="from", min_length=3, max_length=32, description="Sender number, e.g. `+84912…`."
    )
    text: str = Field(max_length=1000, description="The message, e.g. `HS 000.00.31.H33-…`.")


class SmsOut(Schema):
    reply: str = Field(description="Text to send back: no personal data.")
    outcome: str = Field(description="`found`, `not_found`, `throttled` or `help`.")


# --- helpers ---------------------------------------------------------------------------


class BadQuery(Exception):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.error = ErrorOut(code="invalid", message=message, field=field)


def _whole(raw: str | None, name: str, low: int, high: int, default: int) -> int:
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise BadQuery(
            gettext("%(field)s must be a whole number from %(low)s to %(high)s.")
            % {"field": name, "low": low, "high": high},
            name,
        )
    return value


def _summary(version: ProcedureVersion, time_limit_text: str) -> dict[str, Any]:
    code = version.procedure.national_code
    return {
        "national_code": code,
        "name": version.name,
        "field": {"code": version.field.code, "name": version.field.name},
        "levels": list(version.levels),
        "level_groups": level_groups_of(version.levels),
        "online_level": version.online_level,
        "online_service": online_vocabulary(version.online_level),
        "online_label": online_service_label(version.online_level),
        "time_limit": float(version.time_limit),
        "time_limit_unit": version.time_limit_unit,
        "time_limit_text": time_limit_text,
        "url": reverse("portal:procedure", args=[code]),
    }


# --- endpoints -------------------------------------------------------------------------


@router.get(
    "/procedures",
    response={200: PortalPageOut, 400: ErrorOut},
    summary="Search the procedures in force",
    description="Search words are matched without regard to diacritics or case, with "
    "typos tolerated; a national code (e.g. `1.001193`) finds its procedure. Best match "
    "first; without `q`, every procedure within the filters by name.",
    operation_id="portal_search_procedures",
)
def search_procedures(
    request: HttpRequest,
    q: QueryEx[str | None, P(description="Words of the name or a national code.")] = None,
    field: QueryEx[str | None, P(description="Code of a field, e.g. `ho-tich`.")] = None,
    agency: QueryEx[
        str | None, P(description="Identifier code of an agency, e.g. `000.00.31.H33`.")
    ] = None,
    level: QueryEx[
        str | None,
        P(description="`province`, `district`, `commune`, or an exact agency level."),
    ] = None,
    page: QueryEx[str | None, P(description="Page number, from 1.")] = None,
    page_size: QueryEx[
        str | None, P(description=f"Items per page, 1 to {MAX_PAGE_SIZE} (default 20).")
    ] = None,
) -> Status[Any]:
    filters: dict[str, Any] = {}
    try:
        number = _whole(page, "page", 1, 1_000_000, 1)
        size = _whole(page_size, "page_size", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
        if field and field.strip():
            field_id = (
                ProcedureField.objects.filter(code=field.strip())
                .values_list("pk", flat=True)
                .first()
            )
            if field_id is None:
                raise BadQuery(gettext("No field has this code."), "field")
            filters["field_id"] = field_id
        if agency and agency.strip():
            unit_id = Unit.objects.filter(code=agency.strip()).values_list("pk", flat=True).first()
            if unit_id is None:
                raise BadQuery(gettext("No agency has this code."), "agency")
            filters["agency_id"] = unit_id
        if level and level.strip():
            value = level.strip()
            if value in LEVEL_GROUPS:
                filters["levels"] = LEVEL_GROUPS[value]
            elif value in AGENCY_LEVELS:
                filters["levels"] = frozenset({value})
            else:
                raise BadQuery(
                    gettext("level must be one of: %(levels)s.")
                    % {"levels": ", ".join([*LEVEL_GROUPS, *AGENCY_LEVELS])},
                    "level",
                )
    except BadQuery as exc:
        return Status(400, exc.error)
    result = get_index().search(q or "", **filters)
    start = (number - 1) * size
    rows = rows_for(result.hits[start : start + size])
    return Status(
        200,
        {
            "count": len(result.hits),
            "page": number,
            "page_size": size,
            "pages": max(1, math.ceil(len(result.hits) / size)),
            "query": result.query,
            "truncated": result.truncated,
            "approximate": result.approximate,
            "items": [_summary(row.version, row.time_limit) for row in rows],
        },
    )


@router.get(
    "/procedures/{national_code}",
    response={200: PortalProcedureDetailOut, 404: ErrorOut},
    summary="One procedure in force, with papers, fees and where to submit",
    operation_id="portal_procedure",
)
def procedure_detail(request: HttpRequest, national_code: str) -> Status[Any]:
    found = procedure_page(national_code)
    if found is None:
        return Status(
            404,
            ErrorOut(
                code="not_found",
                message=gettext("No procedure in force with the code %(code)s.")
                % {"code": national_code[:40]},
                field="national_code",
            ),
        )
    version = found.version
    body = _summary(version, found.time_limit)
    body.update(
        {
            "fee_total": found.fee_total,
            "fee_total_text": found.fee_total_text,
            "fees": [
                {"name": fee.name, "description": fee.text, "note": fee.note} for fee in found.fees
            ],
            "papers": [
                {
                    "name": row.paper.name,
                    "copies": row.paper.copies,
                    "form": row.paper.form,
                    "form_label": row.form_label,
                    "template_name": row.paper.template_name,
                    "template_url": row.template_url,
                    "is_optional": row.paper.is_optional,
                }
                for row in found.papers
            ],
            "result_type": version.result_type,
            "legal_basis": version.legal_basis,
            "agencies": [
                {
                    "agency_code": desk.agency.code,
                    "agency_name": desk.agency.name,
                    "level": desk.agency.level,
                    "desk_name": desk.desk_name,
                    "address": desk.address,
                    "phone": desk.phone,
                }
                for desk in found.desks
            ],
            "submit_url": found.submit_url,
        }
    )
    return Status(200, body)


@router.get(
    "/fields",
    response=list[PortalFieldOut],
    summary="Fields with procedures in force",
    operation_id="portal_fields",
)
def list_fields(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"code": item.code, "name": item.name, "count": count} for item, count in field_counts()
    ]


class GatewayRefused(Exception):
    """The caller is not the SMS gateway: ``status`` 401 (token missing or wrong) or
    403 (no token configured outside the demo: the endpoint is closed)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _gateway(request: HttpRequest) -> str:
    """Who the gateway is (its token's fingerprint, for its guess counters), or
    :class:`GatewayRefused`. The token is compared in constant time."""
    token = str(settings.EGOV_PORTAL_SMS_TOKEN or "")
    if not token:
        if settings.EGOV_DEMO:
            return "demo"
        raise GatewayRefused(
            403,
            "gateway_not_configured",
            gettext("The SMS lookup is closed: the gateway's token is not configured."),
        )
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise GatewayRefused(
            401, "unauthenticated", gettext("The SMS gateway's token is missing or wrong.")
        )
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@router.post(
    "/sms",
    response={200: SmsOut, 401: ErrorOut, 403: ErrorOut},
    summary="Reply to an SMS received by the gateway (dossier lookup)",
    description='Body `{"from": "+849…", "text": "HS <dossier code>"}` (also '
    "`TRACUU <code>`, any case, with or without diacritics). Answers the SMS text to send "
    "back: the dossier's status and appointment date, never personal data; help for any "
    "other text. The gateway must send `Authorization: Bearer <EGOV_PORTAL_SMS_TOKEN>` "
    "(401 `unauthenticated` otherwise; 403 `gateway_not_configured` while no token is "
    "set, except in the demo). Lookups are rate-limited per sender number like the "
    "public lookup, and per gateway over all its sender numbers.",
    operation_id="portal_sms",
)
def sms_reply(request: HttpRequest, payload: SmsIn) -> Status[Any]:
    try:
        gateway = _gateway(request)
    except GatewayRefused as refused:
        return Status(
            refused.status, ErrorOut(code=refused.code, message=refused.message, field=None)
        )
    found = sms.answer(payload.from_, payload.text, gateway=gateway)
    return Status(200, {"reply": found.reply, "outcome": found.outcome})
