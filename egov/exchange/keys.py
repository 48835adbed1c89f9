"""The agency keys edXML messages are signed with, and the anchors they are checked
against: both held by the signatures app (the agency's key in the server's PKCS#11
token, ``holder_for_agency``; the trust anchors). ``provider`` can be replaced (the
benchmark signs with a key in memory)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cryptography import x509

from egov.core.models import Unit


class _TokenKey:
    """What signxml needs of a private key (``sign``), computed in the token."""

    def __init__(self, signer: Any) -> None:
        self._signer = signer

    def sign(self, data: bytes, padding: Any = None, algorithm: Any = None) -> bytes:
        result: bytes = asyncio.run(self._signer.async_sign_raw(data, "sha256"))
        return result


@contextmanager
def _agency_key(organ_id: str) -> Iterator[tuple[Any, list[x509.Certificate]]]:
    from egov.signatures import errors
    from egov.signatures import services as signatures

    unit = Unit.objects.filter(code=organ_id).first()
    if unit is None:
        raise LookupError(f"no agency on the platform has the code {organ_id}")
    try:
        holder = signatures.holder_for_agency(unit)
    except errors.NoSigningKey:
        if not _demo_keys_allowed():
            raise
        yield _demo_key(unit)
        return
    chain = [x509.load_der_x509_certificate(c.dump()) for c in [holder.certificate, *holder.chain]]
    with holder.signer() as signer:
        yield _TokenKey(signer), chain


def _demo_keys_allowed() -> bool:
    from django.conf import settings

    return bool(settings.EGOV_DEMO and settings.EGOV_SIGNATURES_DEMO_PKI)


def _demo_key(unit: Unit) -> tuple[Any, list[x509.Certificate]]:
    """Demo only (``EGOV_DEMO`` and the demo PKI): an agency without a key in the
    token signs with a file key issued by the demo CA, made once and kept beside it."""
    from egov.signatures import pki

    _root, ca, _tsa = pki.ensure_authorities()
    name = f"exchange-{unit.code}"
    held = pki.load_test_signer(name)
    if held is None or held.key is None:
        key = pki.new_file_key()
        cert = pki.issue(key.public_key(), pki.subject(unit.name, unit.name), ca)
        held = pki.save_test_signer(name, pki.Issued(cert, key))
    return held.key, [held.cert, ca.cert]


KeyProvider = Callable[[str], Any]
provider: KeyProvider = _agency_key


def signing_key(organ_id: str) -> Any:
    """A context manager yielding (key, chain) of agency ``organ_id``."""
    return provider(organ_id)


def anchors() -> list[x509.Certificate]:
    from egov.signatures import trust

    return [x509.load_der_x509_certificate(a.dump()) for a in trust.anchors()]


def revocation(chain: list[x509.Certificate]) -> Any:
    """What the signatures app's revocation sources say of ``chain[0]``
    (:class:`egov.signatures.selectors.CertificateRevocation`)."""
    from cryptography.hazmat.primitives import serialization

    from egov.signatures import selectors

    return selectors.certificate_revocation(
        [cert.public_bytes(serialization.Encoding.DER) for cert in chain]
    )
