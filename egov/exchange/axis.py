"""The adapter of the national document axis (VDXP), ADR 7 shape: the protocol
here, every call through one :class:`~egov.core.integrations.OutsideSystem`.

Calls (as public SDKs show the axis; paths under ``EGOV_EXCHANGE_AXIS_URL``):

- ``GET  agencies`` — the national list of agencies (``{"agencies": [{organ_id, name}]}``);
- ``POST agencies`` — register the agencies this system serves;
- ``POST messages`` — send one edXML message to one agency; headers ``from``,
  ``to``, ``servicetype: eDoc``, ``messagetype`` (``edoc`` or ``status``) and
  ``X-Send-Key``: the axis keeps one message per (system, send key, recipient), so a
  send repeated after a timeout or a crash is not doubled (answer ``duplicate``);
- ``GET  received`` — messages waiting for this system's agencies;
- ``GET  messages/<id>`` — one message's edXML;
- ``POST messages/<id>/status`` — ``done``, ``fail`` or ``processing``.

Every request carries ``X-Axis-System``, ``X-Axis-Timestamp`` and
``X-Axis-Signature``: HMAC-SHA256 (lower-case hex) over system id, timestamp,
content type and body, one per line (:func:`signing_string`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from egov.core.integrations.client import NO_RETRY, OutsideSystem, default_retry
from egov.core.integrations.errors import IntegrationError, TransportError
from egov.core.integrations.signing import HmacSha256Signer
from egov.core.integrations.transport import Request, Response, transport_for

SYSTEM_HEADER = "X-Axis-System"
TIME_HEADER = "X-Axis-Timestamp"
SIGNATURE_HEADER = "X-Axis-Signature"
SEND_KEY_HEADER = "X-Send-Key"


class AxisError(IntegrationError):
    """The axis answered with a refusal (``refused``) or could not be used."""

    def __init__(self, message: str, *, refused: bool = False, timeout: bool = False) -> None:
        super().__init__(message)
        self.refused = refused
        self.timeout = timeout


def signing_string(system: str, timestamp: str, content_type: str, body: bytes) -> bytes:
    return f"{system}\n{timestamp}\n{content_type}\n".encode() + body


class AxisRequestSigner:
    """Signs each request with the platform's system id and shared secret."""

    def __init__(self, system: str, secret: str, clock: Any = time.time) -> None:
        self.system = system
        self.signer = HmacSha256Signer(secret)
        self.clock = clock

    def apply(self, request: Request) -> Request:
        stamp = str(int(self.clock()))
        content_type = ""
        for name, value in request.headers.items():
            if name.lower() == "content-type":
                content_type = value
        signature = self.signer.sign(signing_string(self.system, stamp, content_type, request.body))
        return request.with_headers(
            **{SYSTEM_HEADER: self.system, TIME_HEADER: stamp, SIGNATURE_HEADER: signature}
        )


def base_url() -> str:
    if settings.EGOV_EXCHANGE_AXIS_URL:
        return str(settings.EGOV_EXCHANGE_AXIS_URL).rstrip("/")
    root = str(settings.EGOV_SIGNATURES_SIMULATOR_BASE_URL).rstrip("/")
    return f"{root}/lien-thong/mo-phong/api"


@dataclass(frozen=True)
class Envelope:
    axis_id: str
    sender: str
    recipient: str
    message_type: str


@dataclass(frozen=True)
class Sent:
    axis_id: str
    duplicate: bool


