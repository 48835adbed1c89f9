"""A local stand-in for the national payment platform (only when
``EGOV_SIMULATORS``): it speaks the protocol of :mod:`egov.payments.adapters`.

* ``GET /thanh-toan/mo-phong/?<signed request>`` — the payment page (bank or wallet
  choice, amount, our reference); a request whose signature does not match (e.g. a
  tampered amount) is refused;
* ``POST`` the same page — the tester's choice: success, failure, timeout (no
  notification) or success notified twice; the simulator sends its signed
  notification(s) to our callback over HTTP (the transport adapter), then sends
  the browser back to ``return_url`` with signed parameters;
* ``GET /thanh-toan/mo-phong/giao-dich/<reference>`` — the signed status query.

The page is the platform's, so its wording is Vietnamese only.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_http_methods

from egov.core.formatting import format_amount
from egov.core.integrations import TransportError
from egov.payments import signing
from egov.payments.adapters import amount_of, local_iso, platform_system
from egov.payments.models import SimulatedTransaction

REQUEST_FIELDS = (
    "merchant_code",
    "reference",
    "amount",
    "currency",
    "description",
    "return_url",
    "expires_at",
    "signature",
)
CHANNELS = (
    ("vietcombank", "Vietcombank"),
    ("vietinbank", "VietinBank"),
    ("bidv", "BIDV"),
    ("agribank", "Agribank"),
    ("momo", "Ví MoMo"),
    ("vnpay", "VNPAY-QR"),
)
OUTCOMES = {
    "success": "Thanh toán thành công",
    "failure": "Thất bại",
    "timeout": "Hết thời gian (không gọi lại)",
    "success_twice": "Thành công và gọi lại hai lần",
}
STATUS_NAMES = {
    "success": "đã thanh toán",
    "failed": "thất bại",
    "expired": "hết hạn",
    "cancelled": "đã hủy",
}
QUERY_WINDOW_SECONDS = 600


def _enabled() -> None:
    if not settings.EGOV_SIMULATORS:
        raise Http404("simulators are off")


def _request_params(source: Any) -> dict[str, str]:
    return {name: str(source.get(name, "")) for name in REQUEST_FIELDS if name in source}


def _check_request(params: dict[str, str]) -> str:
    """Why the request is refused ('' when it is acceptable)."""
    if not signing.verify(params):
        return "Chữ ký yêu cầu thanh toán không hợp lệ (dữ liệu đã bị thay đổi)."
    if params.get("merchant_code") != settings.EGOV_PAYGOV_MERCHANT_CODE:
        return "Mã đơn vị chấp nhận thanh toán không đúng."
    amount = amount_of(params.get("amount"))
    if amount is None or amount <= 0:
        return "Số tiền không hợp lệ."
    if params.get("currency") != "VND":
        return "Chỉ chấp nhận đồng Việt Nam (VND)."
    if parse_datetime(params.get("expires_at", "")) is None:
        return "Thời hạn thanh toán không hợp lệ."
    if not params.get("reference") or not params.get("return_url"):
        return "Thiếu mã giao dịch hoặc địa chỉ trả về."
    return ""


def _transaction(params: dict[str, str]) -> tuple[SimulatedTransaction | None, str]:
    amount = amount_of(params["amount"]) or 0
    expires_at = parse_datetime(params["expires_at"]) or timezone.now()
    tx, _created = SimulatedTransaction.objects.get_or_create(
        reference=params["reference"],
        defaults={
            "merchant_code": params["merchant_code"],
            "amount": amount,
            "description": params.get("description", "")[:255],
            "return_url": params["return_url"][:1000],
            "expires_at": expires_at,
        },
    )
    if tx.amount != amount:
        return None, "Mã giao dịch đã được dùng với một số tiền khác."
    if tx.status == "pending" and tx.expires_at < timezone.now():
        tx.status = "expired"
        tx.save(update_fields=["status"])
    return tx, ""


def _refuse(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "payments/simulator_refused.html", {"reason": reason}, status=400)


def _status_params(tx: SimulatedTransaction) -> dict[str, Any]:
    return {
        "merchant_code": tx.merchant_code,
        "reference": tx.reference,
        "transaction_id": tx.transaction_id,
        "amount": tx.amount,
        "status": tx.status,
    }


def _back_url(tx: SimulatedTransaction) -> str:
    params = signing.signed(_status_params(tx))
    joiner = "&" if "?" in tx.return_url else "?"
    return f"{tx.return_url}{joiner}{urlencode(params)}"


def _back_to_merchant(tx: SimulatedTransaction) -> HttpResponseRedirect:
    return HttpResponseRedirect(_back_url(tx))


def callback_url(request: HttpRequest) -> str:
    configured = str(settings.EGOV_PAYGOV_CALLBACK_URL)
    return configured or request.build_absolute_uri(reverse("api-v1:payments_callback"))


def _notify(request: HttpRequest, tx: SimulatedTransaction, times: int) -> list[str]:
    body = {**_status_params(tx), "currency": "VND"}
    if tx.paid_at is not None:
        body["paid_at"] = local_iso(tx.paid_at)
    signed_body = signing.signed(body)
    answers = []
    system = platform_system()
    for _round in range(times):
        try:
            answer = system.post_json("notify", callback_url(request), signed_body)
            answers.append(answer.body.decode("utf-8", "replace")[:200])
        except TransportError as error:
            answers.append(f"error: {error}")
    return answers


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    _enabled()
    source = request.POST if request.method == "POST" else request.GET
    params = _request_params(source)
    reason = _check_request(params)
    if reason:
        return _refuse(request, reason)
    tx, reason = _transaction(params)
    if tx is None:
        return _refuse(request, reason)
    if request.method == "POST" and tx.status == "pending":
        outcome = request.POST.get("outcome", "")
        channel = request.POST.get("channel", "")
        if outcome not in OUTCOMES or channel not in dict(CHANNELS):
            return _page(request, tx, params, error="Chọn ngân hàng hoặc ví và một kết quả.")
        tx.channel = channel
        if outcome in ("success", "success_twice"):
            tx.status = "success"
            tx.transaction_id = "PG" + secrets.token_hex(6).upper()
            tx.paid_at = timezone.now()
        elif outcome == "failure":
            tx.status = "failed"
            tx.transaction_id = "PG" + secrets.token_hex(6).upper()
        else:
            tx.status = "expired"
        tx.save()
        if outcome != "timeout":
            _notify(request, tx, 2 if outcome == "success_twice" else 1)
        return _back_to_merchant(tx)
    if tx.status != "pending":
        return _page(request, tx, params, closed=True)
    return _page(request, tx, params)


def _page(
    request: HttpRequest,
    tx: SimulatedTransaction,
    params: dict[str, str],
    *,
    error: str = "",
    closed: bool = False,
) -> HttpResponse:
    return render(
        request,
        "payments/simulator.html",
        {
            "tx": tx,
            "params": params,
            "amount_text": format_amount(tx.amount),
            "channels": CHANNELS,
            "outcomes": OUTCOMES,
            "chosen_channel": request.POST.get("channel", ""),
            "error": error,
            "closed": closed,
            "status_name": STATUS_NAMES.get(tx.status, tx.status),
            "back_url": _back_url(tx) if closed else "",
        },
        status=400 if error else 200,
    )


@require_GET
def transaction_status(request: HttpRequest, reference: str) -> JsonResponse:
    """The signed status of one transaction, for the merchant's reconciliation."""
    _enabled()
    params = {k: request.GET.get(k, "") for k in ("merchant_code", "reference", "timestamp")}
    params["signature"] = request.GET.get("signature", "")
    if not signing.verify(params) or params["reference"] != reference:
        return JsonResponse({"code": "97", "message": "Invalid signature"}, status=403)
    if params["merchant_code"] != settings.EGOV_PAYGOV_MERCHANT_CODE:
        return JsonResponse({"code": "02", "message": "Unknown merchant code"}, status=403)
    stamp = amount_of(params["timestamp"])
    if stamp is None or abs(time.time() - stamp) > QUERY_WINDOW_SECONDS:
        return JsonResponse({"code": "98", "message": "Stale request"}, status=403)
    tx = SimulatedTransaction.objects.filter(reference=reference).first()
    if tx is None:
        body: dict[str, Any] = {
            "merchant_code": params["merchant_code"],
            "reference": reference,
            "status": "unknown",
            "amount": "",
            "transaction_id": "",
            "paid_at": "",
        }
    else:
        if tx.status == "pending" and tx.expires_at < timezone.now():
            tx.status = "expired"
            tx.save(update_fields=["status"])
        body = {
            **_status_params(tx),
            "paid_at": local_iso(tx.paid_at) if tx.paid_at else "",
        }
    return JsonResponse(signing.signed(body))
