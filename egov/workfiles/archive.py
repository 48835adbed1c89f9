"""The archive's copy of a work file: on hand-over the exported PDF is sealed by the
agency (its server-held key, like system-issued documents) at PAdES B-LTA — the
signature, the validation data of its chain (DSS) and a document timestamp over
them — so the archive can still prove it intact and valid after the certificates
expire. An agency with no key yet hands over an unsealed copy (recorded as such).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from egov.workfiles import selectors
from egov.workfiles.errors import SealFailed
from egov.workfiles.models import WorkFile

#: Printed in the signature whatever the reader's language: the archive's copy.
SEAL_REASON = "Nộp lưu vào Lưu trữ cơ quan"


@dataclass(frozen=True)
class ArchiveCopy:
    pdf: bytes
    sealed: bool


def archive_copy(actor: Any, work_file: WorkFile) -> ArchiveCopy:
    """The file's PDF as handed over, sealed B-LTA when the agency has a key. A
    failure to seal (token, timestamp authority) raises :class:`SealFailed`: the
    caller's transaction is rolled back and nothing is handed over."""
    # PDF layout and PAdES signing load heavy libraries: only when a file is handed over.
    from egov.signatures import errors as signature_errors
    from egov.signatures import services as signatures
    from egov.workfiles import exports

    pdf = exports.file_pdf(work_file, selectors.documents_of(actor, work_file))
    try:
        holder = signatures.holder_for_agency(work_file.agency)
    except signature_errors.NoSigningKey:
        return ArchiveCopy(pdf, sealed=False)
    try:
        sealed = signatures.sign_pdf(
            pdf,
            holder=holder,
            actor=actor,
            level=signatures.Level.B_LTA,
            reason=SEAL_REASON,
            location=work_file.agency.name[:100],
            unit=work_file.agency,
            subject=f"{exports.file_code(work_file)} {work_file.title}",
        )
    except signature_errors.SignatureError as error:
        raise SealFailed(error.message) from error
    return ArchiveCopy(sealed, sealed=True)