class Axis:
    def __init__(
        self,
        *,
        system: str | None = None,
        secret: str | None = None,
        base: str | None = None,
        transport: Any = None,
    ) -> None:
        self.system = system or str(settings.EGOV_EXCHANGE_SYSTEM_ID)
        secret = secret if secret is not None else str(settings.EGOV_EXCHANGE_SECRET or "")
        if not secret:
            raise AxisError("EGOV_EXCHANGE_SECRET is empty: the axis cannot be called")
        self.base = (base or base_url()).rstrip("/")
        self.transport = transport or transport_for(settings.EGOV_EXCHANGE_TRANSPORT)
        self._signer = AxisRequestSigner(self.system, secret)

    def _client(self, *, retry: bool) -> OutsideSystem:
        return OutsideSystem(
            "document_axis",
            transport=self.transport,
            timeout=float(settings.EGOV_EXCHANGE_TIMEOUT_SECONDS),
            retry=default_retry() if retry else NO_RETRY,
            signer=self._signer,
        )

    @staticmethod
    def _json(response: Response, operation: str) -> Any:
        if response.status in (401, 403, 409, 422):
            raise AxisError(
                f"{operation}: refused ({response.status}) {response.text[:200]}", refused=True
            )
        if response.status >= 300:
            raise AxisError(f"{operation}: HTTP {response.status}")
        try:
            return response.json()
        except ValueError:
            raise AxisError(f"{operation}: the answer is not JSON") from None

    def _do(self, operation: str, call: Any) -> Response:
        try:
            answer: Response = call()
        except TransportError as error:
            raise AxisError(f"{operation}: {error}", timeout=error.timeout) from None
        return answer

    # --- the calls --------------------------------------------------------------------

    def agencies(self) -> list[dict[str, str]]:
        answer = self._do(
            "agencies", lambda: self._client(retry=True).get("agencies", f"{self.base}/agencies")
        )
        body = self._json(answer, "agencies")
        return [
            {"organ_id": str(a["organ_id"]), "name": str(a.get("name", ""))}
            for a in body.get("agencies", [])
            if a.get("organ_id")
        ]

    def register(self, agencies: list[dict[str, str]]) -> int:
        answer = self._do(
            "register",
            lambda: self._client(retry=True).post_json(
                "register", f"{self.base}/agencies", {"agencies": agencies}, idempotent=True
            ),
        )
        return int(self._json(answer, "register").get("registered", 0))

    def send(
        self, *, sender: str, recipient: str, message_type: str, body: bytes, send_key: str
    ) -> Sent:
        """Send one message; safe to repeat with the same ``send_key``."""
        headers = {
            "from": sender,
            "to": recipient,
            "servicetype": "eDoc",
            "messagetype": message_type,
            SEND_KEY_HEADER: send_key,
        }
        answer = self._do(
            "send",
            lambda: self._client(retry=False).post_bytes(
                "send",
                f"{self.base}/messages",
                body,
                "application/xml",
                headers=headers,
                idempotent=True,
            ),
        )
        data = self._json(answer, "send")
        return Sent(axis_id=str(data["id"]), duplicate=bool(data.get("duplicate")))

    def received(self) -> list[Envelope]:
        answer = self._do(
            "received", lambda: self._client(retry=True).get("received", f"{self.base}/received")
        )
        data = self._json(answer, "received")
        return [
            Envelope(
                axis_id=str(m["id"]),
                sender=str(m.get("from", "")),
                recipient=str(m.get("to", "")),
                message_type=str(m.get("messagetype", "")),
            )
            for m in data.get("messages", [])
        ]

    def get(self, axis_id: str) -> bytes:
        answer = self._do(
            "get",
            lambda: self._client(retry=True).get(
                "get", f"{self.base}/messages/{axis_id}", headers={"Accept": "application/xml"}
            ),
        )
        if answer.status != 200:
            raise AxisError(f"get: HTTP {answer.status}", refused=answer.status in (403, 404))
        return answer.body

    def update_status(self, axis_id: str, status: str) -> None:
        if status not in ("done", "fail", "processing"):
            raise ValueError(status)
        answer = self._do(
            "update_status",
            lambda: self._client(retry=True).post_json(
                "update_status",
                f"{self.base}/messages/{axis_id}/status",
                {"status": status},
                idempotent=True,
            ),
        )
        self._json(answer, "update_status")


def parse_json(body: bytes) -> Any:
    return json.loads(body.decode("utf-8") or "null")
