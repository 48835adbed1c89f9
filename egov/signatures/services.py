"""The write paths of signatures: signing a PDF, the images of visible signatures,
registering signing keys and trust anchors. Each is audited (``core.audit``).

Other apps call :func:`sign_pdf` with a :class:`~egov.signatures.signers.KeyHolder`
made by :func:`holder_for_person` or :func:`holder_for_agency`; it returns the
signed bytes and nothing else is written but the audit entry, so the caller
stores the file in its own transaction (nothing half-signed is issued: any
refusal or failure raises before bytes are returned).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import audit
from egov.core.formatting import format_date
from egov.signatures import errors, trust
from egov.signatures.appearance import (
    AttachmentStamp,
    Box,
    SealMark,
    SignerBlock,
    attachment_box,
    attachment_style,
    block_style,
    seal_style,
)
from egov.signatures.checking import check_pdf, check_png
from egov.signatures.models import (
    ImageKind,
    KeyKind,
    RevocationSource,
    SignatureImage,
    SigningKey,
    TrustAnchor,
)
from egov.signatures.outside import PlatformTimeStamper
from egov.signatures.running import run_coroutine
from egov.signatures.signers import AgencyKeyHolder, KeyHolder, RemoteKeyHolder, TokenKeyHolder


def verify_pdf(data: bytes, *, name: str = "tai-lieu.pdf") -> Any:
    """The verification report of ``data`` (:class:`egov.signatures.verification.Report`):
    the public page's check, for other apps checking a signed file they receive. Refuses
    what is not a checkable PDF with :class:`errors.BadPdf`; writes nothing."""
    from egov.signatures.verification import verify_pdf as verify

    return verify(data, name=name)


class Level(StrEnum):
    """PAdES baseline levels the platform makes."""

    B_T = "B-T"
    """Signature + RFC 3161 timestamp (the default)."""
    B_LT = "B-LT"
    """B-T + the chain's revocation information embedded (issued documents)."""
    B_LTA = "B-LTA"
    """B-LT + a document timestamp over the signature and its validation data (DSS),
    with the timestamp authority's own revocation data (archived files)."""


# --- choosing the key --------------------------------------------------------------


def _active_key(**owner: Any) -> SigningKey | None:
    return SigningKey.objects.filter(is_active=True, **owner).order_by("-created_at").first()


def holder_for_person(
    user: Any, *, kind: str = KeyKind.TOKEN, pin: str = "", description: str = "", **remote: Any
) -> KeyHolder:
    """The person's key of ``kind``: their token (opened with ``pin``) or the remote
    signing service (the person confirms on the phone)."""
    key = _active_key(user=user, kind=kind)
    if key is None:
        raise errors.NoSigningKey(user.get_full_name() or user.get_username())
    if kind == KeyKind.REMOTE:
        return RemoteKeyHolder(key, description=description, **remote)
    return TokenKeyHolder(key, pin)


def holder_for_agency(unit: Any) -> KeyHolder:
    """The agency's key in the server's token."""
    key = _active_key(unit=unit, user__isnull=True, kind=KeyKind.AGENCY)
    if key is None:
        raise errors.NoSigningKey(unit.name)
    return AgencyKeyHolder(key)


def signature_image(*, user: Any = None, unit: Any = None, kind: str) -> bytes | None:
    owner = {"user": user} if user is not None else {"unit": unit, "user__isnull": True}
    row = SignatureImage.objects.filter(kind=kind, **owner).order_by("-uploaded_at", "-pk").first()
    return bytes(row.png) if row else None


# --- signing -----------------------------------------------------------------------


def _check_certificate(cert: asn1_x509.Certificate, moment: dt.datetime) -> None:
    """The certificate is checked before signing: in its validity period."""
    validity = cert["tbs_certificate"]["validity"]
    starts, ends = validity["not_before"].native, validity["not_after"].native
    if moment < starts:
        raise errors.CertificateNotUsable(
            _("it is valid only from %(date)s.") % {"date": format_date(starts)}
        )
    if moment > ends:
        raise errors.CertificateNotUsable(
            _("it expired on %(date)s.") % {"date": format_date(ends)}
        )


def _field_spec(name: str, box: Box, page_count: int) -> Any:
    from pyhanko.sign.fields import SigFieldSpec

    page = box.page if box.page >= 0 else page_count + box.page
    corners = (round(box.x1), round(box.y1), round(box.x2), round(box.y2))
    return SigFieldSpec(sig_field_name=name, on_page=page, box=corners)


