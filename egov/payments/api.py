"""JSON API of online payments, mounted at ``/api/v1/payments``.

``POST /api/v1/payments/callback`` — the national payment platform's
server-to-server notification (IPN). No session: the body's HMAC-SHA256 signature
(see :mod:`egov.payments.signing`) is the authentication. The body is a flat JSON
object::

    {"merchant_code": "KG-EGOV", "reference": "TT260302A1B2C3D4E5",
     "transaction_id": "PG1A2B3C4D5E6F", "amount": 150000, "currency": "VND",
     "status": "success", "paid_at": "2026-03-02T09:15:00+07:00",
     "signature": "<hex HMAC-SHA256>"}

``status`` is ``success``, ``failed``, ``cancelled`` or ``expired``.

The answer is always HTTP 200 with ``{"code": ..., "message": ...}`` (the
platform's convention: it reads the code, and retries later on anything but
``00`` or on no answer):

======  ===============================================================
``00``  accepted (``Confirmed`` for a success, ``Recorded`` otherwise);
        the same notification again gets the same answer and changes nothing
``01``  unknown reference
``02``  unknown merchant code
``04``  the amount differs from the payment's (refused, flagged for reconciliation)
``97``  invalid signature (recorded, nothing changed)
``99``  malformed notification (not a JSON object, nested too deep, text that is not
        valid Unicode, unknown status, bad amount)
======  ===============================================================

Every notification, refused or not, is kept as a ``PaymentEvent`` with its raw body.
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from egov.core.request_context import current as request_context
from egov.payments import services

router = Router()


class NotificationAnswerOut(Schema):
    code: str
    message: str


NOTIFICATION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["merchant_code", "reference", "amount", "status", "signature"],
                    "properties": {
                        "merchant_code": {"type": "string"},
                        "reference": {"type": "string"},
                        "transaction_id": {"type": "string"},
                        "amount": {"type": "integer", "description": "whole đồng"},
                        "currency": {"type": "string", "enum": ["VND"]},
                        "status": {
                            "type": "string",
                            "enum": ["success", "failed", "cancelled", "expired"],
                        },
                        "paid_at": {"type": "string", "format": "date-time"},
                        "signature": {"type": "string", "description": "hex HMAC-SHA256"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/callback",
    auth=None,
    url_name="payments_callback",
    response={200: NotificationAnswerOut},
    summary="Payment platform notification (IPN)",
    openapi_extra=NOTIFICATION_BODY,
)
def callback(request: HttpRequest) -> Any:
    """Signed notification of the payment platform; answers ``{"code","message"}``."""
    # NUL cannot be stored in PostgreSQL text; the raw body is kept as evidence.
    raw = request.body.decode("utf-8", "replace").replace("\x00", "\ufffd")
    ip = request_context().ip_address or request.META.get("REMOTE_ADDR")
    answer = services.handle_notification(notification_body(raw), raw, ip)
    return answer.as_dict()


#: Deepest nesting read from a notification; the protocol's messages are flat.
MAX_DEPTH = 8


def notification_body(raw: str) -> Any:
    """The notification as parsed JSON, or ``None`` when it cannot be a notification
    we may read and keep: not JSON, nested deeper than :data:`MAX_DEPTH` (deeper
    bodies exhaust the parser's recursion), or holding text that cannot be stored
    (a lone UTF-16 surrogate such as ``"\\ud920"``, or NUL). ``None`` is recorded
    and answered as malformed (``99``)."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    pending: list[tuple[Any, int]] = [(body, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return None
        if isinstance(value, dict):
            pending.extend((key, depth + 1) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _storable(value):
            return None
    return body


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
