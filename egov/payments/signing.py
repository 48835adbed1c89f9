"""Signatures exchanged with the national payment platform.

Every message (the payment request in the redirect URL, the parameters of the
browser's return, the body of the server-to-server notification, the status
query and its answer) carries ``signature``: the lower-case hex HMAC-SHA256, keyed
with the merchant secret (``EGOV_PAYGOV_SECRET``), of the **canonical string** of
its other parameters: every parameter except ``signature``, sorted by name,
written ``name=value`` and joined with ``&``, values as text without URL encoding
(integers in decimal, ``None`` as the empty string, booleans ``true``/``false``),
UTF-8 encoded. Example::

    amount=150000&currency=VND&merchant_code=KG-EGOV&reference=TT2603020001AB

Nested values are not allowed: every message is flat.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from egov.core.integrations import HmacSha256Signer

SIGNATURE_FIELD = "signature"


class BadMessage(ValueError):
    """A message that is not flat or lacks its signature."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple, set, float)):
        # Floats would make amounts ambiguous; nesting would make the string ambiguous.
        raise BadMessage(f"value of type {type(value).__name__} cannot be signed")
    return str(value)


def canonical(params: Mapping[str, Any]) -> str:
    """The string that is signed (see the module's description)."""
    return "&".join(
        f"{name}={_text(params[name])}" for name in sorted(params) if name != SIGNATURE_FIELD
    )


def _signer(secret: str | None) -> HmacSha256Signer:
    return HmacSha256Signer(secret if secret is not None else str(settings.EGOV_PAYGOV_SECRET))


def sign(params: Mapping[str, Any], secret: str | None = None) -> str:
    return _signer(secret).sign(canonical(params).encode())


def signed(params: Mapping[str, Any], secret: str | None = None) -> dict[str, Any]:
    """``params`` with their ``signature`` added."""
    values = {k: v for k, v in params.items() if k != SIGNATURE_FIELD}
    values[SIGNATURE_FIELD] = sign(values, secret)
    return values


def verify(params: Mapping[str, Any], secret: str | None = None) -> bool:
    """Whether ``params`` carry a valid signature (constant-time comparison)."""
    given = params.get(SIGNATURE_FIELD)
    if not isinstance(given, str) or not given:
        return False
    try:
        message = canonical(params).encode()
    except (BadMessage, UnicodeEncodeError):  # a lone surrogate cannot be signed
        return False
    return _signer(secret).verify(message, given)
