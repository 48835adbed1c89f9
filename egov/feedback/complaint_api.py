"""JSON API of the complaint channel (``/api/v1/feedback/complaints``).

Public, no sign-in needed (a signed-in session is used as the sender). Sending is
rate-limited per client address and idempotent with an ``Idempotency-Key``
header: the same key from the same sender returns the first complaint (200)
instead of recording a second (201). Refusals answer with the platform's JSON
error body (``code``, ``message``, ``field``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.utils import check_csrf

from egov.core.middleware import client_ip
from egov.core.schemas import ErrorOut
from egov.feedback import complaint_selectors, complaints, selectors
from egov.feedback.antispam import ComplaintThrottle
from egov.feedback.complaint_models import ComplaintAbout, SenderKind
from egov.feedback.errors import InvalidFeedback, TooMany
from egov.procedures.models import Procedure

router = Router()

PAGE_SIZE = 20


class ComplaintIn(Schema):
    about: str = Field(description="`procedure`, `dossier` or `official`.")
    title: str = Field(max_length=255)
    body: str = Field(max_length=5000)
    name: str = Field("", max_length=255, description="Required without a session.")
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20, description="An e-mail or a phone is required.")
    address: str = Field("", max_length=500)
    sender_kind: str = Field(SenderKind.CITIZEN, description="`citizen` or `business`.")
    procedure_code: str = Field("", max_length=30, description="National code (about=procedure).")
    agency_code: str = Field("", max_length=40, description="Identifier code of the agency.")
    dossier_code: str = Field("", max_length=40, description="About a dossier: its code…")
    dossier_id_number: str = Field(
        "", max_length=14, description="…and its applicant's ID number or tax code."
    )
    official_name: str = Field("", max_length=255)
    may_publish: bool = True


class SentOut(Schema):
    code: str
    token: str = Field(
        description="The sender's follow-up key, given once (empty on a repeated request)."
    )
    status: str
    agency: str = Field(description="Identifier code of the agency handling it.")
    answer_due_at: dt.datetime


class PublishedOut(Schema):
    code: str
    title: str = Field(description="Empty when the sender asked not to publish their words.")
    body: str
    agency: str
    agency_name: str
    procedure_code: str | None
    answer: str
    published_at: dt.datetime
    likes: int
    dislikes: int


class PublishedPage(Schema):
    count: int
    page: int
    items: list[PublishedOut]


@router.post(
    "",
    response={200: SentOut, 201: SentOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Send feedback (phản ánh, kiến nghị)",
    description="About a procedure (`procedure_code`, `agency_code` when several agencies "
    "carry it out), a dossier (`dossier_code` with the applicant's `dossier_id_number`, "
    "or a session of the dossier's applicant) or an official/agency (`agency_code`). "
    "Routed to the responsible agency; the answer is due within 15 working days.",
    operation_id="feedback_complaint_send",
)
def send(request: HttpRequest, payload: ComplaintIn) -> Status[Any]:
    # The session names the sender (and proves a dossier is theirs) only on a request
    # that passes the CSRF check: another site cannot send in a visitor's name.
    signed_in = request.user.is_authenticated and check_csrf(request) is None
    throttle = ComplaintThrottle(client_ip(request), signed_in=signed_in)
    if throttle.retry_after() is not None:
        raise TooMany(_("Too many messages came from your network. Try again later."))
    throttle.count()
    procedure = None
    if payload.procedure_code.strip():
        procedure = Procedure.objects.filter(national_code=payload.procedure_code.strip()).first()
        if procedure is None:
            raise InvalidFeedback(_("No procedure has this code."), "procedure_code")
    agency = None
    if payload.agency_code.strip():
        agency = (
            selectors.rating_agencies().filter(code=payload.agency_code.strip().upper()).first()
        )
        if agency is None:
            raise InvalidFeedback(_("No such agency."), "agency_code")
    if payload.about not in ComplaintAbout.values:
        raise InvalidFeedback(_("Choose what your feedback is about."), "about")
    sent = complaints.send_complaint(
        request.user if signed_in else None,
        complaints.ComplaintIn(
            about=payload.about,
            title=payload.title,
            body=payload.body,
            name=payload.name,
            email=payload.email,
            phone=payload.phone,
            address=payload.address,
            sender_kind=payload.sender_kind,
            procedure=procedure,
            agency=agency,
            dossier_code=payload.dossier_code,
            dossier_id_number=payload.dossier_id_number,
            official_name=payload.official_name,
            may_publish=payload.may_publish,
            idempotency_key=(request.headers.get("Idempotency-Key") or "")[:255],
        ),
    )
    c = sent.complaint
    return Status(
        201 if sent.created else 200,
        SentOut(
            code=c.code,
            token=sent.token,
            status=c.status,
            agency=c.agency.code,
            answer_due_at=c.answer_due_at,
        ),
    )


@router.get(
    "/published",
    response={200: PublishedPage, 404: ErrorOut},
    summary="Published answers to feedback",
    description="Public. `q` matches every word with or without diacritics; `agency` is an "
    "agency's identifier code (with its subtree). Never the sender's name or contact.",
    operation_id="feedback_complaint_published",
)
def published(request: HttpRequest, q: str = "", agency: str = "", page: int = 1) -> Status[Any]:
    unit = None
    if agency.strip():
        unit = selectors.rating_agencies().filter(code=agency.strip().upper()).first()
        if unit is None:
            return Status(
                404, ErrorOut(code="not_found", message=_("No such agency."), field="agency")
            )
    qs = complaint_selectors.published(query=q[:200], agency=unit)
    page = min(max(1, page), 10_000)
    rows = qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return Status(
        200,
        PublishedPage(
            count=qs.count(),
            page=page,
            items=[
                PublishedOut(
                    code=c.code,
                    title=c.title if c.may_publish else "",
                    body=c.body if c.may_publish else "",
                    agency=c.agency.code,
                    agency_name=c.agency.name,
                    procedure_code=c.procedure.national_code if c.procedure else None,
                    answer=c.answer,
                    published_at=c.published_at,  # type: ignore[arg-type]
                    likes=c.likes,
                    dislikes=c.dislikes,
                )
                for c in rows
            ],
        ),
    )
