"""The national payment platform ("PayGov", Nền tảng thanh toán trực tuyến của Cổng
Dịch vụ công quốc gia), behind a small interface chosen by ``EGOV_PAYMENTS_PLATFORM``.

The protocol (the simulator under ``/thanh-toan/mo-phong/`` speaks it too; every
message is signed as :mod:`egov.payments.signing` describes):

1. **Payment request** — the applicant's browser is sent to the platform's page
   (``EGOV_PAYGOV_PAY_URL``) with the query parameters ``merchant_code``,
   ``reference`` (ours), ``amount`` (whole đồng), ``currency`` (``VND``),
   ``description``, ``return_url``, ``expires_at`` (ISO 8601, +07:00), ``signature``.
2. **Return** — the platform sends the browser back to ``return_url`` with
   ``merchant_code``, ``reference``, ``transaction_id``, ``amount``, ``status``
   (``success`` / ``failed`` / ``cancelled`` / ``expired``), ``signature``. This
   never marks a payment paid.
3. **Notification (IPN)** — the platform POSTs a JSON object with ``merchant_code``,
   ``reference``, ``transaction_id``, ``amount`` (integer), ``currency``,
   ``status`` (as above), ``paid_at`` (ISO 8601, for a success) and ``signature``
   to ``/api/v1/payments/callback``; see :mod:`egov.payments.api` for our answer.
4. **Status query** — ``GET <EGOV_PAYGOV_QUERY_URL><reference>`` with
   ``merchant_code``, ``reference``, ``timestamp`` (Unix seconds) and ``signature``;
   the platform answers a signed JSON object with ``merchant_code``,
   ``reference``, ``status`` (``pending`` / ``success`` / ``failed`` /
   ``cancelled`` / ``expired`` / ``unknown``), ``amount``, ``transaction_id``,
   ``paid_at``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string

from egov.core.integrations import OutsideSystem, TransportError, default_retry, transport_for
from egov.payments import signing

if TYPE_CHECKING:
    from egov.payments.models import Payment

PLATFORM_STATUSES = frozenset({"success", "failed", "cancelled", "expired"})
QUERY_STATUSES = PLATFORM_STATUSES | {"pending", "unknown"}
_DIGITS = re.compile(r"^[0-9]{1,15}$")


class PlatformError(Exception):
    """The platform could not be asked, or answered something we cannot trust."""


@dataclass(frozen=True)
class PlatformMessage:
    """A return, a notification or a status answer, as read (and checked)."""

    params: dict[str, Any]
    signature_valid: bool
    merchant_ok: bool
    reference: str
    transaction_id: str
    amount: int | None
    status: str
    paid_at: datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def trusted(self) -> bool:
        return self.signature_valid and self.merchant_ok and not self.problems


class PaymentPlatform(Protocol):
    name: str

    def payment_url(self, payment: Payment, return_url: str) -> str: ...

    def read_return(self, params: Mapping[str, Any]) -> PlatformMessage: ...

    def read_notification(self, body: Mapping[str, Any]) -> PlatformMessage: ...

    def query(self, reference: str) -> PlatformMessage: ...


def amount_of(value: Any) -> int | None:
    """A whole đồng amount from a message: an integer or a string of digits; floats,
    signs, decimals and booleans are refused (``None``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _DIGITS.match(value):
        return int(value)
    return None


def local_iso(moment: datetime) -> str:
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def request_params(payment: Payment, return_url: str) -> dict[str, Any]:
    """The signed parameters of a payment request."""
    return signing.signed(
        {
            "merchant_code": settings.EGOV_PAYGOV_MERCHANT_CODE,
            "reference": payment.reference,
            "amount": payment.amount,
            "currency": payment.currency,
            "description": payment.purpose,
            "return_url": return_url,
            "expires_at": local_iso(payment.expires_at),
        }
    )


def _read(params: Mapping[str, Any], allowed: frozenset[str]) -> PlatformMessage:
    values = {str(k): v for k, v in params.items()}
    problems: list[str] = []
    status = str(values.get("status") or "")
    if status not in allowed:
        problems.append("status")
    amount = amount_of(values.get("amount"))
    if values.get("amount") not in (None, "") and amount is None:
        problems.append("amount")
    paid_at = None
    if values.get("paid_at"):
        paid_at = parse_datetime(str(values["paid_at"]))
        if paid_at is None:
            problems.append("paid_at")
    return PlatformMessage(
        params=values,
        signature_valid=signing.verify(values),
        merchant_ok=values.get("merchant_code") == settings.EGOV_PAYGOV_MERCHANT_CODE,
        reference=str(values.get("reference") or "")[:100],
        transaction_id=str(values.get("transaction_id") or "")[:64],
        amount=amount,
        status=status,
        paid_at=paid_at,
        problems=problems,
    )


def platform_system() -> OutsideSystem:
    """Calls to the platform (and, from its simulator, to our callback): the transport
    of ``EGOV_PAYMENTS_TRANSPORT``, the timeout ``EGOV_PAYGOV_TIMEOUT_SECONDS``."""
    return OutsideSystem(
        "paygov",
        transport=transport_for(settings.EGOV_PAYMENTS_TRANSPORT),
        timeout=settings.EGOV_PAYGOV_TIMEOUT_SECONDS,
        retry=default_retry(),
    )


class PayGovPlatform:
    """The platform's protocol over :func:`platform_system`."""

    name = "paygov"

    def pay_url(self) -> str:
        return str(settings.EGOV_PAYGOV_PAY_URL) or reverse("payments:sim-pay")

    def query_url(self, reference: str) -> str:
        base = str(settings.EGOV_PAYGOV_QUERY_URL)
        if not base:
            public = str(settings.EGOV_PUBLIC_BASE_URL).rstrip("/")
            return public + reverse("payments:sim-transaction", args=[reference])
        return base + reference

    def payment_url(self, payment: Payment, return_url: str) -> str:
        return f"{self.pay_url()}?{urlencode(request_params(payment, return_url))}"

    def read_return(self, params: Mapping[str, Any]) -> PlatformMessage:
        return _read(params, PLATFORM_STATUSES)

    def read_notification(self, body: Mapping[str, Any]) -> PlatformMessage:
        return _read(body, PLATFORM_STATUSES)

    def query(self, reference: str) -> PlatformMessage:
        params = signing.signed(
            {
                "merchant_code": settings.EGOV_PAYGOV_MERCHANT_CODE,
                "reference": reference,
                "timestamp": int(time.time()),
            }
        )
        try:
            # A status query is a read: the client may repeat it after a timeout.
            answer = platform_system().get("status_query", self.query_url(reference), params)
        except TransportError as error:
            raise PlatformError(str(error)) from error
        if answer.status != 200:
            raise PlatformError(f"HTTP {answer.status}")
        try:
            body = answer.json()
        except ValueError as error:
            raise PlatformError("the answer is not JSON") from error
        if not isinstance(body, dict):
            raise PlatformError("the answer is not a JSON object")
        message = _read(body, QUERY_STATUSES)
        if message.reference != reference:
            raise PlatformError("the answer is about another reference")
        return message


def get_platform() -> PaymentPlatform:
    platform: PaymentPlatform = import_string(str(settings.EGOV_PAYMENTS_PLATFORM))()
    return platform
