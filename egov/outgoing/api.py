"""Staff JSON API of outgoing documents, mounted at ``/api/v1/outgoing``: list,
draft, submit, approve, return, issue (with dispatch) and recall — the acts a
leader's phone app needs. Same authentication as the staff pages (a staff session
that passed the second factor; CSRF token on unsafe methods). Each act takes the
``expected_version`` the caller read and answers 409 ``stale`` if someone acted
since; refusals answer with the API's one error body."""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from egov.accounts.api_auth import staff_auth
from egov.core.models import Unit
from egov.core.schemas import ErrorOut
from egov.outgoing import access, selectors, services
from egov.outgoing.chains import current_step
from egov.outgoing.models import OutgoingDocument

router = Router(auth=staff_auth)
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class UnitOut(Schema):
    code: str
    name: str


class StepOut(Schema):
    position: int
    name: str


class RecipientOut(Schema):
    name: str
    kind: str = Field(description="`platform` or `outside`.")
    delivery: str = Field(
        description="not_sent, delivered, waiting_exchange (outside recipients until the "
        "document exchange exists), paper_only (confidential), failed, withdrawn, "
        "recalled_registered."
    )
    status: str = Field(
        description="At the recipient: received, registered, assigned, "
        "processing, done, returned; empty if not on the platform."
    )
    at: datetime | None


class DocumentOut(Schema):
    reference: UUID
    version: int = Field(description="Send it back as `expected_version` to act.")
    status: str
    status_label: str
    type_code: str
    type_name: str
    subject: str
    agency: UnitOut
    drafting_unit: UnitOut
    author: str
    number_and_symbol: str = Field(description="e.g. `12/QĐ-UBND`; empty before issue.")
    issued_at: datetime | None
    digitally_signed: bool
    number_reserved: bool = Field(
        description="A number is kept for the document while it is not issued yet (its "
        "signing failed or is under way): the next issue uses the same number."
    )
    dossier_code: str = Field(description="The one-stop dossier it was drafted for, or ''.")
    dossier_purpose: str = Field(description="`result`, `consultation`, `apology` or ''.")
    dossier_outcome: str = Field(description="What issuing it did to the dossier.")
    approved_by: str = Field(description="Who approved it for signing (empty before).")
    current_step: StepOut | None
    urgency: str
    confidentiality: str
    recall_reason: str


class DocumentDetailOut(DocumentOut):
    body: str
    recipients: list[RecipientOut]


class RecipientIn(Schema):
    agency_code: str = Field("", description="Identifier code of an agency on the platform.")
    name: str = Field("", description="Name of a recipient outside the platform.")
    organ_id: str = ""


class DraftCreateIn(Schema):
    drafting_unit_code: str
    type_code: str = Field(description="A Decree 30 type code, e.g. `quyet-dinh`, `cong-van`.")
    subject: str
    body: str = ""
    place: str = ""
    urgency: Literal["normal", "urgent", "very_urgent", "flash"] = "normal"
    confidentiality: Literal["normal", "confidential", "secret", "top_secret"] = "normal"
    authority: Literal["", "TM.", "KT.", "Q.", "TL.", "TUQ."] = ""
    authority_of: str = ""
    signer_position: str
    signer_name: str
    copies_to: str = ""
    recipients: list[RecipientIn] = []


class ActIn(Schema):
    expected_version: int
    note: str = ""


class IssueIn(Schema):
    expected_version: int


class FromDossierIn(Schema):
    purpose: Literal["result", "consultation", "apology"] = Field(
        description="`result`: the decision that is the dossier's result; "
        "`consultation`: a letter asking another agency (liên thông); `apology`: the "
        "apology letter with a new appointment (form 04), only while the dossier is "
        "overdue or due within a working day."
    )
    reason: str = Field("", max_length=2000, description="`apology`: the reason for the delay.")
    new_due_at: datetime | None = Field(
        None, description="`apology`: the new appointment (with time zone)."
    )


class RecallIn(Schema):
    expected_version: int
    reason: str


