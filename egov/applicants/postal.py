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
- ``GET {base}/parcels/{tracking_number}`` → ``200 {"tracking_number", "status",
  "reason", "updated_at"}`` (the tracking state; ``404`` for an unknown number);
- errors: ``4xx/5xx {"code", "message"}``.

Callbacks: ``POST callback_url`` with ``{"event_id", "tracking_number",
"status": "picked_up"|"in_transit"|"delivered"|"failed", "reason", "at"}`` and the
header ``X-Postal-Signature: sha256=<hex HMAC-SHA256 of the raw body>``.

Calls go through :class:`egov.core.integrations.OutsideSystem` (system
``postal``): ``APPLICANTS_POSTAL_INPROCESS`` chooses the in-process transport
(tests and a single-process demo run the real client against the real
simulator without a network), ``APPLICANTS_POSTAL_TIMEOUT_SECONDS`` the timeout.
Bookings are queued and retried by :func:`egov.applicants.services.book_pending_parcels`,
so one run makes one attempt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from django.conf import settings

from egov.core.integrations import (
    NO_RETRY,
    HeaderSigner,
    HmacSha256Signer,
    OutsideSystem,
    TransportError,
    transport_for,
)

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


def callback_signer(secret: str | None = None) -> HeaderSigner:
    key = secret if secret is not None else settings.APPLICANTS_POSTAL_CALLBACK_SECRET
    return HeaderSigner(HmacSha256Signer(key), SIGNATURE_HEADER, prefix="sha256=")


def sign(body: bytes, secret: str | None = None) -> str:
    return callback_signer(secret).signature(body)


def verify(body: bytes, signature: str | None, secret: str | None = None) -> bool:
    return callback_signer(secret).verify(body, signature)


def callback_url() -> str:
    configured = getattr(settings, "APPLICANTS_POSTAL_CALLBACK_URL", "")
    if configured:
        return str(configured)
    base = str(getattr(settings, "EGOV_PUBLIC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}/api/v1/me/postal/callback"


# --- transport -------------------------------------------------------------------------


def postal_system(timeout: float | None = None, *, signed: bool = False) -> OutsideSystem:
    """Calls to the postal service (``signed``: the simulator's signed callbacks to us)."""
    return OutsideSystem(
        "postal",
        transport=transport_for(bool(getattr(settings, "APPLICANTS_POSTAL_INPROCESS", False))),
        timeout=settings.APPLICANTS_POSTAL_TIMEOUT_SECONDS if timeout is None else timeout,
        retry=NO_RETRY,
        signer=callback_signer() if signed else None,
    )


# --- the HTTP client -------------------------------------------------------------------


class HttpPostalClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 10,
        system: OutsideSystem | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.system = system or postal_system(timeout)

    def _post(self, operation: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            reply = self.system.post_bytes(
                operation,
                f"{self.base_url}{path}",
                json.dumps(payload).encode(),
                "application/json",
                headers={"Authorization": f"Bearer {self.api_key}"},
            )
        except TransportError as error:
            raise PostalError(f"postal service unreachable: {error}") from error
        try:
            data = reply.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if reply.status >= 400:
            message = str(data.get("message") or f"HTTP {reply.status}")
            # 4xx other than 408/429: the request itself is wrong; retrying will not help.
            retry = reply.status >= 500 or reply.status in (408, 429)
            raise PostalError(message, retry=retry)
        return data

    def book(self, booking: Booking) -> str:
        data = self._post(
            "book",
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
        self._post("cancel", f"/parcels/{tracking_number}/cancel", {})

    def track(self, tracking_number: str) -> dict[str, Any] | None:
        """The parcel's tracking state, ``None`` when the service knows no such number.
        Raises :class:`TransportError` when the service did not answer (a read: the
        caller decides), :class:`PostalError` when it refused."""
        reply = self.system.get(
            "track",
            f"{self.base_url}/parcels/{quote(tracking_number, safe='')}",
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        if reply.status == 404:
            return None
        try:
            data = reply.json()
        except ValueError:
            data = None
        if reply.status != 200 or not isinstance(data, dict):
            raise PostalError(f"tracking answered HTTP {reply.status}", retry=reply.status >= 500)
        return {
            "tracking_number": str(data.get("tracking_number") or tracking_number),
            "status": str(data.get("status") or ""),
            "reason": str(data.get("reason") or ""),
            "updated_at": str(data.get("updated_at") or ""),
        }


def get_adapter() -> PostalAdapter | None:
    """The adapter the settings choose, or ``None`` when post is not offered."""
    return http_client()


def http_client() -> HttpPostalClient | None:
    """The HTTP client of the settings (bookings and tracking), ``None`` when post is
    not offered."""
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
