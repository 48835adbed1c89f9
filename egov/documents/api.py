"""JSON API of incoming documents (mounted at ``/api/v1/documents``), for the mobile
app of leaders and clerks: list the worklists, search, one document, register,
assign. Staff session with the second factor; unsafe methods need the CSRF token.
Refusals are the platform's one error body (``code``, ``message``, ``field``); a
likely duplicate answers 409 ``likely_duplicate`` with the ``duplicates`` found.
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from egov.accounts.api_auth import staff_auth
from egov.accounts.models import User
from egov.core.formatting import local
from egov.core.models import Unit
from egov.core.schemas import ErrorOut
from egov.core.selectors.units import get_unit_by_code
from egov.documents import selectors, services
from egov.documents.contract import IncomingMetadata
from egov.documents.models import IncomingDocument

router = Router(auth=staff_auth)
PAGE_SIZE = 50


class DocumentOut(Schema):
    uuid: str
    status: str = Field(
        description="received, registered, presented, assigned, processing, "
        "done, returned, withdrawn."
    )
    source: str = Field(description="paper, platform or exchange.")
    recipient_agency: str = Field(description="Identifier code of the receiving agency.")
    arrival_number: int | None = Field(description="Số đến (null until registered).")
    registered_at: dt.datetime | None
    received_at: dt.datetime
    issuing_agency_name: str
    number_symbol: str = Field(description="Number/symbol, e.g. `176/KH-UBND`.")
    type_code: str | None
    issued_date: dt.date | None
    subject: str = Field(description="Trích yếu.")
    urgency: str
    confidentiality: str
    due_at: dt.datetime | None
    recalled: bool
    signature_status: str = Field(
        description="Digital signatures of the PDF files, checked on arrival: none (no "
        "PDF), pending (being checked), valid, invalid, unsigned, failed (could not be "
        "checked)."
    )
    version: int = Field(description="Send it back with a change: a stale one answers 409.")


class SignatureCheckOut(Schema):
    status: str = Field(description="As `signature_status`.")
    signers: list[str] = Field(description="Who signed (name and organisation).")
    reasons: list[str] = Field(
        description="Why a signature is not valid or a file could not be checked, in the "
        "site's language (Vietnamese), prefixed with the file name when there are several."
    )
    checked_at: dt.datetime | None
    report: str = Field(description="Path of the full verification report page.")


class DocumentDetailOut(DocumentOut):
    signer_name: str
    signer_position: str
    page_amount: int | None
    document_id: str
    ocr_status: str
    ocr_text: str
    files: list[str] = Field(description="Download paths of the files (staff session).")
    answer_notation: str
    signature: SignatureCheckOut


class DocumentPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[DocumentOut]


class RegisterIn(Schema):
    version: int
    issuing_agency_name: str = Field(max_length=200)
    subject: str = Field(max_length=500)
    code_number: str = Field("", max_length=11)
    code_notation: str = Field("", max_length=30)
    type_code: str = Field("", description="Type code (`cong-van`) or abbreviation (`QĐ`).")
    issued_date: dt.date | None = None
    signer_name: str = Field("", max_length=100)
    signer_position: str = Field("", max_length=100)
    page_amount: int | None = Field(None, ge=1, le=10000)
    urgency: Literal["normal", "urgent", "very_urgent", "flash"] = "normal"
    confidentiality: Literal["normal", "confidential", "secret", "top_secret"] = "normal"
    document_id: str = Field("", max_length=200)
    due_date: dt.date | None = None
    description: str = ""
    present_to: str = Field("", description="User name of the leader (required when urgent).")
    confirm_duplicate: bool = Field(False, description="Register despite a likely duplicate.")


class AssignIn(Schema):
    version: int
    lead_unit: str = Field(description="Identifier code of the lead unit.")
    cooperating_units: list[str] = Field(default_factory=list, description="Unit codes.")
    deadline_days: int = Field(ge=1, le=365, description="Working days.")
    opinion: str = ""
    lead_person: str = Field("", description="User name of the person handling (optional).")


class DuplicateOut(Schema):
    uuid: str
    arrival_number: int | None
    number_symbol: str
    document_id: str


class DuplicateErrorOut(ErrorOut):
    duplicates: list[DuplicateOut] = Field(default_factory=list)


class NoticeOut(Schema):
    id: int
    kind: str = Field(
        description="arrived, assigned, recalled, due_soon, overdue, returned, to_approve "
        "(an outgoing draft waits for your approval), sent_back."
    )
    kind_label: str = Field(description="The kind in the person's language.")
    text: str
    url: str = Field(description="Site-relative page of the document it is about.")
    document_uuid: str | None = Field(description="The incoming document, or null.")
    created_at: dt.datetime
    read_at: dt.datetime | None


class NoticePageOut(Schema):
    count: int
    unread: int = Field(description="Unread notices of the person in all.")
    page: int
    pages: int
    results: list[NoticeOut]


class NoticesReadIn(Schema):
    ids: list[int] | None = Field(
        None,
        max_length=500,
        description="The notices to mark read; absent or null: all unread notices. "
        "Ids of other people's notices are ignored.",
    )


class NoticesReadOut(Schema):
    marked: int
    unread: int


def _notice(notice: Any) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "kind_label": str(notice.get_kind_display()),
        "text": notice.text,
        "url": notice.link,
        "document_uuid": str(notice.document.uuid) if notice.document else None,
        "created_at": local(notice.created_at),
        "read_at": local(notice.read_at) if notice.read_at else None,
    }


def _out(document: IncomingDocument) -> dict[str, Any]:
    return {
        "uuid": str(document.uuid),
        "status": document.status,
        "source": document.source,
        "recipient_agency": document.recipient_agency.code,
        "arrival_number": document.arrival_number,
        "registered_at": local(document.registered_at) if document.registered_at else None,
        "received_at": local(document.received_at),
        "issuing_agency_name": document.issuing_agency_name,
        "number_symbol": document.number_symbol,
        "type_code": document.doc_type.code if document.doc_type else None,
        "issued_date": document.issued_date,
        "subject": document.subject,
        "urgency": document.urgency,
        "confidentiality": document.confidentiality,
        "due_at": local(document.due_at) if document.due_at else None,
        "recalled": document.recalled_at is not None,
        "signature_status": document.signature_status,
        "version": document.version,
    }


def _detail(document: IncomingDocument) -> dict[str, Any]:
    from django.urls import reverse

    return {
        **_out(document),
        "signer_name": document.signer_name,
        "signer_position": document.signer_position,
        "page_amount": document.page_amount,
        "document_id": document.document_id,
        "ocr_status": document.ocr_status,
        "ocr_text": document.ocr_text,
        "files": [
            reverse("documents:download", args=[document.uuid, f.pk]) for f in document.files.all()
        ],
        "answer_notation": document.answer_notation,
        "signature": {
            "status": document.signature_status,
            "signers": [n for n in document.signature_signers.split("; ") if n],
            "reasons": list(document.signature_reasons or []),
            "checked_at": (
                local(document.signature_checked_at) if document.signature_checked_at else None
            ),
            "report": reverse("documents:signatures", args=[document.uuid]),
        },
    }


def _page(qs: Any, page: int) -> dict[str, Any]:
    paginator = Paginator(qs, PAGE_SIZE)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [_out(d) for d in current.object_list],
    }


def _person(username: str, field: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({field: _("No active account “%(name)s”.") % {"name": username}})
    return user


def _unit(code: str, field: str) -> Unit:
    unit = get_unit_by_code(code)
    if unit is None:
        raise ValidationError({field: _("No unit with the code “%(code)s”.") % {"code": code}})
    return unit


def _document(request: HttpRequest, ref: str) -> IncomingDocument:
    try:
        return selectors.detail(request.user, ref)
    except (ValueError, ValidationError):
        raise Http404 from None


@router.get(
    "/incoming",
    response={200: DocumentPageOut},
    summary="Incoming worklists",
    description="`worklist=queue`: unregistered documents of the clerk's agencies (oldest first); "
    "`direct`: registered documents waiting for the leader's direction (urgent first); "
    "`mine`: documents assigned to the person or to a unit they head.",
    operation_id="documents_incoming_list",
)
def incoming_list(
    request: HttpRequest, worklist: Literal["queue", "direct", "mine"] = "mine", page: int = 1
) -> Any:
    user = request.user
    qs = {
        "queue": selectors.queue_for,
        "direct": selectors.to_direct,
        "mine": selectors.assigned_to,
    }[worklist](user)
    return _page(qs, page)


@router.get(
    "/incoming/search",
    response={200: DocumentPageOut},
    summary="Search incoming documents",
    description="Full text over the metadata and the text recognised in scans, diacritics "
    "ignored (`cong van` finds `công văn`); only documents the person may see.",
    operation_id="documents_incoming_search",
)
def incoming_search(request: HttpRequest, q: str, page: int = 1) -> Any:
    return _page(selectors.search(request.user, q[:200]), page)


@router.get(
    "/incoming/{ref}",
    response={200: DocumentDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="One incoming document",
    description="Its metadata, status and recognised text. The read is written to the audit log.",
    operation_id="documents_incoming_get",
)
def incoming_get(request: HttpRequest, ref: str) -> Any:
    from django.db import transaction

    from egov.core import audit

    document = _document(request, ref)
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action="documents.view",
            obj=document,
            unit=document.recipient_agency,
            changes={"via": "api"},
        )
    return _detail(document)


@router.post(
    "/incoming/{ref}/register",
    response={
        200: DocumentDetailOut,
        403: ErrorOut,
        404: ErrorOut,
        409: DuplicateErrorOut,
        422: ErrorOut,
    },
    summary="Register an incoming document",
    description="Enters it in the agency's incoming register with the next incoming number "
    "(records clerk). A likely duplicate (same number + symbol + issuing body, or the same "
    "document id) answers 409 `likely_duplicate` until `confirm_duplicate` is true; a "
    "stale `version` answers 409 `stale`.",
    operation_id="documents_incoming_register",
)
def incoming_register(request: HttpRequest, ref: str, body: RegisterIn) -> Any:
    document = _document(request, ref)
    metadata = IncomingMetadata(
        issuing_agency_name=body.issuing_agency_name,
        subject=body.subject,
        code_number=body.code_number,
        code_notation=body.code_notation,
        type_code=body.type_code,
        issued_date=body.issued_date,
        signer_name=body.signer_name,
        signer_position=body.signer_position,
        page_amount=body.page_amount,
        urgency=body.urgency,
        confidentiality=body.confidentiality,
        document_id=body.document_id,
        due_date=body.due_date,
        description=body.description,
    )
    document = services.register(
        document,
        actor=request.user,
        metadata=metadata,
        confirm_duplicate=body.confirm_duplicate,
        present_to=_person(body.present_to, "present_to"),
        expected_version=body.version,
    )
    return _detail(document)


@router.post(
    "/incoming/{ref}/assign",
    response={200: DocumentDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Assign with the processing sheet",
    description="The leader's processing sheet: lead unit (and optionally its person), "
    "cooperating units, deadline in working days, opinion.",
    operation_id="documents_incoming_assign",
)
def incoming_assign(request: HttpRequest, ref: str, body: AssignIn) -> Any:
    document = _document(request, ref)
    document = services.assign(
        document,
        actor=request.user,
        lead_unit=_unit(body.lead_unit, "lead_unit"),
        cooperating_units=[_unit(code, "cooperating_units") for code in body.cooperating_units],
        deadline_days=body.deadline_days,
        opinion=body.opinion,
        lead_person=_person(body.lead_person, "lead_person"),
        expected_version=body.version,
    )
    return _detail(document)


@router.get(
    "/notices",
    response={200: NoticePageOut},
    summary="My notices",
    description="The person's notices about documents, newest first: incoming documents "
    "that arrived, were assigned, recalled, are due soon or overdue, and outgoing drafts "
    "waiting for their approval or sent back. `unread=false` includes those already read.",
    operation_id="documents_notices_list",
)
def notices_list(request: HttpRequest, unread: bool = True, page: int = 1) -> Any:
    qs = selectors.notices_for(request.user, unread_only=unread)
    paginator = Paginator(qs, PAGE_SIZE)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "unread": selectors.unread_notice_count(request.user) or 0,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [_notice(n) for n in current.object_list],
    }


@router.post(
    "/notices/read",
    response={200: NoticesReadOut, 422: ErrorOut},
    summary="Mark my notices read",
    description="Marks the given notices (or all unread ones) of the person read.",
    operation_id="documents_notices_read",
)
def notices_read(request: HttpRequest, body: NoticesReadIn) -> Any:
    marked = services.mark_notices_read(request.user, body.ids)
    return {"marked": marked, "unread": selectors.unread_notice_count(request.user) or 0}
