"""One signer interface, three ways to hold a key (ADR 7 adapter shape).

:class:`KeyHolder` is what :func:`egov.signatures.services.sign_pdf` needs: the
signer's certificate and chain, and, for the time of one signing, a pyHanko
``Signer`` computing the raw signature where the key is:

- :class:`TokenKeyHolder` — the signer's PKCS#11 token (a USB token in an office;
  SoftHSM2 in the demo), opened with the PIN the signer types for this signing;
- :class:`AgencyKeyHolder` — the agency's key in the server's token, opened with
  ``EGOV_SIGNATURES_AGENCY_PIN_SECRET`` (organisation signatures, system-issued
  documents);
- :class:`RemoteKeyHolder` — the remote-signing service: the digest goes to the
  service, the signer confirms on the phone, the signature comes back by polling.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov.signatures import errors, tokens
from egov.signatures.models import KeyKind, SigningKey
from egov.signatures.outside import RemoteSigningService


def split_chain(blob: bytes) -> list[asn1_x509.Certificate]:
    """Certificates from concatenated DER."""
    found: list[asn1_x509.Certificate] = []
    rest = bytes(blob)
    while rest:
        cert = asn1_x509.Certificate.load(rest)
        size = len(cert.dump())
        found.append(asn1_x509.Certificate.load(rest[:size]))
        rest = rest[size:]
    return found


class KeyHolder(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def certificate(self) -> asn1_x509.Certificate: ...

    @property
    def chain(self) -> list[asn1_x509.Certificate]: ...

    def signer(self) -> Any:
        """A context manager yielding a pyHanko ``Signer`` for one signing."""
        ...


class _StoredKey:
    kind = ""

    def __init__(self, key: SigningKey) -> None:
        self.key = key

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(bytes(self.key.certificate))

    @property
    def chain(self) -> list[asn1_x509.Certificate]:
        return split_chain(bytes(self.key.chain))

    def _pkcs11_signer(self, opened: Any) -> Signer:
        from pyhanko.sign.pkcs11 import PKCS11Signer

        return PKCS11Signer(
            opened,
            key_label=self.key.key_label,
            signing_cert=self.certificate,
            ca_chain=self.chain,
            embed_roots=True,
        )


class TokenKeyHolder(_StoredKey):
    """The signer's own token; ``pin`` is used for this signing and dropped."""

    kind = KeyKind.TOKEN

    def __init__(self, key: SigningKey, pin: str) -> None:
        super().__init__(key)
        self._pin = pin

    @contextmanager
    def signer(self) -> Iterator[Signer]:
        with tokens.session(self.key.token_label, self._pin) as opened:
            self._pin = ""
            yield self._pkcs11_signer(opened)


class AgencyKeyHolder(_StoredKey):
    """The agency's key in the server's token."""

    kind = KeyKind.AGENCY

    @contextmanager
    def signer(self) -> Iterator[Signer]:
        label = self.key.token_label or str(settings.EGOV_SIGNATURES_AGENCY_TOKEN_LABEL)
        pin = str(settings.EGOV_SIGNATURES_AGENCY_PIN_SECRET or "")
        with tokens.session(label, pin) as opened:
            yield self._pkcs11_signer(opened)


class RemoteSigner(Signer):
    """A pyHanko signer whose raw signature is made by the remote-signing service:
    the digest of the signed attributes is sent; the service's callback brings the
    signer's answer (:mod:`egov.signatures.callbacks`), and the status is polled
    every ``poll`` seconds as the fallback, until the signer confirms, refuses, or
    ``wait`` runs out. ``sleep`` (tests) replaces the wait for the callback."""

    def __init__(
        self,
        *,
        service: RemoteSigningService,
        account: str,
        description: str,
        certificate: asn1_x509.Certificate,
        chain: list[asn1_x509.Certificate],
        wait: float,
        poll: float,
        sleep: Callable[[float], None] | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            signing_cert=certificate,
            cert_registry=SimpleCertificateStore.from_certs(chain),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
            embed_roots=True,
        )
        self.service = service
        self.account = account
        self.description = description
        self.wait = wait
        self.poll = poll
        self.sleep = sleep
        self.clock = clock

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        cert = self.signing_cert
        assert cert is not None
        size = cert.public_key.bit_size // 8
        if dry_run:
            return bytes(size)
        from egov.signatures.running import in_caller

        return await in_caller(lambda: self._remote_signature(data, digest_algorithm))

    def _remote_signature(self, data: bytes, digest_algorithm: str) -> bytes:
        from egov.signatures import callbacks
        from egov.signatures.outside import RemoteStatus, remote_callback_url

        digest = hashlib.new(digest_algorithm, data).digest()
        pushed = callbacks.enabled()
        request_id = self.service.request(
            self.account,
            digest,
            digest_algorithm,
            self.description,
            callback_url=remote_callback_url() if pushed else "",
        )
        event = callbacks.expect(request_id) if pushed else None
        deadline = self.clock() + self.wait
        try:
            first = True
            while True:
                kept = callbacks.answer_for(request_id) if pushed else None
                if kept is not None:  # the service's callback came: no query needed
                    answer = RemoteStatus(kept.status, bytes(kept.signature))
                elif pushed and first:
                    answer = RemoteStatus("pending")  # wait for the callback first
                else:  # the fallback: ask the service
                    answer = self.service.status(request_id)
                first = False
                if answer.status == "confirmed" and answer.signature:
                    return answer.signature
                if answer.status == "refused":
                    raise errors.RemoteRefused()
                if answer.status != "pending" or self.clock() >= deadline:
                    raise errors.RemoteTimedOut(int(self.wait))
                self._pause(event, min(self.poll, max(0.0, deadline - self.clock())))
        finally:
            if event is not None:
                callbacks.forget(request_id)

    def _pause(self, event: threading.Event | None, seconds: float) -> None:
        """Wait ``seconds`` or until the callback arrives in this process."""
        if self.sleep is not None:
            self.sleep(seconds)
        elif event is not None:
            event.wait(seconds)
        else:
            time.sleep(seconds)


class RemoteKeyHolder(_StoredKey):
    kind = KeyKind.REMOTE

    def __init__(
        self,
        key: SigningKey,
        *,
        description: str,
        service: RemoteSigningService | None = None,
        sleep: Callable[[float], None] | None = None,
        wait: float | None = None,
    ) -> None:
        super().__init__(key)
        self.description = description
        self.service = service or RemoteSigningService()
        self.sleep = sleep
        self.wait = float(settings.EGOV_SIGNATURES_REMOTE_WAIT_SECONDS if wait is None else wait)

    @contextmanager
    def signer(self) -> Iterator[Signer]:
        yield RemoteSigner(
            service=self.service,
            account=self.key.remote_account,
            description=self.description,
            certificate=self.certificate,
            chain=self.chain,
            wait=self.wait,
            poll=float(settings.EGOV_SIGNATURES_REMOTE_POLL_SECONDS),
            sleep=self.sleep,
        )
