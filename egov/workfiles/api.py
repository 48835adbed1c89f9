"""Staff JSON API of work files, mounted at ``/api/v1/workfiles``: list the files,
open one (from the yearly list or ad hoc), see one with its table of contents, add
a document, close. Same authentication as the staff pages (a staff session that
passed the second factor; CSRF token on unsafe methods). Closing takes the
``expected_version`` the caller read and answers 409 ``stale`` if a document was
added or removed since; refusals answer with the API's one error body. Every read
of a file is audit-logged."""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from egov.accounts.api_auth import staff_auth
from egov.core.models import Unit
from egov.core.schemas import ErrorOut
from egov.workfiles import access, selectors, services
from egov.workfiles.models import FileListEntry, WorkFile

router = Router(auth=staff_auth)
MAX_ID = selectors.MAX_ID
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class WorkFileOut(Schema):
    id: int
    version: int = Field(description="Send it back as `expected_version` to close.")
    symbol: str
    title: str
    year: int
    agency_code: str
    unit_code: str
    unit_name: str
    owner: str
    status: Literal["open", "closed", "handed_over"]
    retention_years: int | None = Field(description="Empty: kept permanently (vĩnh viễn).")
    start_date: date
    end_date: date | None
    handover_due: date | None = Field(description="Last day to hand it to the archive.")
    archive_receipt: str
    from_list: bool


class FileDocumentOut(Schema):
    link_id: int
    kind: Literal["incoming", "outgoing"]
    document_id: int
    number_symbol: str
    subject: str
    date: date | None
    issuer: str
    confidential: bool
    draft: bool
    added_by: str
    added_at: datetime


class WorkFileDetailOut(WorkFileOut):
    documents: list[FileDocumentOut] = Field(description="In date order (table of contents).")
    withheld: int = Field(description="Confidential documents of the file not shown to you.")


class OpenWorkFileIn(Schema):
    entry_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="An entry of the yearly list; else ad hoc."
    )
    symbol: str = ""
    title: str = ""
    unit_code: str = ""
    retention_years: int | None = Field(None, ge=1, le=70, description="Years; null: permanent.")
    start_date: date | None = None
    kind: Literal["regular", "construction"] = "regular"
    description: str = ""


class AddFileDocumentIn(Schema):
    kind: Literal["incoming", "outgoing"]
    document_id: int = Field(ge=1, le=MAX_ID)


class FileDocumentAddedOut(Schema):
    link_id: int
    version: int


class CloseWorkFileIn(Schema):
    expected_version: int
    retention_years: int | None = Field(ge=1, le=70, description="Years; null: permanent.")
    end_date: date | None = Field(None, description="When the work ended; default today.")


class CloseWorkFileOut(Schema):
    file: WorkFileOut
    removed_drafts: int
    removed_duplicates: int


def _summary(work_file: WorkFile) -> dict[str, Any]:
    return {
        "id": work_file.pk,
        "version": work_file.version,
        "symbol": work_file.symbol,
        "title": work_file.title,
        "year": work_file.year,
        "agency_code": work_file.agency.code,
        "unit_code": work_file.unit.code,
        "unit_name": work_file.unit.name,
        "owner": work_file.owner.get_full_name() or work_file.owner.username,
        "status": work_file.status,
        "retention_years": work_file.retention_years,
        "start_date": work_file.start_date,
        "end_date": work_file.end_date,
        "handover_due": work_file.handover_due,
        "archive_receipt": work_file.archive_receipt,
        "from_list": work_file.entry_id is not None,
    }


def _get(request: HttpRequest, file_id: int) -> WorkFile:
    if not 1 <= file_id <= MAX_ID:
        raise Http404
    return selectors.file_for(request.user, file_id)


@router.get("/files", response={200: list[WorkFileOut], **ERRORS}, summary="Work files I may see")
def list_files(
    request: HttpRequest,
    status: Literal["", "open", "closed", "handed_over"] = "",
    year: int | None = None,
) -> list[dict[str, Any]]:
    if year is not None and not 1 <= year <= 9999:
        raise ValidationError({"year": _("Give a year from 1 to 9999.")})
    return [_summary(f) for f in selectors.files_for(request.user, status=status, year=year)[:200]]


@router.post("/files", response={201: WorkFileOut, **ERRORS}, summary="Open a work file")
def open_file(request: HttpRequest, data: OpenWorkFileIn) -> Status:
    if data.entry_id is not None:
        entry = (
            FileListEntry.objects.select_related("file_list__agency", "unit")
            .filter(pk=data.entry_id)
            .first()
        )
        if entry is None or not access.may_see_list(request.user, entry.file_list.agency):
            raise Http404
        work_file = services.open_from_entry(request.user, entry, start_date=data.start_date)
    else:
        unit = Unit.objects.filter(code=data.unit_code.strip(), dissolved_at__isnull=True).first()
        if unit is None:
            raise ValidationError({"unit_code": _("No unit with this code.")})
        work_file = services.open_ad_hoc(
            request.user,
            services.AdHocIn(
                symbol=data.symbol,
                title=data.title,
                unit=unit,
                retention_years=data.retention_years,
                start_date=data.start_date or services.today(),
                kind=data.kind,
                description=data.description,
            ),
        )
    return Status(201, _summary(work_file))


@router.get(
    "/files/{file_id}", response={200: WorkFileDetailOut, **ERRORS}, summary="One work file"
)
def get_file(request: HttpRequest, file_id: int) -> dict[str, Any]:
    work_file = _get(request, file_id)
    services.log_access(request.user, work_file, "viewed")
    items = selectors.documents_of(request.user, work_file)
    documents = [
        {
            "link_id": item.link.pk,
            "kind": item.ref.kind,
            "document_id": item.ref.id,
            "number_symbol": item.ref.number_symbol,
            "subject": item.ref.subject,
            "date": item.ref.date,
            "issuer": item.ref.issuer,
            "confidential": item.ref.confidential,
            "draft": item.ref.is_draft,
            "added_by": item.link.added_by.get_full_name() or item.link.added_by.username,
            "added_at": timezone.localtime(item.link.added_at),
        }
        for item in items
        if item.ref is not None
    ]
    return {
        **_summary(work_file),
        "documents": documents,
        "withheld": len(items) - len(documents),
    }


@router.post(
    "/files/{file_id}/documents",
    response={201: FileDocumentAddedOut, **ERRORS},
    summary="Add a document to an open file",
)
def add_document(request: HttpRequest, file_id: int, data: AddFileDocumentIn) -> Status:
    work_file = _get(request, file_id)
    link = services.add_document(request.user, work_file, data.kind, data.document_id)
    return Status(201, {"link_id": link.pk, "version": link.work_file.version})


@router.post(
    "/files/{file_id}/close", response={200: CloseWorkFileOut, **ERRORS}, summary="Close a file"
)
def close_file(request: HttpRequest, file_id: int, data: CloseWorkFileIn) -> dict[str, Any]:
    work_file = _get(request, file_id)
    outcome = services.close_file(
        request.user,
        work_file,
        expected_version=data.expected_version,
        retention_years=data.retention_years,
        end_date=data.end_date,
    )
    return {
        "file": _summary(outcome.work_file),
        "removed_drafts": outcome.removed_drafts,
        "removed_duplicates": outcome.removed_duplicates,
    }
