"""Issuing the one-stop forms that carry legal weight, digitally signed.

Forms 01 (receipt slip), 02 (supplement request), 03 (refusal) and 04 (apology
letter) are documents the one-stop system issues to the applicant: each is signed
(PAdES B-LT, invisible signature) with the receiving agency's key in the server's
token, through the signatures service, when it is first downloaded, and kept
(:class:`~egov.dossiers.models.SignedForm`), so later downloads — the applicant's
and the staff's — are the same bytes.

A form is kept per version of its content: its fingerprint
(:meth:`~egov.dossiers.paperforms.pdf.FormContent.fingerprint`) covers everything
it says, so when a state change (a new supplement request, a later apology
letter) or an edited template changes the form, the next download signs and
keeps a new version; an unchanged form is never signed twice. Forms 05 and 06
are working papers and stay unsigned.

While the agency has no key, or if signing fails (token, timestamp or revocation
service down), the form is given unsigned with a red "CHƯA KÝ SỐ" mark and not
kept: the next download tries again. :func:`issued_form` is the only writer of
signed forms.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.core import audit
from egov.dossiers.models import Dossier, SignedForm

log = logging.getLogger(__name__)

#: The forms that carry legal weight: issued signed by the receiving agency.
SIGNED_FORM_CODES: tuple[str, ...] = ("01", "02", "03", "04")
#: The signature field of the agency's (invisible) signature.
SIGNATURE_FIELD = "CoQuanTiepNhan"

_REASONS = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Văn bản xin lỗi và hẹn lại ngày trả kết quả",
}


def issued_form(code: str, dossier: Dossier, *, actor: Any = None) -> tuple[bytes, bool]:
    """Form ``code`` of ``dossier`` as issued and whether it is digitally signed.

    ``actor`` is the person downloading (recorded in the audit entry when a new
    version is signed). Raises :class:`FormRenderError` like ``render_form``.
    """
    # fpdf is heavy: loaded when a form is made, not when a worker starts.
    from egov.dossiers.paperforms.pdf import SigningMark, form_content, layout, render_form
    from egov.signatures import services as signatures
    from egov.signatures.errors import NoSigningKey

    if code not in SIGNED_FORM_CODES:
        return render_form(code, dossier), False
    content = form_content(code, dossier)
    fingerprint = content.fingerprint()
    kept = SignedForm.objects.filter(dossier=dossier, code=code, fingerprint=fingerprint).first()
    if kept is not None:
        return bytes(kept.pdf), True
    agency = dossier.receiving_agency
    try:
        holder = signatures.holder_for_agency(agency)
    except NoSigningKey:
        return layout(content, signing=SigningMark(agency.name, signed=False)), False
    try:
        signed = signatures.sign_pdf(
            layout(content, signing=SigningMark(agency.name, signed=True)),
            holder=holder,
            actor=None,
            level=signatures.Level.B_LT,
            reason=_REASONS[code],
            field_name=SIGNATURE_FIELD,
            unit=agency,
            subject=f"Mẫu số {code} hồ sơ {dossier.code}",
        )
    except Exception:  # a token, timestamp or revocation service down: unsigned, marked
        log.exception("form %s of %s: signing failed, given unsigned", code, dossier.code)
        return layout(content, signing=SigningMark(agency.name, signed=False)), False
    with transaction.atomic():
        # Two downloads at once: the first kept wins, the other gets the same file.
        row, created = SignedForm.objects.get_or_create(
            dossier=dossier,
            code=code,
            fingerprint=fingerprint,
            defaults={"pdf": signed, "signed_at": timezone.now()},
        )
        if created:
            audit.record(
                actor=actor,
                action="dossiers.form_signed",
                obj=dossier,
                unit=agency,
                changes={"form": code, "fingerprint": fingerprint},
            )
    return bytes(row.pdf), True
