"""A local stand-in for the national document axis (only while ``EGOV_SIMULATORS``):
it speaks the protocol of :mod:`egov.exchange.axis` under ``/lien-thong/mo-phong/api/``
and can misbehave on demand (switches in :class:`~egov.exchange.models.SimSwitch`,
set on the operator page or by tests):

- ``timeout``: a send is stored, but the answer comes after the caller's timeout;
- ``twice``: every waiting message is listed twice, and the first ``done`` of a
  message is ignored, so it is delivered again at the next poll;
- ``reorder``: waiting messages are listed newest first (statuses out of order);
- ``refuse``: sends are refused (403).
"""

from __future__ import annotations

import json
import time
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from egov.core.integrations.signing import HmacSha256Signer
from egov.exchange.axis import (
    SEND_KEY_HEADER,
    SIGNATURE_HEADER,
    SYSTEM_HEADER,
    TIME_HEADER,
    signing_string,
)
from egov.exchange.models import SimAgency, SimEnvelope, SimSwitch

SWITCHES = ("timeout", "twice", "reorder", "refuse")

#: Agencies outside the province the simulated axis knows from the start.
NATIONAL_AGENCIES = (
    ("000.00.00.G22", "Văn phòng Chính phủ"),
    ("000.00.00.G12", "Bộ Nội vụ"),
    ("000.00.00.G13", "Bộ Thông tin và Truyền thông"),
    ("000.00.00.H29", "UBND Thành phố Hồ Chí Minh"),
    ("000.00.00.H02", "UBND tỉnh An Giang"),
)


def switch_on(name: str) -> bool:
    return SimSwitch.objects.filter(name=name, on=True).exists()


def set_switch(name: str, on: bool) -> None:
    if name not in SWITCHES:
        raise ValueError(name)
    SimSwitch.objects.update_or_create(name=name, defaults={"on": on})


def _secrets() -> dict[str, str]:
    known: dict[str, str] = {}
    for pair in settings.EGOV_EXCHANGE_SIM_SYSTEMS or []:
        system, _sep, secret = str(pair).partition(":")
        if system and secret:
            known[system.strip()] = secret.strip()
    if settings.EGOV_EXCHANGE_SECRET:
        known[str(settings.EGOV_EXCHANGE_SYSTEM_ID)] = str(settings.EGOV_EXCHANGE_SECRET)
    return known


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


