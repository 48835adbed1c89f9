"""JSON API of the applicant's own space, mounted at ``/api/v1/me``.

Authentication: the Django session of a citizen or business account (with the
second factor when the account has one); ``csrf=True``, so a browser script sends
``X-CSRFToken`` on unsafe methods. Staff sessions and anonymous requests get 401.
Someone else's dossier answers 404 like a code that does not exist.

``POST /postal/callback`` is the postal service's: no session, a signature
instead (``X-Postal-Signature: sha256=<HMAC-SHA256 of the raw body>``).
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from ninja import File, Form, P, QueryEx, Router, Status
from ninja.files import UploadedFile

from egov.accounts.api_auth import applicant_auth
from egov.applicants import postal, selectors, services
from egov.applicants.models import BOOKED_STATES
from egov.applicants.schemas import (
    MeDeliveryIn,
    MeDeliveryOut,
    MeDossierDetailOut,
    MeDossierListOut,
    PostalCallbackOut,
)
from egov.core.formatting import local
from egov.core.schemas import ErrorOut
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier, DossierPaper
from egov.dossiers.models import Status as DossierStatus
from egov.dossiers.workflow import Action

router = Router(auth=applicant_auth)

ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}


def _error(status: int, code: str, message: str, field: str | None = None) -> Status[Any]:
    return Status(status, {"code": code, "message": message, "field": field})


def _summary(dossier: Dossier) -> dict[str, Any]:
    version = dossier.procedure_version
    return {
        "code": dossier.code,
        "version": dossier.version,
        "status": dossier.status,
        "status_label": str(DossierStatus(dossier.status).label),
        "needs_action": dossier.status in selectors.ACTION_STATUSES,
        "procedure": {"code": version.procedure.national_code, "name": version.name},
        "receiving_agency": {
            "code": dossier.receiving_agency.code,
            "name": dossier.receiving_agency.name,
        },
        "submitted_at": local(dossier.submitted_at),
        "received_at": local(dossier.received_at),
        "due_at": local(dossier.due_at),
    }


def _paper(dossier: Dossier, paper: DossierPaper) -> dict[str, Any]:
    url = None
    if paper.file:
        url = reverse("applicants:paper", kwargs={"code": dossier.code, "paper_id": paper.pk})
    return {
        "id": paper.pk,
        "name": paper.name,
        "copies": paper.copies,
        "is_result": paper.is_result,
        "download_url": url,
    }


def _delivery(dossier: Dossier) -> dict[str, Any]:
    choice, parcel = selectors.delivery_of(dossier)
    locked = parcel is not None and parcel.state in BOOKED_STATES
    return {
        "method": choice.method if choice else None,
        "recipient_name": choice.recipient_name if choice else "",
        "address": choice.address if choice else "",
        "phone": choice.phone if choice else "",
        "fee": choice.fee if choice else 0,
        "can_change": services.may_choose_delivery(dossier) and not locked,
        "parcel_state": parcel.state if parcel else None,
        "tracking_number": (parcel.tracking_number or None) if parcel else None,
    }


def _detail(user: Any, dossier: Dossier) -> dict[str, Any]:
    asked = (
        selectors.supplement_request(dossier)
        if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
        else None
    )
    return {
        **_summary(dossier),
        "resolved_at": local(dossier.resolved_at),
        "returned_at": local(dossier.returned_at),
        "payment_requested": dossier.payment_requested,
        "steps": [
            {
                "at": row.at,
                "step": row.label,
                "status": row.status_code,
                "status_label": row.status,
                "unit": row.unit,
                "note": row.note,
                "asked": list(row.asked),
            }
            for row in selectors.timeline(dossier)
        ],
        "papers": [_paper(dossier, p) for p in selectors.own_papers(dossier)],
        "results": [_paper(dossier, p) for p in selectors.result_papers(dossier)],
        "forms": [
            {
                "code": code,
                "title": title,
                "url": reverse("applicants:form", kwargs={"code": dossier.code, "form_code": code}),
            }
            for code, title in selectors.forms_for(dossier)
        ],
        "supplement_asked": [p.name for p in asked.papers] if asked else [],
        "may_supplement": dossier_services.may_act(user, dossier, Action.RECEIVE_SUPPLEMENT),
        "may_withdraw": dossier_services.may_act(user, dossier, Action.WITHDRAW),
        "pay_url": f"/thanh-toan/ho-so/{dossier.code}/"
        if dossier.status == DossierStatus.AWAITING_PAYMENT
        else None,
        "rate_url": f"/danh-gia/ho-so/{dossier.code}/"
        if dossier.status == DossierStatus.RETURNED
        else None,
        "delivery": _delivery(dossier),
    }


@router.get(
    "/dossiers",
    response={200: MeDossierListOut, 401: ErrorOut},
    url_name="me-dossiers",
    summary="My dossiers",
)
def list_my_dossiers(
    request: HttpRequest,
    status: QueryEx[int | None, P(ge=1, le=10, description="Status code 1–10.")] = None,
    limit: QueryEx[int, P(ge=1, le=100, description="Rows per page.")] = 20,
    offset: QueryEx[int, P(ge=0, description="Rows to skip.")] = 0,
) -> Status[Any]:
    """The signed-in applicant's dossiers, newest first."""
    qs = selectors.my_dossiers(request.user, status=status)
    return Status(
        200,
        {"count": qs.count(), "items": [_summary(d) for d in qs[offset : offset + limit]]},
    )