class RecallOut(Schema):
    document: DocumentOut
    withdrawn: list[str]
    registered: list[str] = Field(
        description="Recipients that had registered it: kept there, marked recalled."
    )


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else timezone.localtime(moment)


def _summary(document: OutgoingDocument) -> dict[str, Any]:
    step = current_step(document)
    return {
        "reference": document.reference,
        "version": document.lock_version,
        "status": document.status,
        "status_label": document.get_status_display(),
        "type_code": document.type_code,
        "type_name": document.type_name,
        "subject": document.subject,
        "agency": {"code": document.agency.code, "name": document.agency.name},
        "drafting_unit": {
            "code": document.drafting_unit.code,
            "name": document.drafting_unit.name,
        },
        "author": str(document.author),
        "number_and_symbol": document.number_and_symbol,
        "issued_at": _local(document.issued_at),
        "digitally_signed": document.digitally_signed,
        "number_reserved": document.number is not None and document.issued_at is None,
        "dossier_code": document.dossier_code,
        "dossier_purpose": document.dossier_purpose,
        "dossier_outcome": document.dossier_outcome,
        "approved_by": str(document.approved_by) if document.approved_by_id else "",
        "current_step": {"position": step.position, "name": step.name} if step else None,
        "urgency": document.urgency,
        "confidentiality": document.confidentiality,
        "recall_reason": document.recall_reason,
    }


def _detail(document: OutgoingDocument) -> dict[str, Any]:
    rows = selectors.recipient_rows(document)
    return {
        **_summary(document),
        "body": document.body,
        "recipients": [
            {
                "name": r.name,
                "kind": r.kind,
                "delivery": r.delivery,
                "status": r.status,
                "at": _local(r.at),
            }
            for r in rows
        ],
    }


def _get(request: HttpRequest, reference: UUID) -> OutgoingDocument:
    document = (
        OutgoingDocument.objects.select_related("agency", "drafting_unit", "author", "approved_by")
        .filter(reference=reference)
        .first()
    )
    if document is None or not access.may_see(request.user, document):
        raise Http404
    return document


def _unit(code: str, field: str) -> Unit:
    unit = Unit.objects.filter(code=code.strip(), dissolved_at__isnull=True).first()
    if unit is None:
        raise ValidationError(
            {field: _("No agency or unit with the code %(code)s.") % {"code": code}}
        )
    return unit


@router.get(
    "/documents", response={200: list[DocumentOut], **ERRORS}, summary="Outgoing documents for me"
)
def list_documents(
    request: HttpRequest,
    tab: Literal["waiting", "drafts", "to_issue", "recent"] = "waiting",
) -> Any:
    """`waiting`: at a step I can approve; `drafts`: my drafts; `to_issue`: approved,
    for the records clerk; `recent`: everything I can see, newest first."""
    user = request.user
    documents: Any
    if tab == "waiting":
        documents = selectors.waiting_for(user)
    elif tab == "drafts":
        documents = selectors.my_drafts(user)[:100]
    elif tab == "to_issue":
        documents = selectors.to_issue(user)[:100]
    else:
        documents = selectors.recent(user, limit=100)
    return [_summary(document) for document in documents]


@router.post("/documents", response={201: DocumentDetailOut, **ERRORS}, summary="Create a draft")
def create_draft(request: HttpRequest, payload: DraftCreateIn) -> Any:
    unit = _unit(payload.drafting_unit_code, "drafting_unit_code")
    recipients = [
        services.RecipientIn(agency=_unit(r.agency_code, "recipients"))
        if r.agency_code
        else services.RecipientIn(name=r.name, organ_id=r.organ_id)
        for r in payload.recipients
    ]
    document = services.create_draft(
        request.user,
        drafting_unit=unit,
        data=services.DraftIn(
            type_code=payload.type_code,
            subject=payload.subject,
            body=payload.body,
            place=payload.place,
            urgency=payload.urgency,
            confidentiality=payload.confidentiality,
            authority=payload.authority,
            authority_of=payload.authority_of,
            signer_position=payload.signer_position,
            signer_name=payload.signer_name,
            copies_to=payload.copies_to,
        ),
        recipients=recipients,
    )
    return 201, _detail(document)


