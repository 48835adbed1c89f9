"""JSON API of online submission for the mobile app, mounted at
``/api/v1/submissions``.

Authentication: the Django session of a citizen or business account (with the
second factor when the account has one), like ``/api/v1/me``; ``csrf=True``, so
a browser script sends ``X-CSRFToken`` on unsafe methods. Staff and anonymous
requests get 401. Someone else's draft or document answers 404.

Drafts carry ``version``: an update sends ``expected_version`` and gets 409
``stale_draft`` when the draft was saved elsewhere meanwhile. Submitting requires
an ``Idempotency-Key`` header (stored like ``POST /api/v1/dossiers``): a retry with
the same key gets the same dossier (201 the first time, 200 after).
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, File, Form, HeaderEx, P, Router, Schema, Status
from ninja.files import UploadedFile

from egov.accounts.api_auth import applicant_auth
from egov.core.errors import DomainError
from egov.core.schemas import ErrorOut
from egov.core.selectors.units import get_unit_by_code
from egov.procedures.selectors import get_procedure, published_version
from egov.submissions import selectors, services
from egov.submissions.models import Draft

router = Router(auth=applicant_auth)

IDEMPOTENCY_HEADER = "Idempotency-Key"
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- schemas -------------------------------------------------------------------------------


class ApplicantData(Schema):
    name: str = ""
    id_number: str = ""
    date_of_birth: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


class DraftCreateIn(Schema):
    procedure: str = Field(description="National code of the procedure, e.g. `1.001193`.")
    agency: str | None = Field(default=None, description="Identifier code of the agency.")
    applicant: ApplicantData | None = None
    answers: dict[str, Any] | None = None


class DraftUpdateIn(Schema):
    expected_version: int = Field(description="The draft version you read.")
    agency: str | None = None
    applicant: ApplicantData | None = None
    answers: dict[str, Any] | None = None
    step: str | None = Field(
        default=None, description="agency, applicant, declaration, papers or review."
    )


class PaperOut(Schema):
    required_paper: int
    name: str
    is_optional: bool
    filled_online: bool = Field(
        description="The paper is the declaration itself, handed in by the answers: "
        "nothing to upload."
    )
    file_name: str | None
    size: int | None


class ProblemOut(Schema):
    step: str
    message: str


class DraftOut(Schema):
    id: int
    version: int
    status: str
    procedure: dict[str, Any]
    agency: dict[str, str] | None
    agencies: list[dict[str, str]]
    applicant: dict[str, Any]
    answers: dict[str, Any]
    form: dict[str, Any] = Field(description="JSON Schema and layout of the declaration.")
    current_step: str
    papers: list[PaperOut]
    fee: int | None
    problems: list[ProblemOut]
    updated_at: datetime


class SubmittedOut(Schema):
    code: str
    status: int
    channel: int
    fee_amount: int | None
    submitted_at: datetime | None


class WalletDocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    source: str
    source_dossier: str | None
    created_at: datetime
    download_url: str


# --- helpers -------------------------------------------------------------------------------


def _error(status: int, code: str, message: str, field: str | None = None) -> Status[Any]:
    return Status(status, {"code": code, "message": message, "field": field})


def _draft(request: HttpRequest, draft_id: int) -> Draft:
    return selectors.draft_for(request.user, draft_id)


def _detail(draft: Draft) -> dict[str, Any]:
    draft = selectors.draft_for(draft.user, draft.pk)
    schema, layout = selectors.schema_of(draft)
    files = selectors.files_by_paper(draft)
    version = draft.procedure_version
    return {
        "id": draft.pk,
        "version": draft.version,
        "status": draft.status,
        "procedure": {
            "code": version.procedure.national_code,
            "name": version.name,
            "version": version.number,
        },
        "agency": {"code": draft.agency.code, "name": draft.agency.name} if draft.agency else None,
        "agencies": [
            {"code": unit.code, "name": unit.name} for unit in selectors.agencies_for(version)
        ],
        "applicant": draft.applicant or {},
        "answers": draft.answers or {},
        "form": {
            "schema": schema,
            "layout": layout,
            "number": draft.form_schema.number if draft.form_schema else None,
        },
        "current_step": draft.current_step,
        "papers": [
            {
                "required_paper": paper.pk,
                "name": paper.name,
                "is_optional": paper.is_optional,
                "filled_online": selectors.filled_online(draft, paper),
                "file_name": files[paper.pk].name if paper.pk in files else None,
                "size": files[paper.pk].size if paper.pk in files else None,
            }
            for paper in selectors.papers_of(version)
        ],
        "fee": services.fee_of(draft),
        "problems": [{"step": p.step, "message": p.message} for p in selectors.problems(draft)],
        "updated_at": timezone.localtime(draft.updated_at),
    }


def _agency(code: str | None) -> Any:
    if not code:
        return None
    unit = get_unit_by_code(code, follow_successor=True)
    if unit is None:
        raise DomainError(
            gettext("No agency with this identifier code."),
            code="invalid",
            field="agency",
            http_status=422,
        )
    return unit


# --- endpoints -----------------------------------------------------------------------------


@router.post(
    "/drafts",
    response={201: DraftOut, **ERRORS},
    url_name="submissions-draft-create",
    summary="Start a draft",
)
def create_draft(request: HttpRequest, payload: DraftCreateIn) -> Status[Any]:
    """A new draft for the procedure in force, pre-filled with the applicant's
    profile; `applicant` and `answers` may be given at once."""
    procedure = get_procedure(payload.procedure.strip())
    version = published_version(procedure) if procedure is not None else None
    if version is None:
        return _error(
            422, "unknown_procedure", gettext("No procedure in force with this code."), "procedure"
        )
    agency = _agency(payload.agency)
    draft = services.start_draft(request.user, version, agency=agency)
    if payload.applicant is not None or payload.answers is not None:
        services.save_draft(
            request.user,
            draft,
            expected_version=draft.version,
            applicant=payload.applicant.model_dump() if payload.applicant else None,
            answers=payload.answers,
        )
    return Status(201, _detail(draft))


@router.get(
    "/drafts/{draft_id}",
    response={200: DraftOut, **ERRORS},
    url_name="submissions-draft",
    summary="A draft",
)
def get_draft(request: HttpRequest, draft_id: int) -> Status[Any]:
    try:
        draft = _draft(request, draft_id)
    except Draft.DoesNotExist:
        return _error(404, "not_found", gettext("Not found."))
    return Status(200, _detail(draft))


@router.patch(
    "/drafts/{draft_id}",
    response={200: DraftOut, **ERRORS},
    url_name="submissions-draft-update",
    summary="Save a step of a draft",
)
def update_draft(request: HttpRequest, draft_id: int, payload: DraftUpdateIn) -> Status[Any]:
    """Fields left out are unchanged. 409 `stale_draft` if the draft changed since
    `expected_version`; 409 `draft_submitted` once submitted."""
    try:
        draft = _draft(request, draft_id)
    except Draft.DoesNotExist:
        return _error(404, "not_found", gettext("Not found."))
    changes: dict[str, Any] = {}
    if payload.agency is not None:
        changes["agency"] = _agency(payload.agency)
    if payload.applicant is not None:
        changes["applicant"] = payload.applicant.model_dump()
    if payload.answers is not None:
        changes["answers"] = payload.answers
    services.save_draft(
        request.user,
        draft,
        expected_version=payload.expected_version,
        step=payload.step,
        **changes,
    )
    return Status(200, _detail(draft))


@router.post(
    "/drafts/{draft_id}/papers",
    response={200: DraftOut, **ERRORS},
    url_name="submissions-draft-paper",
    summary="Attach a paper to a draft",
)
def upload_paper(
    request: HttpRequest,
    draft_id: int,
    expected_version: Form[int],
    required_paper: Form[int],
    file: File[UploadedFile | None] = None,
    wallet_document: Form[int | None] = None,
) -> Status[Any]:
    """Multipart: `expected_version`, `required_paper` (id of the paper in the
    procedure's list) and either `file` (PDF, JPEG or PNG, checked by content) or
    `wallet_document` (id of a document of your wallet, copied)."""
    try:
        draft = _draft(request, draft_id)
    except Draft.DoesNotExist:
        return _error(404, "not_found", gettext("Not found."))
    if file is None and wallet_document is None:
        return _error(422, "invalid", gettext("Send a file or a wallet document."), "file")
    _saved, errors = services.save_papers(
        request.user,
        draft,
        expected_version=expected_version,
        uploads={required_paper: file} if file is not None else None,
        wallet_picks={required_paper: wallet_document}
        if file is None and wallet_document is not None
        else None,
    )
    if errors:
        return _error(422, "invalid_file", next(iter(errors.values())), "file")
    return Status(200, _detail(draft))


@router.post(
    "/drafts/{draft_id}/submit",
    response={200: SubmittedOut, 201: SubmittedOut, 400: ErrorOut, **ERRORS},
    url_name="submissions-draft-submit",
    summary="Submit a draft",
)
def submit(
    request: HttpRequest,
    draft_id: int,
    idempotency_key: HeaderEx[
        str | None,
        P(
            alias=IDEMPOTENCY_HEADER,
            description="A unique key per submission (e.g. a UUID), up to 255 characters. "
            "Retrying with the same key returns the same dossier.",
        ),
    ] = None,
) -> Status[Any]:
    """Submits online: status 1, channel 2, the dossier code at once. 422 with the
    field at fault when a step is incomplete; nothing is recorded then."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 255:
        return _error(
            400,
            "idempotency_key_required",
            gettext("Give an Idempotency-Key header of 1 to 255 characters."),
            IDEMPOTENCY_HEADER,
        )
    try:
        _draft(request, draft_id)
    except Draft.DoesNotExist:
        return _error(404, "not_found", gettext("Not found."))
    dossier, created = services.submit_draft(
        request.user,
        draft_id,
        idempotency_key=key,
        fingerprint=services.submit_fingerprint(draft_id),
        route=f"POST /api/v1/submissions/drafts/{draft_id}/submit",
    )
    return Status(
        201 if created else 200,
        {
            "code": dossier.code,
            "status": dossier.status,
            "channel": dossier.channel,
            "fee_amount": dossier.fee_amount,
            "submitted_at": timezone.localtime(dossier.submitted_at)
            if dossier.submitted_at
            else None,
        },
    )


@router.get(
    "/wallet",
    response={200: list[WalletDocumentOut], 401: ErrorOut},
    url_name="submissions-wallet",
    summary="Documents of my wallet",
)
def wallet(request: HttpRequest) -> Status[Any]:
    return Status(
        200,
        [
            {
                "id": doc.pk,
                "name": doc.name,
                "content_type": doc.content_type,
                "size": doc.size,
                "sha256": doc.sha256,
                "source": doc.source,
                "source_dossier": doc.source_dossier.code if doc.source_dossier else None,
                "created_at": timezone.localtime(doc.created_at),
                "download_url": reverse("submissions:wallet-download", args=[doc.pk]),
            }
            for doc in selectors.wallet_of(request.user)
        ],
    )
