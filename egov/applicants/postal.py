"""The public postal service (bưu chính công ích, VNPost) as the platform sees it.

:class:`PostalAdapter` is what the rest of the app calls: book the pick-up of a
result at the one-stop unit for delivery to the applicant (→ tracking number),
cancel a booking. Delivery statuses come back as signed callbacks (see
:func:`sign` / :func:`verify`), handled in :mod:`egov.applicants.services`.

:class:`HttpPostalClient` speaks JSON to ``APPLICANTS_POSTAL_API_URL``:

- ``POST {base}/parcels`` with ``{"reference", "sender", "pickup_address",
  "recipient": {"name", "address", "phone"}, "note", "callback_url"}`` →
  ``201 {"tracking_number", "status"}`` (``200`` with the same number when the
  reference was already booked: retries never book twice);
- ``POST {base}/parcels/{tracking_number}/cancel`` → ``200 {"status": "cancelled"}``;
- errors: ``4xx/5xx {"code", "message"}``.

Callbacks: ``POST callback_url`` with ``{"event_id", "tracking_number",
"status": "picked_up"|"in_transit"|"delivered"|"failed", "reason", "at"}`` and the
header ``X-Postal-Signature: sha256=<hex HMAC-SHA256 of the raw body>``.

:class:`InProcessTransport` is a ``requests`` transport that hands requests to
Django's test :class:`~django.test.Client` in the same process, so tests (and a
single-process demo, ``APPLICANTS_POSTAL_INPROCESS``) exercise the real HTTP
client against the real simulator without a network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

SIGNATURE_HEADER = "X-Postal-Signature"
CALLBACK_STATUSES = ("picked_up", "in_transit", "delivered", "failed")


class PostalError(Exception):
    """The postal service refused or could not be reached; ``retry`` says whether
    trying again later may help."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


@dataclass(frozen=True)
class Booking:
    reference: str
    sender: str
    pickup_address: str
    recipient_name: str
    address: str
    phone: str
    note: str = ""


class PostalAdapter(Protocol):
    def book(self, booking: Booking) -> str:
        """Book the pick-up; return the tracking number. Raises :class:`PostalError`."""
        ...

    def cancel(self, tracking_number: str) -> None: ...


# --- signatures ----------------------------------------------------------------------


def sign(body: bytes, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.APPLICANTS_POSTAL_CALLBACK_SECRET).encode()
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str | None, secret: str | None = None) -> bool:
    if not signature:
        return False
    return hmac.compare_digest(sign(body, secret), signature.strip())


def callback_url() -> str:
    configured = getattr(settings, "APPLICANTS_POSTAL_CALLBACK_URL", "")
    if configured:
        return str(configured)
    base = str(getattr(settings, "EGOV_PUBLIC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}/api/v1/me/postal/callback"


# --- transport -------------------------------------------------------------------------


class InProcessTransport(BaseAdapter):
    """Send a ``requests`` request to this Django process through the test Client."""

    def send(self, request: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        from django.test import Client

        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {
            key: value
            for key, value in request.headers.items()
            if key.lower() not in ("content-length", "host", "content-type")
        }
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        answer = Client(raise_request_exception=False, SERVER_NAME=parts.hostname or "testserver")
        reply = answer.generic(
            request.method,
            path,
            data=body,
            content_type=request.headers.get("Content-Type", "application/octet-stream"),
            headers=headers,
        )
        response = requests.Response()
        response.status_code = reply.status_code
        response._content = reply.content
        response.headers = CaseInsensitiveDict(dict(reply.items()))
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def http_session() -> requests.Session:
    session = requests.Session()
    if getattr(settings, "APPLICANTS_POSTAL_INPROCESS", False):
        transport = InProcessTransport()
        session.mount("http://", transport)
        session.mount("https://", transport)
    return session


# --- the HTTP client -------------------------------------------------------------------


class HttpPostalClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 10,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.session = session or http_session()

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            reply = self.session.post(
                f"{self.base_url}{path}",
                data=json.dumps(payload).encode(),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {self.api_key}",
                },
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise PostalError(f"postal service unreachable: {error}") from error
        try:
            data = reply.json()
        except ValueError:
            data = {}
        if reply.status_code >= 400:
            message = str(data.get("message") or f"HTTP {reply.status_code}")
            # 4xx other than 408/429: the request itself is wrong; retrying will not help.
            retry = reply.status_code >= 500 or reply.status_code in (408, 429)
            raise PostalError(message, retry=retry)
        return data if isinstance(data, dict) else {}

    def book(self, booking: Booking) -> str:
        data = self._post(
            "/parcels",
            {
                "reference": booking.reference,
                "sender": booking.sender,
                "pickup_address": booking.pickup_address,
                "recipient": {
                    "name": booking.recipient_name,
                    "address": booking.address,
                    "phone": booking.phone,
                },
                "note": booking.note,
                "callback_url": callback_url(),
            },
        )
        number = str(data.get("tracking_number") or "")
        if not number:
            raise PostalError("the postal service answered without a tracking number")
        return number

    def cancel(self, tracking_number: str) -> None:
        self._post(f"/parcels/{tracking_number}/cancel", {})


def get_adapter() -> PostalAdapter | None:
    """The adapter the settings choose, or ``None`` when post is not offered."""
    name = str(getattr(settings, "APPLICANTS_POSTAL_ADAPTER", "http")).lower()
    if name == "none":
        return None
    if name != "http":
        raise ValueError(f"unknown APPLICANTS_POSTAL_ADAPTER {name!r}")
    return HttpPostalClient(
        settings.APPLICANTS_POSTAL_API_URL,
        settings.APPLICANTS_POSTAL_API_KEY,
        timeout=settings.APPLICANTS_POSTAL_TIMEOUT_SECONDS,
    )


def post_offered() -> bool:
    return str(getattr(settings, "APPLICANTS_POSTAL_ADAPTER", "http")).lower() != "none"
