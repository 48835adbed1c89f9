"""How the relying party reaches the identity provider's back channel.

The OpenID Connect code flow needs four server-to-server calls: the discovery
document, the signing keys (JWKS), the token endpoint and userinfo. They go
through :class:`egov.core.integrations.OutsideSystem` (system ``identity``):
the transport chosen by ``EGOV_IDENTITY_HTTP_TRANSPORT`` (``http``, or
``inprocess``: this Django application itself, so unit tests run the real
protocol against the simulator without a network, and a single-process demo
server can reach its own simulator), the timeout ``EGOV_IDENTITY_HTTP_TIMEOUT``,
retries of the reads, and the call log.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings

from egov.core.integrations import (
    OutsideSystem,
    Response,
    Transport,
    TransportError,
    default_retry,
    transport_for,
)

__all__ = ["TransportError", "basic_auth_header", "json_object", "provider_system", "transport"]


def transport() -> Transport:
    """The transport chosen by ``EGOV_IDENTITY_HTTP_TRANSPORT``."""
    return transport_for(settings.EGOV_IDENTITY_HTTP_TRANSPORT)


def provider_system(via: Transport | None = None) -> OutsideSystem:
    return OutsideSystem(
        "identity",
        transport=via or transport(),
        timeout=settings.EGOV_IDENTITY_HTTP_TIMEOUT,
        retry=default_retry(),
    )


def basic_auth_header(client_id: str, secret: str) -> str:
    """RFC 6749 2.3.1: both parts form-urlencoded before Base64."""
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}"
    return "Basic " + base64.b64encode(raw.encode()).decode("ascii")


def json_object(answer: Response) -> dict[str, Any]:
    """The answer's body as a JSON object; :class:`TransportError` when it is not."""
    try:
        body = answer.json() if answer.body else {}
    except ValueError as exc:
        raise TransportError(f"not JSON (HTTP {answer.status})") from exc
    if not isinstance(body, dict):
        raise TransportError(f"not a JSON object (HTTP {answer.status})")
    return body