@router.get(
    "/dossiers/{code}",
    response={200: MeDossierDetailOut, **ERRORS},
    url_name="me-dossier",
    summary="One of my dossiers",
)
def get_my_dossier(request: HttpRequest, code: str) -> Status[Any]:
    dossier = selectors.my_dossier(request.user, code)
    return Status(200, _detail(request.user, dossier))


@router.post(
    "/dossiers/{code}/supplement",
    response={200: MeDossierDetailOut, **ERRORS, 409: ErrorOut, 422: ErrorOut},
    url_name="me-dossier-supplement",
    summary="Answer a request to supplement the dossier",
)
def answer_supplement(
    request: HttpRequest,
    code: str,
    version: Form[int],
    files: File[list[UploadedFile]],
    names: Form[list[str]] | None = None,
    note: Form[str] = "",
) -> Status[Any]:
    """Multipart: `version` (the dossier version you read), one or more `files`
    (PDF, JPEG or PNG, checked by content) and, for each file in the same order,
    a `names` entry: the paper it is (default: the papers asked for, in order).
    409 `stale` when the dossier changed meanwhile."""
    dossier = selectors.my_dossier(request.user, code)
    asked = selectors.supplement_request(dossier).papers
    given_names = list(names or [])
    uploads = []
    for index, upload in enumerate(files):
        name = given_names[index].strip() if index < len(given_names) else ""
        match = next((p for p in asked if p.name == name), None)
        if match is None and not name and index < len(asked):
            match = asked[index]
        uploads.append(
            services.SupplementUpload(
                name=match.name if match else (name or upload.name or "giấy tờ"),
                file=upload,
                field=f"files[{index}]",
                required_paper=match.required_paper if match else None,
                copies=match.copies if match else 1,
                form=match.form if match else "",
            )
        )
    try:
        services.answer_supplement(
            request.user, dossier, expected_version=version, uploads=uploads, note=note
        )
    except PermissionDenied:
        # Not 403: whether a dossier exists is not told to those who may not see it.
        return _error(404, "not_found", gettext("Not found."))
    return Status(200, _detail(request.user, selectors.my_dossier(request.user, code)))


@router.get(
    "/dossiers/{code}/delivery",
    response={200: MeDeliveryOut, **ERRORS},
    url_name="me-dossier-delivery",
    summary="How I receive the result",
)
def get_delivery(request: HttpRequest, code: str) -> Status[Any]:
    return Status(200, _delivery(selectors.my_dossier(request.user, code)))


@router.put(
    "/dossiers/{code}/delivery",
    response={200: MeDeliveryOut, **ERRORS, 422: ErrorOut},
    url_name="me-dossier-delivery-set",
    summary="Choose how to receive the result",
)
def set_delivery(request: HttpRequest, code: str, payload: MeDeliveryIn) -> Status[Any]:
    """At the one-stop desk, or by public post (fee shown) to an address; allowed
    while the result is prepared or ready, until the parcel is booked."""
    dossier = selectors.my_dossier(request.user, code)
    services.choose_delivery(
        request.user,
        dossier,
        method=payload.method,
        recipient_name=payload.recipient_name,
        address=payload.address,
        phone=payload.phone,
    )
    return Status(200, _delivery(dossier))


@router.post(
    "/postal/callback",
    auth=None,
    response={200: PostalCallbackOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    url_name="me-postal-callback",
    summary="Delivery status from the postal service (signed)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["event_id", "tracking_number", "status"],
                        "properties": {
                            "event_id": {"type": "string"},
                            "tracking_number": {"type": "string"},
                            "status": {
                                "type": "string",
                                "enum": list(postal.CALLBACK_STATUSES),
                            },
                            "reason": {"type": "string"},
                            "at": {"type": "string", "format": "date-time"},
                        },
                    }
                }
            },
        }
    },
)
def postal_callback(request: HttpRequest) -> Status[Any]:
    """Header `X-Postal-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with
    the shared secret. The same `event_id` twice is recorded once (`recorded`
    false the second time). `delivered` records the result as returned."""
    result = services.record_postal_event(
        request.body, request.headers.get(postal.SIGNATURE_HEADER)
    )
    return Status(200, {"recorded": not result.duplicate, "state": result.parcel.state})
