"""A local stand-in for the public postal service's parcel API (``mo-phong/buu-dien/``).

Served only when ``settings.EGOV_SIMULATORS``. It speaks the protocol described
in :mod:`egov.applicants.postal`: ``api/parcels`` books (idempotent on the
client's ``reference``), ``api/parcels/<number>/cancel`` cancels. Its operator
page lists the parcels and pushes status changes, each sent as a signed callback
(HMAC-SHA256, shared secret ``APPLICANTS_POSTAL_CALLBACK_SECRET``) to the
callback URL given at booking; "send again" repeats the last callback unchanged,
to show that the platform records it once.
"""

from __future__ import annotations

import hmac
import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from egov.accounts.operator import operator_required
from egov.applicants import postal
from egov.applicants.models import SimulatedParcel
from egov.applicants.services import new_tracking_number
from egov.core.integrations import TransportError

STATUS_CHOICES = (
    ("picked_up", "Đã nhận bưu gửi tại Bộ phận Một cửa (picked up)"),
    ("in_transit", "Đang vận chuyển (in transit)"),
    ("delivered", "Đã phát thành công (delivered)"),
    ("failed", "Phát không thành công (failed)"),
)


def simulators_on(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(settings, "EGOV_SIMULATORS", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


def _authorised(request: HttpRequest) -> bool:
    key = str(settings.APPLICANTS_POSTAL_API_KEY or "")
    given = request.headers.get("Authorization", "")
    return bool(key) and hmac.compare_digest(given.encode(), f"Bearer {key}".encode())


@csrf_exempt
@simulators_on
@require_POST
def api_book(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return _error(401, "unauthorised", "missing or wrong API key")
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _error(400, "invalid", "the body is not JSON")
    recipient = data.get("recipient") if isinstance(data, dict) else None
    reference = str((data or {}).get("reference") or "").strip()
    if not reference or not isinstance(recipient, dict):
        return _error(400, "invalid", "reference and recipient are required")
    if not str(recipient.get("name") or "").strip() or not str(recipient.get("address") or ""):
        return _error(422, "invalid_recipient", "the recipient's name and address are required")
    existing = SimulatedParcel.objects.filter(client_reference=reference).first()
    if existing is not None:
        return JsonResponse(
            {"tracking_number": existing.tracking_number, "status": existing.status}, status=200
        )
    try:
        with transaction.atomic():
            parcel = SimulatedParcel.objects.create(
                tracking_number=new_tracking_number(),
                client_reference=reference,
                sender=str(data.get("sender") or "")[:255],
                pickup_address=str(data.get("pickup_address") or "")[:500],
                recipient_name=str(recipient["name"])[:255],
                address=str(recipient["address"])[:500],
                phone=str(recipient.get("phone") or "")[:20],
                note=str(data.get("note") or "")[:500],
                callback_url=str(data.get("callback_url") or "")[:500],
            )
    except IntegrityError:
        parcel = SimulatedParcel.objects.get(client_reference=reference)
        return JsonResponse({"tracking_number": parcel.tracking_number, "status": parcel.status})
    return JsonResponse({"tracking_number": parcel.tracking_number, "status": "booked"}, status=201)


@csrf_exempt
@simulators_on
@require_POST
def api_cancel(request: HttpRequest, number: str) -> HttpResponse:
    if not _authorised(request):
        return _error(401, "unauthorised", "missing or wrong API key")
    parcel = SimulatedParcel.objects.filter(tracking_number=number).first()
    if parcel is None:
        return _error(404, "not_found", "no parcel with this tracking number")
    if parcel.status not in ("booked", "cancelled"):
        return _error(409, "too_late", "the parcel was already picked up")
    parcel.status = "cancelled"
    parcel.save(update_fields=["status"])
    return JsonResponse({"status": "cancelled"})


@simulators_on
@require_GET
def api_track(request: HttpRequest, number: str) -> HttpResponse:
    """The tracking state of one parcel (no personal data in the answer)."""
    if not _authorised(request):
        return _error(401, "unauthorised", "missing or wrong API key")
    parcel = SimulatedParcel.objects.filter(tracking_number=number).first()
    if parcel is None:
        return _error(404, "not_found", "no parcel with this tracking number")
    updated = timezone.localtime(parcel.created_at).isoformat()
    try:
        last = json.loads(parcel.last_event) if parcel.last_event else {}
    except ValueError:
        last = {}
    if isinstance(last, dict) and last.get("at"):
        updated = str(last["at"])
    return JsonResponse(
        {
            "tracking_number": parcel.tracking_number,
            "status": parcel.status,
            "reason": parcel.reason,
            "updated_at": updated,
        }
    )


def send_callback(parcel: SimulatedParcel, body: bytes) -> str:
    """POST ``body`` signed to the parcel's callback URL; returns a line for the page."""
    if not parcel.callback_url:
        return "no callback URL"
    try:
        reply = postal.postal_system(signed=True).post_bytes(
            "status_callback", parcel.callback_url, body, "application/json"
        )
    except TransportError as error:
        return f"error: {error}"[:200]
    return f"HTTP {reply.status} {reply.text[:150]}"


def push_status(parcel: SimulatedParcel, status: str, reason: str = "") -> str:
    """Change the simulated parcel's status and call the platform back."""
    body = json.dumps(
        {
            "event_id": uuid.uuid4().hex,
            "tracking_number": parcel.tracking_number,
            "status": status,
            "reason": reason,
            "at": timezone.now().isoformat(),
        }
    ).encode()
    parcel.status = status
    parcel.reason = reason
    parcel.last_event = body.decode()
    parcel.events_sent += 1
    parcel.last_callback = send_callback(parcel, body)
    parcel.save()
    return parcel.last_callback


@simulators_on
@operator_required
@require_GET
def operator_page(request: HttpRequest) -> HttpResponse:
    parcels = list(SimulatedParcel.objects.all()[:200])
    return render(
        request,
        "applicants/simulator/postal.html",
        {"parcels": parcels, "statuses": STATUS_CHOICES},
    )


@simulators_on
@operator_required
@require_POST
def operator_push(request: HttpRequest, number: str) -> HttpResponse:
    parcel = get_object_or_404(SimulatedParcel, tracking_number=number)
    if request.POST.get("again") and parcel.last_event:
        parcel.events_sent += 1
        parcel.last_callback = send_callback(parcel, parcel.last_event.encode())
        parcel.save()
    else:
        status = request.POST.get("status", "")
        if status not in dict(STATUS_CHOICES):
            messages.error(request, "Trạng thái không hợp lệ.")
            return redirect("applicants:postal-simulator")
        push_status(parcel, status, request.POST.get("reason", "")[:500])
    messages.info(request, f"{parcel.tracking_number}: {parcel.last_callback}")
    return redirect("applicants:postal-simulator")
