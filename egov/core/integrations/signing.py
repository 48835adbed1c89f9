"""Signatures on messages exchanged with outside systems.

A :class:`Signer` turns bytes into a signature text and checks one. Today every
system shares a secret with us, so the one implementation is
:class:`HmacSha256Signer` (lower-case hex HMAC-SHA256, compared in constant
time); a certificate-based signer (e.g. the national digital-signature service)
implements the same two methods. What is signed (a raw body, a canonical string
of parameters) is each protocol's business and stays in its adapter.

:class:`HeaderSigner` applies a signer to outgoing requests: it signs the body
and puts the signature in a header, as webhook-style protocols want.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol

from egov.core.integrations.transport import Request


class Signer(Protocol):
    algorithm: str

    def sign(self, message: bytes) -> str: ...

    def verify(self, message: bytes, signature: str) -> bool: ...


class HmacSha256Signer:
    algorithm = "HMAC-SHA256"

    def __init__(self, secret: str | bytes) -> None:
        self._key = secret.encode() if isinstance(secret, str) else bytes(secret)

    def sign(self, message: bytes) -> str:
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def verify(self, message: bytes, signature: str) -> bool:
        # A hex digest is ASCII; compare_digest raises TypeError on anything else.
        if not isinstance(signature, str) or not signature or not signature.isascii():
            return False
        return hmac.compare_digest(self.sign(message), signature.strip().lower())


class RequestSigner(Protocol):
    def apply(self, request: Request) -> Request: ...


class HeaderSigner:
    """Signs each request's body into ``header`` as ``<prefix><signature>``."""

    def __init__(self, signer: Signer, header: str, prefix: str = "") -> None:
        self.signer = signer
        self.header = header
        self.prefix = prefix

    def signature(self, body: bytes) -> str:
        return self.prefix + self.signer.sign(body)

    def verify(self, body: bytes, given: str | None) -> bool:
        if not given:
            return False
        given = given.strip()
        if not given.startswith(self.prefix):
            return False
        return self.signer.verify(body, given[len(self.prefix) :])

    def apply(self, request: Request) -> Request:
        headers = dict(request.headers)
        headers[self.header] = self.signature(request.body)
        return Request(request.method, request.url, headers, request.body)