def sign_pdf(
    pdf: bytes,
    *,
    holder: KeyHolder,
    actor: Any,
    level: Level | str = Level.B_T,
    block: SignerBlock | None = None,
    attachment: AttachmentStamp | None = None,
    seal: SealMark | None = None,
    reason: str = "",
    location: str = "",
    field_name: str = "",
    unit: Any = None,
    subject: str = "",
) -> bytes:
    """Sign ``pdf`` (PAdES, as an incremental update: earlier signatures stay valid)
    and return the signed bytes; one audit entry ``signatures.signed``.

    ``block`` draws the document's signature block (title, signature image, name,
    seal); ``attachment`` the agency's stamp at the top right of page 1; ``seal``
    the agency's seal alone (the organisation's signature over the signer's,
    Decree 30); none makes an invisible signature. ``subject`` names the document in the audit log.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

    level = Level(level)
    reader_info = check_pdf(pdf)
    moment = timezone.now()
    certificate = holder.certificate
    _check_certificate(certificate, moment)
    chain = holder.chain
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    existing = [name for name, *_rest in fields.enumerate_sig_fields(writer)]
    name = field_name or f"Signature{len(existing) + 1}"
    if name in existing:
        name = f"{name}_{len(existing) + 1}"

    context = None
    long_term = level in (Level.B_LT, Level.B_LTA)
    if long_term:
        revocation = trust.revocation_for([certificate], [*chain, *trust.anchors()])
        tsa_chain = _tsa_chain()
        extra = trust.revocation_for(tsa_chain[:1], [*tsa_chain, *chain, *trust.anchors()])
        revocation.ocsps.extend(extra.ocsps)
        context = trust.validation_context([*chain, *tsa_chain], revocation)

    style: Any = None
    params: dict[str, str] = {}
    spec = None
    if block is not None:
        style = block_style(block)
        spec = _field_spec(name, block.box, reader_info.pages)
    elif seal is not None:
        style = seal_style(seal)
        spec = _field_spec(name, seal.box, reader_info.pages)
    elif attachment is not None:
        style, params = attachment_style(attachment, moment)
        width, height = reader_info.first_page_size
        spec = _field_spec(name, attachment_box(width, height), reader_info.pages)

    meta = PdfSignatureMetadata(
        field_name=name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        embed_validation_info=long_term,
        validation_context=context,
        # B-LTA: pyHanko adds the DSS, then a document timestamp over it (ETSI EN
        # 319 142-1), timestamped by the same authority.
        use_pades_lta=level is Level.B_LTA,
        timestamp_field_name=f"{name}_LTA" if level is Level.B_LTA else None,
    )
    output = io.BytesIO()
    with holder.signer() as signer:
        pdf_signer = PdfSigner(
            meta,
            signer=signer,
            timestamper=PlatformTimeStamper(),
            stamp_style=style,
            new_field_spec=spec,
        )
        try:
            run_coroutine(
                pdf_signer.async_sign_pdf(
                    writer, output=output, appearance_text_params=params or None
                )
            )
        except errors.SignatureError:
            raise
        except Exception as error:
            # pyHanko wraps what happened inside; a refusal of ours surfaces as is.
            cause = error.__cause__ or error.__context__
            if isinstance(cause, errors.SignatureError):
                raise cause from None
            raise
    signed = output.getvalue()
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="signatures.signed",
            object_type="signatures.pdf",
            object_id=hashlib.sha256(signed).hexdigest()[:32],
            object_repr=(subject or name)[:255],
            unit=unit,
            changes={
                "level": str(level),
                "key": str(holder.kind),
                "field": name,
                "certificate_serial": format(certificate.serial_number, "x"),
                "subject": certificate.subject.human_friendly[:200],
                "sha256_before": hashlib.sha256(pdf).hexdigest(),
                "sha256_after": hashlib.sha256(signed).hexdigest(),
            },
        )
    return signed


def _tsa_chain() -> list[asn1_x509.Certificate]:
    """The timestamp authority's certificate and its issuers (for B-LT revocation
    data): the demo's files, or none configured."""
    if not trust.demo_allowed():
        return []
    from egov.signatures import pki

    try:
        _root, ca, tsa = pki.load_authorities()
    except FileNotFoundError:
        return []
    return [asn1_x509.Certificate.load(item.der) for item in (tsa, ca)]


# --- images of visible signatures ----------------------------------------------------


def upload_image(
    *, actor: Any, kind: str, data: bytes, user: Any = None, unit: Any = None
) -> SignatureImage:
    """Keep a person's signature image or an agency's seal (checked: PNG, with
    transparency, bounded size); audited with the image's SHA-256."""
    if kind not in ImageKind.values:
        raise errors.BadImage(_("Unknown kind of image."))
    if (user is None) == (unit is None):
        raise ValueError("an image belongs to a person or to an agency")
    _may_manage_images(actor, user=user, unit=unit)
    width, height = check_png(data)
    with transaction.atomic():
        row = SignatureImage.objects.create(
            kind=kind,
            user=user,
            unit=unit if user is None else None,
            png=data,
            width=width,
            height=height,
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            actor=actor,
            action=f"signatures.{kind}_image_uploaded",
            obj=row,
            object_repr=str(user or unit)[:255],
            unit=unit,
            changes={"sha256": row.sha256, "size": [width, height]},
        )
    return row