@router.get(
    "/documents/{reference}",
    response={200: DocumentDetailOut, **ERRORS},
    summary="One outgoing document",
)
def get_document(request: HttpRequest, reference: UUID) -> Any:
    return _detail(_get(request, reference))


@router.post(
    "/documents/{reference}/submit",
    response={200: DocumentDetailOut, **ERRORS},
    summary="Submit a draft for approval",
)
def submit(request: HttpRequest, reference: UUID, payload: ActIn) -> Any:
    document = services.submit(
        request.user,
        _get(request, reference),
        expected_version=payload.expected_version,
        note=payload.note,
    )
    return _detail(document)


@router.post(
    "/documents/{reference}/approve",
    response={200: DocumentDetailOut, **ERRORS},
    summary="Approve at the current step",
)
def approve(request: HttpRequest, reference: UUID, payload: ActIn) -> Any:
    """At the signer's step this approves the document for signing."""
    document = services.approve(
        request.user,
        _get(request, reference),
        expected_version=payload.expected_version,
        note=payload.note,
    )
    return _detail(document)


@router.post(
    "/documents/{reference}/return",
    response={200: DocumentDetailOut, **ERRORS},
    summary="Return the draft to its author",
)
def return_draft(request: HttpRequest, reference: UUID, payload: ActIn) -> Any:
    document = services.return_draft(
        request.user,
        _get(request, reference),
        expected_version=payload.expected_version,
        note=payload.note,
    )
    return _detail(document)


@router.post(
    "/documents/{reference}/issue",
    response={200: DocumentDetailOut, **ERRORS},
    summary="Issue (take the number) and dispatch",
)
def issue(request: HttpRequest, reference: UUID, payload: IssueIn) -> Any:
    """The number is taken now from the agency's register for the year, the PDF is
    signed by the signer (remote signing: the call waits while they confirm on the
    phone) and sealed by the agency; the document then goes to agencies on the
    platform, outside recipients wait for the exchange, and a confidential document is
    never sent electronically. A failed signing answers its error (e.g. 409
    `remote_refused`, 504 `remote_timeout`): nothing is issued and the number stays
    reserved for the next call."""
    document = services.issue_document(
        request.user, _get(request, reference), expected_version=payload.expected_version
    )
    services.dispatch_document(request.user, document)
    document.refresh_from_db()
    return _detail(document)


@router.post(
    "/dossiers/{code}/drafts",
    response={200: DocumentDetailOut, **ERRORS},
    summary="Draft the official document a one-stop dossier needs",
)
def draft_for_dossier(request: HttpRequest, code: str, payload: FromDossierIn) -> Any:
    """A draft linked to the dossier, in the unit now handling it; issuing it puts
    the number and the signed PDF back on the dossier and moves it on. Asking again
    for the result decision answers the same draft."""
    new_due_at = payload.new_due_at
    if new_due_at is not None and timezone.is_naive(new_due_at):
        raise ValidationError({"new_due_at": _("A date and time with a time zone is required.")})
    document = services.bridge.draft_for_dossier(
        request.user,
        code,
        purpose=payload.purpose,
        reason=payload.reason,
        new_due_at=new_due_at,
    )
    return _detail(_get(request, document.reference))


@router.post(
    "/documents/{reference}/recall",
    response={200: RecallOut, **ERRORS},
    summary="Recall an issued document",
)
def recall(request: HttpRequest, reference: UUID, payload: RecallIn) -> Any:
    document = _get(request, reference)
    outcome = services.recall_document(
        request.user, document, reason=payload.reason, expected_version=payload.expected_version
    )
    document.refresh_from_db()
    return {
        "document": _summary(document),
        "withdrawn": outcome.withdrawn,
        "registered": outcome.registered,
    }
