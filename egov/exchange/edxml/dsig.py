"""XML-DSig of edXML messages: enveloped, exclusive canonicalisation, the signature
inside ``edXMLHeader`` (where the standard and the vendors put it).

We sign with RSA-SHA256 / SHA-256. On arrival we also accept RSA-SHA1 (some
vendors still send it) and say so in a warning. The signer's certificate (and the
chain) travel in ``KeyInfo``; whether that certificate is one we trust is judged
by the caller against the trust anchors (see :func:`chains_to`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature as InvalidSignatureError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
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


def sign_with_signxml(root: etree._Element, key: Any, chain: list[x509.Certificate]) -> bytes:
    """The same signature as :func:`sign`, made by signxml (kept to cross-check)."""
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
    found = []
    for cert in node.iter(f"{{{DS}}}X509Certificate"):
        text = "".join((cert.text or "").split())
        found.append(x509.load_der_x509_certificate(base64.b64decode(text)))
    return found


def verify(data: bytes) -> Verification:
    """Check the message's enveloped signature against the certificate it carries.

    The shape we and the vendors send (one reference to the whole document, the
    enveloped-signature and exclusive c14n transforms, RSA) is checked here
    directly with lxml and cryptography: one canonicalisation of the document,
    where signxml makes several copies of it. Any other shape is left to signxml."""
    try:
        root = etree.fromstring(
            data, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as error:
        return Verification(signed=False, valid=False, reason=f"not XML: {error}")
    fast = _verify_plain(root)
    return fast if fast is not None else _verify_with_signxml(data)


def _verify_with_signxml(data: bytes) -> Verification:
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


# --- the plain enveloped shape, without signxml's copies ------------------------------

ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_SIGNATURE_METHODS: dict[str, type[hashes.SHA256] | type[hashes.SHA512] | type[hashes.SHA1]] = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": hashes.SHA1,
}
_DIGESTS = {
    "http://www.w3.org/2001/04/xmlenc#sha256": hashlib.sha256,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashlib.sha512,
    "http://www.w3.org/2000/09/xmldsig#sha1": hashlib.sha1,
}
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


def _ds(name: str) -> str:
    return f"{{{DS}}}{name}"


def _c14n(node: Any) -> bytes:
    return bytes(etree.tostring(node, method="c14n", exclusive=True, with_comments=False))


def sign(root: etree._Element, key: Any, chain: list[x509.Certificate]) -> bytes:
    """``root`` (with a ``ds:Signature Id="placeholder"`` where the signature goes)
    signed with ``key`` (a private key, or anything with the same ``sign``: the
    agency's token), the certificates of ``chain`` (signer first) in ``KeyInfo``.

    XML-DSig enveloped, one reference to the whole document (URI=""), transforms
    enveloped-signature and exclusive c14n, RSA-SHA256 over the exclusive c14n of
    SignedInfo: what signxml makes, in one canonicalisation of the document."""
    placeholder = root.find(f".//{_ds('Signature')}[@Id='placeholder']")
    if placeholder is None:
        raise ValueError("no ds:Signature placeholder in the message")
    parent = placeholder.getparent()
    assert parent is not None
    index = parent.index(placeholder)
    parent.remove(placeholder)
    digest = base64.b64encode(hashlib.sha256(_c14n(root.getroottree())).digest()).decode()
    signature = etree.Element(_ds("Signature"), nsmap={"ds": DS})
    info = etree.SubElement(signature, _ds("SignedInfo"))
    etree.SubElement(info, _ds("CanonicalizationMethod"), Algorithm=EXC_C14N)
    etree.SubElement(info, _ds("SignatureMethod"), Algorithm=RSA_SHA256)
    reference = etree.SubElement(info, _ds("Reference"), URI="")
    transforms = etree.SubElement(reference, _ds("Transforms"))
    etree.SubElement(transforms, _ds("Transform"), Algorithm=ENVELOPED)
    etree.SubElement(transforms, _ds("Transform"), Algorithm=EXC_C14N)
    etree.SubElement(reference, _ds("DigestMethod"), Algorithm=SHA256)
    etree.SubElement(reference, _ds("DigestValue")).text = digest
    value = etree.SubElement(signature, _ds("SignatureValue"))
    x509_data = etree.SubElement(etree.SubElement(signature, _ds("KeyInfo")), _ds("X509Data"))
    for cert in chain:
        der = cert.public_bytes(serialization.Encoding.DER)
        etree.SubElement(x509_data, _ds("X509Certificate")).text = base64.b64encode(der).decode()
    parent.insert(index, signature)
    raw = key.sign(_c14n(info), padding.PKCS1v15(), hashes.SHA256())
    value.text = base64.b64encode(raw).decode()
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _verify_plain(root: etree._Element) -> Verification | None:
    """The check of the plain shape; None when the message has another shape."""
    signatures = root.findall(f".//{_ds('Signature')}")
    if len(signatures) != 1:
        return None
    node = signatures[0]
    info = node.find(_ds("SignedInfo"))
    references = info.findall(_ds("Reference")) if info is not None else []
    if info is None or len(references) != 1 or references[0].get("URI") != "":
        return None
    c14n = info.find(_ds("CanonicalizationMethod"))
    method = info.find(_ds("SignatureMethod"))
    transforms = [
        t.get("Algorithm")
        for t in references[0].iterfind(f"{_ds('Transforms')}/{_ds('Transform')}")
    ]
    digest_method = references[0].find(_ds("DigestMethod"))
    digest_node = references[0].find(_ds("DigestValue"))
    if (
        c14n is None
        or c14n.get("Algorithm") != EXC_C14N
        or len(c14n)
        or method is None
        or method.get("Algorithm") not in _SIGNATURE_METHODS
        or transforms != [ENVELOPED, EXC_C14N]
        or any(len(t) for t in references[0].iter(_ds("Transform")))
        or digest_method is None
        or digest_method.get("Algorithm") not in _DIGESTS
        or digest_node is None
    ):
        return None
    algorithm = str(method.get("Algorithm"))
    try:
        chain = _certificates(node)
    except ValueError as error:
        return Verification(signed=True, valid=False, reason=f"unreadable certificate: {error}")
    if not chain:
        return Verification(signed=True, valid=False, reason="no certificate in the signature")
    warnings = []
    if algorithm.endswith("rsa-sha1") or str(digest_method.get("Algorithm")).endswith("sha1"):
        warnings.append("signature uses RSA-SHA1 (weak; accepted from other vendors)")
    signed_info = _c14n(info)
    try:
        value = base64.b64decode("".join((node.findtext(_ds("SignatureValue")) or "").split()))
        expected = base64.b64decode("".join((digest_node.text or "").split()))
    except ValueError:
        return Verification(signed=True, valid=False, reason="signature value is not base64")
    parent = node.getparent()
    assert parent is not None
    parent.remove(node)
    digest = _DIGESTS[str(digest_method.get("Algorithm"))](_c14n(root.getroottree())).digest()
    if not hmac.compare_digest(digest, expected):
        return Verification(
            signed=True,
            valid=False,
            reason="signature does not match the message: Digest mismatch for reference 0",
            certificates=chain,
            algorithm=algorithm,
        )
    public = chain[0].public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        return None
    try:
        public.verify(value, signed_info, padding.PKCS1v15(), _SIGNATURE_METHODS[algorithm]())
    except InvalidSignatureError:
        return Verification(
            signed=True,
            valid=False,
            reason="signature does not match the message: SignatureValue does not match SignedInfo",
            certificates=chain,
            algorithm=algorithm,
        )
    return Verification(
        signed=True, valid=True, certificates=chain, algorithm=algorithm, warnings=warnings
    )