def _may_manage_images(actor: Any, *, user: Any, unit: Any) -> None:
    """A person uploads their own signature; an agency's seal is uploaded by its
    administrators (``accounts.manage`` in the unit) or the platform's operators."""
    from egov.accounts.permissions import Perm, has_perm_in_unit

    if actor is None:  # the demo loader and the set-up command
        return
    if user is not None and getattr(actor, "pk", None) == getattr(user, "pk", None):
        return
    if has_perm_in_unit(actor, Perm.OPERATE_PLATFORM, None):
        return
    if unit is not None and has_perm_in_unit(actor, Perm.MANAGE_STAFF, unit):
        return
    raise errors.NotAllowed(_("You may not change this signature or seal image."))


# --- keys, anchors and revocation sources (set-up and operators) ---------------------


def register_key(
    *,
    actor: Any,
    kind: str,
    certificate_der: bytes,
    chain_der: Iterable[bytes] = (),
    user: Any = None,
    unit: Any = None,
    token_label: str = "",
    key_label: str = "",
    remote_account: str = "",
    title: str = "",
) -> SigningKey:
    """Record where a key is held and its certificate; the owner's earlier key of
    the same kind is deactivated."""
    cert = asn1_x509.Certificate.load(certificate_der)
    with transaction.atomic():
        owner = {"user": user} if user is not None else {"unit": unit, "user__isnull": True}
        SigningKey.objects.select_for_update().filter(kind=kind, is_active=True, **owner).update(
            is_active=False
        )
        key = SigningKey.objects.create(
            kind=kind,
            user=user,
            unit=unit,
            token_label=token_label,
            key_label=key_label,
            remote_account=remote_account,
            certificate=certificate_der,
            chain=b"".join(chain_der),
            serial=format(cert.serial_number, "x"),
            subject=cert.subject.human_friendly[:255],
            title=title,
            not_after=cert["tbs_certificate"]["validity"]["not_after"].native,
        )
        audit.record(
            actor=actor,
            action="signatures.key_registered",
            obj=key,
            unit=unit,
            changes={"kind": kind, "serial": key.serial, "token": token_label},
        )
    return key


def add_trust_anchor(
    *, actor: Any, name: str, certificate_der: bytes, is_demo: bool = False
) -> TrustAnchor:
    """Trust a root (idempotent by fingerprint)."""
    asn1_x509.Certificate.load(certificate_der).native  # noqa: B018 - must parse
    with transaction.atomic():
        anchor, created = TrustAnchor.objects.get_or_create(
            sha256=TrustAnchor.fingerprint(certificate_der),
            defaults={"name": name, "certificate": certificate_der, "is_demo": is_demo},
        )
        if created:
            audit.record(
                actor=actor,
                action="signatures.anchor_added",
                obj=anchor,
                changes={"sha256": anchor.sha256, "demo": is_demo},
            )
    return anchor


def add_revocation_source(
    *, actor: Any, name: str, kind: str, url: str, is_demo: bool = False
) -> RevocationSource:
    with transaction.atomic():
        source, created = RevocationSource.objects.get_or_create(
            url=url, defaults={"name": name, "kind": kind, "is_demo": is_demo}
        )
        if created:
            audit.record(
                actor=actor,
                action="signatures.revocation_source_added",
                obj=source,
                changes={"kind": kind, "url": url},
            )
    return source


def set_anchor(*, actor: Any, anchor_id: int, enabled: bool, name: str) -> TrustAnchor:
    """Rename, enable or disable a trust anchor (audited)."""
    with transaction.atomic():
        anchor = TrustAnchor.objects.select_for_update().get(pk=anchor_id)
        before = {"enabled": anchor.enabled, "name": anchor.name}
        anchor.enabled, anchor.name = enabled, name
        anchor.save(update_fields=["enabled", "name"])
        after = {"enabled": anchor.enabled, "name": anchor.name}
        if before != after:
            audit.record(
                actor=actor,
                action="signatures.anchor_changed",
                obj=anchor,
                changes=audit.diff(before, after),
            )
    return anchor


def set_revocation_source(
    *, actor: Any, source_id: int, enabled: bool, name: str
) -> RevocationSource:
    with transaction.atomic():
        source = RevocationSource.objects.select_for_update().get(pk=source_id)
        before = {"enabled": source.enabled, "name": source.name}
        source.enabled, source.name = enabled, name
        source.save(update_fields=["enabled", "name"])
        after = {"enabled": source.enabled, "name": source.name}
        if before != after:
            audit.record(
                actor=actor,
                action="signatures.revocation_source_changed",
                obj=source,
                changes=audit.diff(before, after),
            )
    return source
