"""The outside connectors published on the integration platform, each a read through
the owning app's adapter (never its tables, never its HTTP or signing again):

- ``payments.status`` — ``GET …/PAYMENT-STATUS/v1/<reference>``: a payment's state at
  the national payment platform, by the payments adapter's signed status query
  (:func:`egov.payments.selectors.platform_status`);
- ``postal.tracking`` — ``GET …/POSTAL-TRACKING/v1/<tracking number>``: a parcel's
  tracking state at the public postal service
  (:func:`egov.applicants.selectors.parcel_tracking`);
- ``identity.discovery`` — ``GET …/IDENTITY-DISCOVERY/v1``: the national identity
  provider's published configuration and public signing keys
  (:func:`egov.identity.selectors.provider_configuration`).

A ``TransportError`` of the adapter (no answer) goes up to the gateway, which answers
504 (timed out) or 502 (unreachable); an answer the adapter cannot use is a 502 with
``provider_error`` here.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from egov.applicants import selectors as applicants_selectors
from egov.applicants.postal import PostalError
from egov.identity import selectors as identity_selectors
from egov.identity.oidc import ProviderUnusable
from egov.lgsp.providers import ProviderAnswer, ProviderCall, register
from egov.payments import selectors as payments_selectors
from egov.payments.adapters import PlatformError

PAYMENT_STATUS = "payments.status"
POSTAL_TRACKING = "postal.tracking"
IDENTITY_DISCOVERY = "identity.discovery"

#: Our payment references and the postal tracking numbers: letters, digits, ``-``, ``_``.
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _refused(code: str, message: str, status: int, field: str | None = None) -> ProviderAnswer:
    return ProviderAnswer.of_json({"code": code, "message": message, "field": field}, status)


def _key(call: ProviderCall, field: str, what: str) -> tuple[str, ProviderAnswer | None]:
    key = unquote(call.path.strip("/"))
    if not _KEY.match(key):
        return key, _refused(
            f"{field}_required",
            f"Hãy nêu {what} (chữ, số, “-” hoặc “_”, tối đa 64 ký tự) sau tên dịch vụ.",
            400,
            field,
        )
    return key, None


def payment_status(call: ProviderCall) -> ProviderAnswer:
    reference, refusal = _key(call, "reference", "mã thanh toán")
    if refusal is not None:
        return refusal
    try:
        message = payments_selectors.platform_status(reference)
    except PlatformError:
        return _refused(
            "provider_error",
            "Nền tảng thanh toán trả lời không hợp lệ (chữ ký hoặc nội dung sai).",
            502,
        )
    if not message.trusted:
        return _refused(
            "provider_error",
            "Nền tảng thanh toán trả lời không hợp lệ (chữ ký hoặc nội dung sai).",
            502,
        )
    if message.status == "unknown":
        return _refused(
            "not_found", "Nền tảng thanh toán không có giao dịch với mã này.", 404, "reference"
        )
    return ProviderAnswer.of_json(
        {
            "reference": message.reference,
            "status": message.status,
            "amount": message.amount,
            "transaction_id": message.transaction_id,
            "paid_at": message.paid_at.isoformat() if message.paid_at else None,
        }
    )


def postal_tracking(call: ProviderCall) -> ProviderAnswer:
    number, refusal = _key(call, "tracking_number", "số hiệu bưu gửi")
    if refusal is not None:
        return refusal
    try:
        state = applicants_selectors.parcel_tracking(number)
    except PostalError:
        return _refused("provider_error", "Dịch vụ bưu chính từ chối yêu cầu tra cứu.", 502)
    if state is None:
        return _refused(
            "not_found",
            "Dịch vụ bưu chính không có bưu gửi với số hiệu này.",
            404,
            "tracking_number",
        )
    return ProviderAnswer.of_json(state)


def identity_discovery(call: ProviderCall) -> ProviderAnswer:
    if call.path.strip("/"):
        return _refused("not_found", "Dịch vụ này không có đường dẫn con.", 404)
    try:
        published = identity_selectors.provider_configuration()
    except ProviderUnusable:
        return _refused(
            "provider_error",
            "Nhà cung cấp định danh trả lời cấu hình hoặc khóa không dùng được.",
            502,
        )
    return ProviderAnswer.of_json(published)


def register_providers() -> None:
    register(PAYMENT_STATUS, payment_status)
    register(POSTAL_TRACKING, postal_tracking)
    register(IDENTITY_DISCOVERY, identity_discovery)
