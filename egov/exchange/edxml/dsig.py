"""XML-DSig of edXML messages: enveloped, exclusive canonicalisation, the signature
inside ``edXMLHeader`` (where the standard and the vendors put it).

We sign with RSA-SHA256 / SHA-256. On arrival we also accept RSA-SHA1 (some
vendors still send it) and say so in a warning. The signer's certificate (and the
chain) travel in ``KeyInfo``; whether that certificate is one we trust is judged
by the caller against the trust anchors (see :func:`chains_to`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature as InvalidSignatureError
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import SignatureConfiguration, SignatureMethod, XMLSigner, XMLVerifier, methods
from signxml.algorithms import DigestAlgorithm
from signxml.exceptions import InvalidInput, InvalidSignature

from egov.exchange.edxml.model import DS

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

_SIGNER_CACHE: dict[str, XMLSigner] = {}


def _signer() -> XMLSigner:
    signer = _SIGNER_CACHE.get("rsa")
    if signer is None:
        signer = XMLSigner(
            method=methods.enveloped,
            signature_algorithm=SignatureMethod.RSA_SHA256,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=EXC_C14N,
        )
        signer.namespaces = {"ds": DS}
        _SIGNER_CACHE["rsa"] = signer
    return signer


def sign(root: etree._Element, key: Any, chain: list[x509.Certificate]) -> bytes:
    """``root`` (with a ``ds:Signature Id="placeholder"`` where the signature goes)
    signed with ``key`` (a private key, or anything with the same ``sign``), the
    certificates of ``chain`` (signer first) in ``KeyInfo``."""
    pems = [c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in chain]
    signed = _signer().sign(root, key=key, cert=pems)
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


@dataclass
class Verification:
    """``valid``: the signature matches the message; ``certificates``: the chain the
    message carries (signer first); ``warnings``: what was accepted but is weak."""

    signed: bool
    valid: bool
    reason: str = ""
    certificates: list[x509.Certificate] = field(default_factory=list)
    algorithm: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def signer(self) -> x509.Certificate | None:
        return self.certificates[0] if self.certificates else None


_LENIENT = SignatureConfiguration(
    require_x509=True,
    location=".//",
    signature_methods=frozenset(
        {SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA512, SignatureMethod.RSA_SHA1}
    ),
    digest_algorithms=frozenset(
        {DigestAlgorithm.SHA256, DigestAlgorithm.SHA512, DigestAlgorithm.SHA1}
    ),
)


def _certificates(node: etree._Element) -> list[x509.Certificate]:
    import base64

    found = []
    for cert in node.iter(f"{{{DS}}}X509Certificate"):
        text = "".join((cert.text or "").split())
        found.append(x509.load_der_x509_certificate(base64.b64decode(text)))
    return found


def verify(data: bytes) -> Verification:
    """Check the message's enveloped signature against the certificate it carries."""
    try:
        root = etree.fromstring(
            data, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as error:
        return Verification(signed=False, valid=False, reason=f"not XML: {error}")
    signatures = root.findall(f".//{{{DS}}}Signature")
    if not signatures:
        return Verification(signed=False, valid=False, reason="the message is not signed")
    if len(signatures) > 1:
        return Verification(signed=True, valid=False, reason="more than one signature")
    node = signatures[0]
    method = node.find(f"{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod")
    algorithm = method.get("Algorithm", "") if method is not None else ""
    try:
        chain = _certificates(node)
    except ValueError as error:
        return Verification(signed=True, valid=False, reason=f"unreadable certificate: {error}")
    if not chain:
        return Verification(signed=True, valid=False, reason="no certificate in the signature")
    warnings = []
    if algorithm.endswith("rsa-sha1"):
        warnings.append("signature uses RSA-SHA1 (weak; accepted from other vendors)")
    try:
        XMLVerifier().verify(root, x509_cert=chain[0], expect_config=_LENIENT)
    except (InvalidSignature, InvalidInput) as error:
        return Verification(
            signed=True,
            valid=False,
            reason=f"signature does not match the message: {error}",
            certificates=chain,
            algorithm=algorithm,
        )
    return Verification(
        signed=True, valid=True, certificates=chain, algorithm=algorithm, warnings=warnings
    )


def _issued_by(cert: x509.Certificate, candidate: x509.Certificate) -> bool:
    if candidate.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(candidate)
    except (ValueError, TypeError, InvalidSignatureError):
        return False
    return True


def chains_to(
    chain: list[x509.Certificate], anchors: list[x509.Certificate], at: dt.datetime
) -> str:
    """Empty when ``chain[0]`` leads to one of ``anchors`` through the others of
    ``chain`` (each link checked cryptographically, each certificate valid at
    ``at``); else the reason it does not."""
    if not chain:
        return "no certificate"
    pool = list(chain[1:]) + list(anchors)
    current = chain[0]
    anchor_der = {a.public_bytes(serialization.Encoding.DER) for a in anchors}
    for _step in range(6):
        if not (current.not_valid_before_utc <= at <= current.not_valid_after_utc):
            return f"certificate {current.subject.rfc4514_string()} is not valid at that time"
        if current.public_bytes(serialization.Encoding.DER) in anchor_der:
            return ""
        issuer = next((c for c in pool if c != current and _issued_by(current, c)), None)
        if issuer is None or issuer == current:
            return f"certificate {current.subject.rfc4514_string()} leads to no trusted root"
        if issuer.public_bytes(serialization.Encoding.DER) in anchor_der:
            return ""
        current = issuer
    return "certificate chain too long"
