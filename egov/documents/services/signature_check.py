"""The check of the digital signatures an incoming document carries, on arrival.

Each PDF file of the document goes through the signatures app's verification (the
same check as the public verification page: integrity, chain to a trusted anchor,
revocation, changes after signing). The verdict kept on the document is compact:
valid, invalid with the reasons in Vietnamese, unsigned (or could not be checked),
the signers' names and when it was checked; the full report of each file is kept
too, for the report page.

A check may fetch revocation data from outside systems, so it never runs inside
the transaction that stores the document: a clerk's upload is checked right after
it is stored (the clerk waits for it as for the recognised text of a short scan);
a delivery from another agency or from the exchange arrives inside the sender's
transaction and is checked by the background job (the page says "checking" until
then).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from egov.core.uploads import PDF
from egov.documents.models import IncomingDocument, IncomingFile, SignatureCheck
from egov.documents.services import common

logger = logging.getLogger(__name__)

#: At most this many documents are checked per run of the background job.
CHECK_BATCH = 5


def initial_status(content_types: list[str]) -> str:
    """What a new document's check starts as: pending when it has a PDF file."""
    if any(kind == PDF.content_type for kind in content_types):
        return SignatureCheck.PENDING
    return SignatureCheck.NONE


def _signer_names(report: dict[str, Any]) -> list[str]:
    names = []
    for sig in report.get("signatures", []):
        name = sig.get("signer") or ""
        organisation = sig.get("organisation") or ""
        if organisation and organisation != name:
            name = f"{name} ({organisation})" if name else organisation
        if name:
            names.append(name)
    return names


def _check_file(stored: IncomingFile) -> dict[str, Any]:
    """One PDF file's verdict and full report (``report`` is empty when refused)."""
    from egov.signatures import services as signatures
    from egov.signatures.errors import SignatureError

    try:
        with stored.file.open("rb") as handle:
            data = handle.read()
        report = signatures.verify_pdf(data, name=stored.name).as_dict()
    except SignatureError as error:
        return {
            "file": stored.name,
            "file_id": stored.pk,
            "status": SignatureCheck.FAILED,
            "reasons": [error.message],
            "report": {},
        }
    except Exception:  # a missing file or one that breaks the validator: a finding,
        # never a crash that would leave the document pending (and the job retrying it)
        logger.exception("signature check of incoming file %s failed", stored.pk)
        return {
            "file": stored.name,
            "file_id": stored.pk,
            "status": SignatureCheck.FAILED,
            "reasons": [_("The file could not be checked.")],
            "report": {},
        }
    if not report["signatures"]:
        status = SignatureCheck.UNSIGNED
    elif report["ok"]:
        status = SignatureCheck.VALID
    else:
        status = SignatureCheck.INVALID
    reasons: list[str] = []
    for sig in report["signatures"]:
        for problem in sig["problems"]:
            if problem not in reasons:
                reasons.append(problem)
    if status == SignatureCheck.INVALID:
        reasons.extend(note for note in report["notes"] if note not in reasons)
    return {
        "file": stored.name,
        "file_id": stored.pk,
        "status": status,
        "reasons": reasons,
        "report": report,
    }


def _verdict(results: list[dict[str, Any]]) -> str:
    statuses = {item["status"] for item in results}
    if not statuses:
        return SignatureCheck.NONE
    for status in (SignatureCheck.INVALID, SignatureCheck.FAILED, SignatureCheck.VALID):
        if status in statuses:
            return status
    return SignatureCheck.UNSIGNED


def check_signatures(pk: int) -> IncomingDocument:
    """Check the signatures of a pending document's PDF files (slow work: outside any
    transaction), then store the verdict. Texts are in the site's language (the
    page and the API show them to every reader alike)."""
    document = IncomingDocument.objects.get(pk=pk)
    if document.signature_status != SignatureCheck.PENDING:
        return document
    pdfs = [f for f in document.files.all() if f.content_type == PDF.content_type]
    with translation.override(settings.LANGUAGE_CODE):
        results = [_check_file(stored) for stored in pdfs]
    several = len(results) > 1
    reasons: list[str] = []
    signers: list[str] = []
    for item in results:
        for reason in item["reasons"]:
            text = f"{item['file']}: {reason}" if several else reason
            if text not in reasons:
                reasons.append(text)
        for name in _signer_names(item["report"]):
            if name not in signers:
                signers.append(name)
    with transaction.atomic():
        locked = common.lock(document)
        if locked.signature_status != SignatureCheck.PENDING:
            return locked
        locked.signature_status = _verdict(results)
        locked.signature_reasons = reasons
        locked.signature_signers = "; ".join(signers)[:500]
        locked.signature_reports = results
        locked.signature_checked_at = common.now()
        common.save(
            locked,
            [
                "signature_status",
                "signature_reasons",
                "signature_signers",
                "signature_reports",
                "signature_checked_at",
            ],
        )
        common.event(locked, "signatures_checked", None, locked.get_signature_status_display())
    return locked


def check_pending_signatures() -> int:
    """The background job: check up to a few documents waiting for it; each is
    claimed with a row lock (SKIP LOCKED where the database has it) so two runners
    never check the same one."""
    done = 0
    for _round in range(CHECK_BATCH):
        with transaction.atomic():
            qs = IncomingDocument.objects.filter(signature_status=SignatureCheck.PENDING).order_by(
                "pk"
            )
            if transaction.get_connection().features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            pk = qs.values_list("pk", flat=True).first()
        if pk is None:
            break
        check_signatures(pk)
        done += 1
    return done
