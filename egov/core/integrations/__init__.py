"""One shape for every outside system (ADR 7).

An adapter of an outside system (identity provider, payment platform, postal
service, SMS gateway; later the signature service, the document axis, the
integration platform) is written as:

* its **protocol** — URLs, bodies, what the answers mean — in its own app;
* an :class:`~.client.OutsideSystem` that carries every call: the
  :class:`~.transport.Transport` chosen by the system's setting (``http`` or
  ``inprocess``), the timeout, retries with exponential backoff for calls safe to
  repeat, an optional request signer, and one :class:`~egov.core.models.IntegrationCall`
  row per attempt;
* a :class:`~.signing.Signer` for the messages it signs or checks
  (:class:`~.signing.HmacSha256Signer` today; certificates later).
"""

from egov.core.integrations.client import NO_RETRY, OutsideSystem, RetryPolicy, default_retry
from egov.core.integrations.errors import IntegrationError, TransportError
from egov.core.integrations.signing import HeaderSigner, HmacSha256Signer, Signer
from egov.core.integrations.transport import (
    HttpTransport,
    InProcessTransport,
    Request,
    Response,
    Transport,
    transport_for,
)

__all__ = [
    "NO_RETRY",
    "HeaderSigner",
    "HmacSha256Signer",
    "HttpTransport",
    "InProcessTransport",
    "IntegrationError",
    "OutsideSystem",
    "Request",
    "Response",
    "RetryPolicy",
    "Signer",
    "Transport",
    "TransportError",
    "default_retry",
    "transport_for",
]
