"""The remote-signing service's callback: when the signer confirms or refuses on the
phone, the service posts ``{"id", "status", "signature"}`` (signature in base64) to
the platform, the body signed HMAC-SHA256 in ``X-Signature`` with
``EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET``. The answer is kept (one row per request,
the first answer wins) and the signing waiting in this process is woken at once;
one waiting in another process finds the row at its next look. Polling the
service's status stays the fallback (no secret, a lost callback).
"""

from __future__ import annotations

import base64
import json
import threading

from django.conf import settings
from django.db import IntegrityError, transaction

from egov.core.integrations.signing import HeaderSigner, HmacSha256Signer
from egov.signatures.models import RemoteAnswer

SIGNATURE_HEADER = "X-Signature"
FINAL = ("confirmed", "refused", "expired")

_waiting: dict[str, threading.Event] = {}
_guard = threading.Lock()


class BadCallback(Exception):
    """The callback is not signed with the shared secret, or its body is wrong."""


def secret() -> str:
    return str(getattr(settings, "EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET", "") or "")


def enabled() -> bool:
    return bool(secret())


def header_signer() -> HeaderSigner:
    return HeaderSigner(HmacSha256Signer(secret()), SIGNATURE_HEADER)


def expect(request_id: str) -> threading.Event:
    """Register a signing waiting for ``request_id``'s answer; ``forget`` after."""
    with _guard:
        return _waiting.setdefault(request_id, threading.Event())


def forget(request_id: str) -> None:
    with _guard:
        _waiting.pop(request_id, None)


def answer_for(request_id: str) -> RemoteAnswer | None:
    return RemoteAnswer.objects.filter(pk=request_id).first()


def receive(body: bytes, given_signature: str | None) -> RemoteAnswer:
    """Check and keep one callback; a repeated callback is answered with the row
    already kept (the service may retry)."""
    if not enabled() or not header_signer().verify(body, given_signature):
        raise BadCallback("bad signature")
    try:
        payload = json.loads(body)
        request_id = str(payload["id"])[:100]
        status = str(payload["status"])
        signature = base64.b64decode(str(payload.get("signature") or ""), validate=True)
    except (ValueError, KeyError, TypeError):
        raise BadCallback("bad body") from None
    if status not in FINAL or not request_id or (status == "confirmed" and not signature):
        raise BadCallback("bad status")
    try:
        with transaction.atomic():
            row = RemoteAnswer.objects.create(
                request_id=request_id,
                status=status,
                signature=signature if status == "confirmed" else b"",
            )
    except IntegrityError:
        row = RemoteAnswer.objects.get(pk=request_id)
    with _guard:
        event = _waiting.get(request_id)
    if event is not None:
        event.set()
    return row
