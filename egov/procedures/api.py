"""Public, read-only JSON API of the procedure catalogue: the versions in force.

Query parameters are read as text and checked here, so that every bad value
answers 400 with :class:`~egov.core.schemas.ErrorOut` naming the parameter.
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

import math
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import P, QueryEx, Router, Status

from egov.core.models import Unit
from egov.core.schemas import ErrorOut
from egov.procedures import fees as fee_rules
from egov.procedures.models import ProcedureVersion, VersionStatus
from egov.procedures.schemas import CatalogueProcedureOut, ProcedurePageOut
from egov.procedures.selectors import (
    AGENCY_LEVELS,
    catalogue,
    fee_for,
    online_vocabulary,
    time_limit_hours,
)

router = Router()

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class BadQuery(Exception):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.error = ErrorOut(code="invalid", message=message, field=field)


def _whole(raw: str | None, field: str, low: int, high: int, default: int | None) -> int | None:
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise BadQuery(
            gettext("%(field)s must be a whole number from %(low)s to %(high)s.")
            % {"field": field, "low": low, "high": high},
            field,
        )
    return value


def _summary(version: ProcedureVersion) -> dict[str, Any]:
    return {
        "national_code": version.procedure.national_code,
        "name": version.name,
        "name_en": version.name_en,
        "field": {
            "code": version.field.code,
            "name": version.field.name,
            "name_en": version.field.name_en,
        },
        "levels": list(version.levels),
        "online_level": version.online_level,
        "online_service": online_vocabulary(version.online_level),
        "time_limit": float(version.time_limit),
        "time_limit_unit": version.time_limit_unit,
        "time_limit_hours": float(time_limit_hours(version)),
        "fee_total": fee_for(version),
        "version": version.number,
        "published_at": version.published_at,
    }


@router.get(
    "",
    response={200: ProcedurePageOut, 400: ErrorOut},
    url_name="procedures-list",
    summary="Search the procedures in force",
)
def list_procedures(
    request: HttpRequest,
    q: QueryEx[
        str | None,
        P(description="Words of the name or the code; diacritics and case are ignored."),
    ] = None,
    field: QueryEx[str | None, P(description="Code of a field, e.g. `ho-tich`.")] = None,
    level: QueryEx[str | None, P(description=f"Agency level: {', '.join(AGENCY_LEVELS)}.")] = None,
    online_level: QueryEx[str | None, P(description="Online service level, 1 to 4.")] = None,
    page: QueryEx[str | None, P(description="Page number, from 1.")] = None,
    page_size: QueryEx[
        str | None, P(description=f"Items per page, 1 to {MAX_PAGE_SIZE} (default 20).")
    ] = None,
) -> Status[Any]:
    """Published versions only, ordered by national code."""
    try:
        number = _whole(page, "page", 1, 1_000_000, 1) or 1
        size = _whole(page_size, "page_size", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE) or 1
        online = _whole(online_level, "online_level", 1, 4, None)
        if level and level.strip() and level.strip() not in AGENCY_LEVELS:
            raise BadQuery(
                gettext("level must be one of: %(levels)s.") % {"levels": ", ".join(AGENCY_LEVELS)},
                "level",
            )
    except BadQuery as exc:
        return Status(400, exc.error)
    versions = catalogue(
        q=q or "",
        field=(field or "").strip() or None,
        level=(level or "").strip(),
        online_level=online,
        published_only=True,
    )
    count = versions.count()
    start = (number - 1) * size
    items = [_summary(version) for version in versions[start : start + size]]
    return Status(
        200,
        {
            "count": count,
            "page": number,
            "page_size": size,
            "pages": max(1, math.ceil(count / size)),
            "items": items,
        },
    )


@router.get(
    "/{national_code}",
    response={200: CatalogueProcedureOut, 404: ErrorOut},
    url_name="procedures-detail",
    summary="One procedure in force, with papers, fees and agencies",
)
def get_procedure(
    request: HttpRequest,
    national_code: str,
) -> Status[Any]:
    """The version in force of the procedure with this national code."""
    version = (
        ProcedureVersion.objects.filter(
            procedure__national_code=national_code.strip(), status=VersionStatus.PUBLISHED
        )
        .select_related("procedure", "field")
        .prefetch_related(
            "papers",
            Prefetch(
                "agencies",
                queryset=Unit.objects.filter(dissolved_at__isnull=True)
                .only("code", "name", "name_en", "level", "path")
                .order_by("path"),
            ),
        )
        .first()
    )
    if version is None:
        return Status(
            404,
            ErrorOut(
                code="not_found",
                message=gettext("No procedure in force with the code %(code)s.")
                % {"code": national_code},
                field="national_code",
            ),
        )
    body = _summary(version)
    body.update(
        {
            "papers": [
                {
                    "position": paper.position,
                    "name": paper.name,
                    "name_en": paper.name_en,
                    "copies": paper.copies,
                    "form": paper.form,
                    "form_label": str(paper.get_form_display()),
                    "template_name": paper.template_name,
                    "is_optional": paper.is_optional,
                    "is_declaration": paper.is_declaration,
                }
                for paper in version.papers.all()
            ],
            "fees": [
                {
                    "name": item["name"],
                    "amount": item.get("amount"),
                    "rule": item.get("rule"),
                    "note": item.get("note", ""),
                    "description": fee_rules.describe(item),
                }
                for item in version.fees or []
            ],
            "fee_inputs": [
                {
                    "name": item.name,
                    "unit": item.unit,
                    "default": item.default,
                    "choices": item.choices,
                }
                for item in fee_rules.fee_inputs(version.fees or [])
            ],
            "result_type": version.result_type,
            "legal_basis": version.legal_basis,
            "agencies": [
                {
                    "code": unit.code,
                    "name": unit.name,
                    "name_en": unit.name_en,
                    "level": unit.level,
                }
                for unit in version.agencies.all()
            ],
        }
    )
    return Status(200, body)
