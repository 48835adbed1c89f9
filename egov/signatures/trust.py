"""Trust anchors and revocation information, as pyHanko's validator takes them.

The anchors and revocation sources are rows the operator manages (admin). Chains
are built by ``pyhanko_certvalidator`` from signatures and issuer keys, never by
comparing names. Revocation information is fetched by the platform's own client
(:mod:`egov.signatures.outside`) and handed to the validator, which fetches
nothing itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from django.conf import settings
from pyhanko_certvalidator import ValidationContext

from egov.signatures import outside
from egov.signatures.models import RevocationKind, RevocationSource, TrustAnchor


def demo_allowed() -> bool:
    return bool(getattr(settings, "EGOV_SIGNATURES_DEMO_PKI", False))


def is_demo_certificate(cert: asn1_x509.Certificate) -> bool:
    """Made by the test PKI (its mark in the subject's organisational unit)."""
    from egov.signatures.pki import DEMO_MARK

    unit = cert.subject.native.get("organizational_unit_name") or ""
    return DEMO_MARK in (unit if isinstance(unit, str) else " ".join(unit))


def anchors() -> list[asn1_x509.Certificate]:
    """The enabled trust anchors; the demo's only while the demo PKI is on (by flag,
    and by its mark for a demo root an operator loaded by hand)."""
    rows = TrustAnchor.objects.filter(enabled=True)
    demo = demo_allowed()
    if not demo:
        rows = rows.filter(is_demo=False)
    certs = [asn1_x509.Certificate.load(bytes(row.certificate)) for row in rows]
    return certs if demo else [cert for cert in certs if not is_demo_certificate(cert)]


def _sources(kind: str) -> list[str]:
    rows = RevocationSource.objects.filter(enabled=True, kind=kind)
    if not demo_allowed():
        rows = rows.filter(is_demo=False)
    return list(rows.values_list("url", flat=True))


@dataclass
class Revocation:
    crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    ocsps: list[asn1_ocsp.OCSPResponse] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)


def _issuer_of(
    cert: asn1_x509.Certificate, pool: Iterable[asn1_x509.Certificate]
) -> asn1_x509.Certificate | None:
    """The certificate in ``pool`` whose key signed ``cert`` (checked cryptographically)."""
    from cryptography import x509 as crypto_x509

    child = crypto_x509.load_der_x509_certificate(cert.dump())
    for candidate in pool:
        if candidate.subject != cert.issuer:
            continue  # cheap pre-filter only; the signature decides
        try:
            child.verify_directly_issued_by(crypto_x509.load_der_x509_certificate(candidate.dump()))
        except (ValueError, TypeError, InvalidSignature):
            continue
        return candidate
    return None


def revocation_for(
    leaves: Iterable[asn1_x509.Certificate], pool: Iterable[asn1_x509.Certificate]
) -> Revocation:
    """CRLs of every enabled CRL source, and OCSP answers about each leaf from every
    enabled responder (a source that cannot be reached is listed, not fatal)."""
    found = Revocation()
    for url in _sources(RevocationKind.CRL):
        crl = outside.fetch_crl(url)
        if crl is None:
            found.unreachable.append(url)
        else:
            found.crls.append(crl)
    pool = list(pool)
    responders = _sources(RevocationKind.OCSP)
    for leaf in leaves:
        issuer = _issuer_of(leaf, pool)
        if issuer is None:
            continue
        for url in responders:
            answer = outside.fetch_ocsp(url, leaf, issuer)
            if answer is None:
                found.unreachable.append(url)
            else:
                found.ocsps.append(answer)
    return found


def validation_context(
    other_certs: Iterable[asn1_x509.Certificate],
    revocation: Revocation,
    *,
    moment: dt.datetime | None = None,
) -> ValidationContext:
    return ValidationContext(
        trust_roots=anchors(),
        other_certs=list(other_certs),
        crls=revocation.crls,
        ocsps=revocation.ocsps,
        allow_fetching=False,
        revocation_mode="hard-fail",
        moment=moment,
    )
