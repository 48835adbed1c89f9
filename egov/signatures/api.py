"""JSON API of signatures (mounted at ``/api/v1/signatures``): public verification."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from egov.core.schemas import ErrorOut
from egov.signatures.limits import count_verification

router = Router()


class SignatureOut(Schema):
    field: str
    signer: str
    organisation: str
    title: str
    serial: str
    chain: list[str]
    trusted: bool
    anchor: str
    intact: bool
    valid_signature: bool
    signing_time: str
    timestamp: str
    timestamp_ok: bool
    revocation: str
    revocation_text: str
    covers_whole_file: bool
    modification: str
    modification_text: str
    level: str
    problems: list[str]
    ok: bool


class ReportOut(Schema):
    ok: bool
    signatures: list[SignatureOut]
    notes: list[str]


@router.post(
    "/verify",
    response={200: ReportOut, 422: ErrorOut, 429: ErrorOut},
    summary="Verify the digital signatures of a PDF",
    description="Upload a signed PDF (multipart field `file`); the report says, per "
    "signature, the signer, organisation, certificate chain to a trusted anchor, signing "
    "time and timestamp, revocation status, integrity and changes made after signing, "
    "in the request's language (Vietnamese by default). The file is not kept.",
    auth=None,
)
def verify(request: HttpRequest, file: File[UploadedFile]) -> dict[str, object]:
    from egov.signatures.verification import verify_pdf

    count_verification(request)
    return verify_pdf(file.read(), name=file.name or "tai-lieu.pdf").as_dict()
