"""Signing, the step of issuance (Nghị định 30/2020, Điều 13 and Phụ lục I):
the signer's digital signature, drawn as their signature image between their
title and name, then the agency's, drawn as its red seal at real size over the
left third of the signer's image. Both PAdES B-LT (``signatures.sign_pdf``), as
two incremental updates of the PDF laid out with the number and the date. Each
attachment is then signed B-LT by the agency alone, its signature drawn at the top
right of the first page with the number, symbol and signing time
(``hh:mm:ss dd/mm/yyyy +07:00``, Phụ lục I).

The signer signs with the remote-signing service (ký số từ xa: they confirm on
their phone, wherever they are) or, when they are at the clerk's desk, with their
token and its PIN; the agency signs with its key in the server's token. Nothing
is kept here: the caller stores the signed bytes only when both signatures
succeeded (nothing half-signed is issued).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from egov.outgoing.errors import OutgoingError
from egov.outgoing.models import OutgoingDocument
from egov.signatures.errors import NoSigningKey
from egov.signatures.models import ImageKind, KeyKind

if TYPE_CHECKING:
    # pyhanko and Pillow weigh tens of MB: loaded when a document is signed.
    from egov.outgoing.layout import SignatureSpace
    from egov.signatures.appearance import SignerBlock
    from egov.signatures.signers import KeyHolder

#: Names of the two signature fields on an issued document.
SIGNER_FIELD = "NguoiKy"
AGENCY_FIELD = "CoQuanBanHanh"


class SigningNotReady(OutgoingError):
    """Something the signing needs is missing; nothing was reserved or signed."""

    code = "signing_not_ready"
    http_status = 409


@dataclass
class Signing:
    """What one issuance signs with (checked before a number is reserved)."""

    signer: Any
    signer_holder: KeyHolder
    agency_holder: KeyHolder
    signature_png: bytes
    seal_png: bytes

    @property
    def remote(self) -> bool:
        return str(self.signer_holder.kind) == KeyKind.REMOTE


def _has_key(user: Any, kind: str) -> bool:
    from egov.signatures import services as signatures

    try:
        signatures.holder_for_person(user, kind=kind, description="")
    except NoSigningKey:
        return False
    return True


def phone_text(document: OutgoingDocument) -> str:
    """What the signer reads on the phone before confirming."""
    name = document.type_name.split(" (")[0]
    return f"{name} {document.number_and_symbol}: {document.subject}"[:255]


def prepare(
    document: OutgoingDocument, *, pin: str = "", remote: dict[str, Any] | None = None
) -> Signing | None:
    """The keys and images of this document's signing; ``None`` when its signer
    holds no signing certificate at all (the platform without signatures: the
    document is issued marked "chưa ký số", who approved it kept)."""
    from egov.signatures import services as signatures

    signer = document.signer
    if signer is None:
        return None
    if not (_has_key(signer, KeyKind.REMOTE) or _has_key(signer, KeyKind.TOKEN)):
        return None
    kind = KeyKind.TOKEN if pin else KeyKind.REMOTE
    try:
        holder = signatures.holder_for_person(
            signer, kind=kind, pin=pin, description=phone_text(document), **(remote or {})
        )
    except NoSigningKey:
        if kind == KeyKind.REMOTE:
            raise SigningNotReady(
                _(
                    "%(name)s has no remote signing: they sign with their token at the "
                    "records clerk's desk (type the token's PIN). Nothing was issued."
                )
                % {"name": signer.get_full_name() or signer.get_username()}
            ) from None
        raise SigningNotReady(
            _("%(name)s has no signing token: leave the PIN empty to sign on the phone.")
            % {"name": signer.get_full_name() or signer.get_username()}
        ) from None
    try:
        agency_holder = signatures.holder_for_agency(document.agency)
    except NoSigningKey:
        raise SigningNotReady(
            _(
                "The agency %(agency)s has no key in the server's token for its seal: ask "
                "the operator. Nothing was issued."
            )
            % {"agency": document.agency.name}
        ) from None
    signature_png = signatures.signature_image(user=signer, kind=ImageKind.SIGNATURE)
    if not signature_png:
        raise SigningNotReady(
            _("%(name)s has not uploaded a signature image. Nothing was issued.")
            % {"name": signer.get_full_name() or signer.get_username()}
        )
    seal_png = signatures.signature_image(unit=document.agency, kind=ImageKind.SEAL)
    if not seal_png:
        raise SigningNotReady(
            _("The agency %(agency)s has no seal image. Nothing was issued.")
            % {"agency": document.agency.name}
        )
    return Signing(
        signer=signer,
        signer_holder=holder,
        agency_holder=agency_holder,
        signature_png=signature_png,
        seal_png=seal_png,
    )


def signer_block(space: SignatureSpace, signature_png: bytes) -> SignerBlock:
    """The signature image alone in the space the layout left between the title and
    the name (the page prints those itself)."""
    from egov.signatures.appearance import Box, SignerBlock

    box = Box(space.page, space.x1, space.y1, space.x2, space.y2)
    return SignerBlock(box=box, title="", name="", signature_png=signature_png)


def sign(
    document: OutgoingDocument,
    pdf: bytes,
    space: SignatureSpace,
    signing: Signing,
    *,
    actor: Any,
) -> bytes:
    """The signer's signature then the agency's seal; raises (nothing returned)
    if either fails."""
    from egov.signatures import services as signatures
    from egov.signatures.appearance import SealMark, seal_box

    if signing.remote:
        # The phone shows the number, known only now that it is reserved.
        signing.signer_holder.description = phone_text(document)  # type: ignore[attr-defined]
    block = signer_block(space, signing.signature_png)
    subject = f"{document.number_and_symbol} {document.subject}"[:255]
    signed = signatures.sign_pdf(
        pdf,
        holder=signing.signer_holder,
        actor=signing.signer,
        level="B-LT",
        block=block,
        reason="Ký ban hành văn bản",
        location=document.place,
        field_name=SIGNER_FIELD,
        unit=document.agency,
        subject=subject,
    )
    return signatures.sign_pdf(
        signed,
        holder=signing.agency_holder,
        actor=actor,
        level="B-LT",
        seal=SealMark(box=seal_box(block), seal_png=signing.seal_png),
        reason="Ký số của cơ quan ban hành",
        location=document.place,
        field_name=AGENCY_FIELD,
        unit=document.agency,
        subject=subject,
    )


def sign_attachments(
    document: OutgoingDocument, signing: Signing, *, actor: Any
) -> dict[int, bytes]:
    """Each attachment (id → signed bytes) signed by the agency with the attachment
    stamp; raises (nothing returned) if any fails."""
    from egov.signatures import services as signatures
    from egov.signatures.appearance import AttachmentStamp

    stamp = AttachmentStamp(
        organisation=document.agency.name, number_symbol=document.number_and_symbol
    )
    signed: dict[int, bytes] = {}
    for attachment in document.attachments.order_by("pk"):
        with attachment.file.open("rb") as handle:
            original = handle.read()
        signed[attachment.pk] = signatures.sign_pdf(
            original,
            holder=signing.agency_holder,
            actor=actor,
            level="B-LT",
            attachment=stamp,
            reason="Ký số tài liệu kèm theo văn bản",
            location=document.place,
            field_name=AGENCY_FIELD,
            unit=document.agency,
            subject=f"{document.number_and_symbol} – {attachment.name}"[:255],
        )
    return signed
