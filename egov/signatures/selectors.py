"""Reads other apps may ask of the signatures app.

:func:`certificate_revocation` — is a certificate revoked, and since when? For a
signature that is not a PDF (the document exchange's edXML XML-DSig): the same
revocation sources the operator manages for PDF verification (:mod:`.trust`, CRL
and OCSP rows, fetched by the platform's own client), each answer checked against
the key of the certificate's issuer before it is believed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

#: Reasons that say the key itself may be in other hands: a signature claiming a
#: time before the revocation cannot be believed on the signer's word alone.
COMPROMISE_REASONS = frozenset({"", "unspecified", "key_compromise", "ca_compromise"})


@dataclass(frozen=True)
class CertificateRevocation:
    #: ``good`` (an issuer's answer says not revoked), ``revoked`` or ``unknown`` (no
    #: believable answer: no source, unreachable, issuer not known).
    state: str
    revoked_at: dt.datetime | None = None
    #: RFC 5280 reason as cryptography names it (``key_compromise``…), ``""`` if none.
    reason: str = ""
    unreachable: list[str] = field(default_factory=list)

    def revoked_by(self, moment: dt.datetime) -> bool:
        return self.state == "revoked" and self.revoked_at is not None and self.revoked_at <= moment


def _verify(public_key: Any, signature: bytes, data: bytes, algorithm: Any) -> bool:
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _ocsp_believed(answer: ocsp.OCSPResponse, issuer: x509.Certificate) -> bool:
    """Signed by the issuer, or by a responder certificate the issuer made for OCSP."""
    algorithm = answer.signature_hash_algorithm
    if _verify(issuer.public_key(), answer.signature, answer.tbs_response_bytes, algorithm):
        return True
    for responder in answer.certificates:
        try:
            responder.verify_directly_issued_by(issuer)
            usage = responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
            continue
        if ExtendedKeyUsageOID.OCSP_SIGNING in usage and _verify(
            responder.public_key(), answer.signature, answer.tbs_response_bytes, algorithm
        ):
            return True
    return False


def certificate_revocation(chain_der: list[bytes]) -> CertificateRevocation:
    """What the enabled revocation sources say of ``chain_der[0]`` (its issuer is
    looked for in the rest of the chain and the trust anchors)."""
    from asn1crypto import x509 as asn1_x509

    from egov.signatures import trust

    leaf_asn1 = asn1_x509.Certificate.load(chain_der[0])
    pool = [asn1_x509.Certificate.load(der) for der in chain_der[1:]] + trust.anchors()
    issuer_asn1 = trust._issuer_of(leaf_asn1, pool)
    if issuer_asn1 is None:
        return CertificateRevocation("unknown")
    leaf = x509.load_der_x509_certificate(chain_der[0])
    issuer = x509.load_der_x509_certificate(issuer_asn1.dump())
    found = trust.revocation_for([leaf_asn1], [issuer_asn1])
    answered = False
    revocations: list[tuple[dt.datetime, str]] = []
    for crl_asn1 in found.crls:
        crl = x509.load_der_x509_crl(crl_asn1.dump())
        if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
            continue
        answered = True
        entry = crl.get_revoked_certificate_by_serial_number(leaf.serial_number)
        if entry is not None:
            try:
                reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.name
            except x509.ExtensionNotFound:
                reason = ""
            revocations.append((entry.revocation_date_utc, reason))
    for ocsp_asn1 in found.ocsps:
        try:
            answer = ocsp.load_der_ocsp_response(ocsp_asn1.dump())
        except ValueError:
            continue
        if answer.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            continue
        if not _ocsp_believed(answer, issuer):
            continue
        for single in answer.responses:
            if single.serial_number != leaf.serial_number:
                continue
            answered = True
            if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
                when = single.revocation_time_utc
                if when is not None:
                    reason = single.revocation_reason.name if single.revocation_reason else ""
                    revocations.append((when, reason))
    if revocations:
        when, reason = min(revocations)
        return CertificateRevocation("revoked", when, reason, found.unreachable)
    return CertificateRevocation("good" if answered else "unknown", unreachable=found.unreachable)