def _authenticated(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(settings, "EGOV_SIMULATORS", False):
            raise Http404("simulators are off")
        system = request.headers.get(SYSTEM_HEADER, "")
        stamp = request.headers.get(TIME_HEADER, "")
        secret = _secrets().get(system)
        if not secret:
            return _error(401, "unknown_system", "unknown system id")
        try:
            skew = abs(time.time() - int(stamp))
        except ValueError:
            return _error(401, "bad_timestamp", "timestamp missing or not a number")
        if skew > int(settings.EGOV_EXCHANGE_CLOCK_SKEW_SECONDS):
            return _error(401, "stale_request", "timestamp too far from the clock")
        signed = signing_string(
            system,
            stamp,
            request.headers.get("Content-Type", "") if request.body else "",
            request.body,
        )
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not HmacSha256Signer(secret).verify(signed, given):
            # A GET carries no body: its content type may have been left out.
            plain = signing_string(system, stamp, "", request.body)
            if not HmacSha256Signer(secret).verify(plain, given):
                return _error(401, "bad_signature", "the request signature does not match")
        request.axis_system = system  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def _ensure_national() -> None:
    for organ_id, name in NATIONAL_AGENCIES:
        SimAgency.objects.get_or_create(organ_id=organ_id, defaults={"name": name})


@_authenticated
@require_http_methods(["GET", "POST"])
def agencies(request: HttpRequest) -> HttpResponse:
    _ensure_national()
    if request.method == "POST":
        try:
            listed = json.loads(request.body)["agencies"]
        except (ValueError, KeyError, TypeError):
            return _error(400, "bad_body", "expected {agencies: [...]}")
        count = 0
        for item in listed:
            organ_id = str(item.get("organ_id", "")).strip()
            if not organ_id:
                continue
            SimAgency.objects.update_or_create(
                organ_id=organ_id,
                defaults={
                    "name": str(item.get("name", ""))[:255],
                    "system_id": request.axis_system,  # type: ignore[attr-defined]
                },
            )
            count += 1
        return JsonResponse({"registered": count})
    rows = [{"organ_id": a.organ_id, "name": a.name} for a in SimAgency.objects.all()]
    return JsonResponse({"agencies": rows})


@_authenticated
@require_http_methods(["POST"])
def send(request: HttpRequest) -> HttpResponse:
    if switch_on("refuse"):
        return _error(403, "refused", "the axis refuses messages from this system now")
    sender = request.headers.get("from", "")
    recipient = request.headers.get("to", "")
    message_type = request.headers.get("messagetype", "")
    key = request.headers.get(SEND_KEY_HEADER, "")
    if request.headers.get("servicetype", "") != "eDoc" or message_type not in ("edoc", "status"):
        return _error(422, "bad_header", "servicetype must be eDoc, messagetype edoc or status")
    if not (sender and recipient and key and request.body):
        return _error(422, "missing", "from, to, X-Send-Key and a body are required")
    system = request.axis_system  # type: ignore[attr-defined]
    duplicate = False
    try:
        with transaction.atomic():
            envelope = SimEnvelope.objects.create(
                send_key=key[:100],
                from_system=system,
                from_organ=sender[:40],
                to_organ=recipient[:40],
                message_type=message_type,
                body=request.body,
            )
    except IntegrityError:
        envelope = SimEnvelope.objects.get(
            from_system=system, send_key=key[:100], to_organ=recipient[:40]
        )
        duplicate = True
    if switch_on("timeout"):
        time.sleep(float(settings.EGOV_EXCHANGE_TIMEOUT_SECONDS) + 0.05)
    return JsonResponse({"id": str(envelope.axis_id), "duplicate": duplicate}, status=201)


def _served(system: str) -> list[str]:
    return list(SimAgency.objects.filter(system_id=system).values_list("organ_id", flat=True))


@_authenticated
@require_http_methods(["GET"])
def received(request: HttpRequest) -> HttpResponse:
    system = request.axis_system  # type: ignore[attr-defined]
    waiting = SimEnvelope.objects.filter(to_organ__in=_served(system), status__in=("new", "new2"))
    waiting = waiting.order_by("-pk" if switch_on("reorder") else "pk")
    rows = [
        {
            "id": str(e.axis_id),
            "from": e.from_organ,
            "to": e.to_organ,
            "messagetype": e.message_type,
        }
        for e in waiting
    ]
    if switch_on("twice"):
        rows = [row for row in rows for _twice in (1, 2)]
    return JsonResponse({"messages": rows})


def _own(request: HttpRequest, axis_id: str) -> SimEnvelope:
    try:
        envelope = SimEnvelope.objects.get(axis_id=axis_id)
    except (SimEnvelope.DoesNotExist, ValueError, Exception) as error:
        raise Http404("no such message") from error
    if envelope.to_organ not in _served(request.axis_system):  # type: ignore[attr-defined]
        raise Http404("no such message")
    return envelope


@_authenticated
@require_http_methods(["GET"])
def message(request: HttpRequest, axis_id: str) -> HttpResponse:
    envelope = _own(request, axis_id)
    return HttpResponse(bytes(envelope.body), content_type="application/xml")


@_authenticated
@require_http_methods(["POST"])
def status(request: HttpRequest, axis_id: str) -> HttpResponse:
    envelope = _own(request, axis_id)
    try:
        value = str(json.loads(request.body)["status"])
    except (ValueError, KeyError, TypeError):
        return _error(400, "bad_body", "expected {status: done|fail|processing}")
    if value not in ("done", "fail", "processing"):
        return _error(422, "bad_status", "status must be done, fail or processing")
    if value == "done" and envelope.status == "new" and switch_on("twice"):
        envelope.status = "new2"  # delivered once more before it counts
    else:
        envelope.status = value
    envelope.save(update_fields=["status"])
    return JsonResponse({"id": str(envelope.axis_id), "status": envelope.status})
