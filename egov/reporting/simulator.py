"""A local Government reporting system (served under
``/bao-cao/mo-phong/chinh-phu/`` when ``settings.EGOV_SIMULATORS``), speaking the
protocol of :mod:`egov.reporting.government`: checks the signature, keeps what it
receives (deduplicated by ``Idempotency-Key``), accepts at once. It can be told to
answer HTTP 503 to the next N requests, so retries can be seen and tested.
"""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from egov.reporting import government
from egov.reporting.models import GovernmentReceipt, GovernmentSimulatorFaults

REQUIRED = ("key", "regime", "unit_code", "period", "values")


def _enabled() -> None:
    if not getattr(settings, "EGOV_SIMULATORS", False):
        raise Http404("simulators are off")


def set_faults(*, fail_next: int = 0) -> None:
    GovernmentSimulatorFaults.objects.update_or_create(
        pk=1, defaults={"fail_next": max(0, int(fail_next))}
    )


def _fault() -> bool:
    with transaction.atomic():
        row = GovernmentSimulatorFaults.objects.select_for_update().filter(pk=1).first()
        if row is None or row.fail_next <= 0:
            return False
        row.fail_next -= 1
        row.save(update_fields=["fail_next"])
        return True


def _answer(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


@csrf_exempt
@require_POST
def receive(request: HttpRequest) -> JsonResponse:
    _enabled()
    if _fault():
        return _answer(503, "unavailable", "simulated outage")
    if not government.signer().verify(request.body, request.headers.get("X-Signature")):
        return _answer(401, "bad_signature", "signature missing or wrong")
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _answer(400, "bad_json", "body is not JSON")
    if not isinstance(payload, dict) or any(name not in payload for name in REQUIRED):
        return _answer(422, "missing_fields", "required: " + ", ".join(REQUIRED))
    key = str(request.headers.get("Idempotency-Key") or payload["key"])[:120]
    found = GovernmentReceipt.objects.filter(idempotency_key=key).first()
    if found is not None:
        return JsonResponse({"receipt_id": found.receipt_id, "status": "received"}, status=200)
    try:
        with transaction.atomic():
            row = GovernmentReceipt.objects.create(
                receipt_id=f"BCCP-{uuid.uuid4().hex[:12].upper()}",
                idempotency_key=key,
                payload=payload,
            )
    except IntegrityError:
        row = GovernmentReceipt.objects.get(idempotency_key=key)
        return JsonResponse({"receipt_id": row.receipt_id, "status": "received"}, status=200)
    return JsonResponse({"receipt_id": row.receipt_id, "status": "received"}, status=201)


@require_GET
def status(request: HttpRequest, receipt_id: str) -> JsonResponse:
    _enabled()
    if _fault():
        return _answer(503, "unavailable", "simulated outage")
    if not GovernmentReceipt.objects.filter(receipt_id=receipt_id).exists():
        return _answer(404, "not_found", "no such receipt")
    return JsonResponse({"receipt_id": receipt_id, "status": "accepted"})
