"""A local brandname-SMS gateway (served under ``/thong-bao/mo-phong/sms/`` when
``settings.EGOV_SIMULATORS``): the same JSON API as the real gateway (see
:mod:`egov.notifications.adapters`), messages kept in the database and shown as a
phone's inbox per number. It can be told to fail the next N requests (HTTP 503)
or to time out on them (it accepts the message, then answers too late), so the
worker's retries can be seen and tested.
"""

from __future__ import annotations

import hmac
import json
import re
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts.operator import operator_required
from egov.notifications import sms
from egov.notifications.models import SimulatedSms, SimulatorFaults

_PHONE = re.compile(r"^84[35789]\d{8}$")
MAX_SEGMENTS = 10
MAX_HANG_SECONDS = 60.0


def _enabled() -> None:
    if not getattr(settings, "EGOV_SIMULATORS", False):
        raise Http404("simulators are off")


def _operator_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the simulator: absent while simulators are off, then only for the
    platform's operators (the inbox shows every number and its messages)."""
    guarded = operator_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _enabled()
        return guarded(request, *args, **kwargs)

    return wrapper


def _key_ok(request: HttpRequest) -> bool:
    """The caller sent the gateway's API key (never matches an empty key)."""
    key = str(settings.EGOV_SMS_API_KEY or "")
    given = request.headers.get("X-Api-Key", "")
    return bool(key) and hmac.compare_digest(given.encode(), key.encode())


def _answer(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, **extra}, status=status)


def faults() -> SimulatorFaults:
    found, _created = SimulatorFaults.objects.get_or_create(pk=1)
    return found


def set_faults(*, fail_next: int = 0, timeout_next: int = 0, hang_seconds: float = 15.0) -> None:
    SimulatorFaults.objects.update_or_create(
        pk=1,
        defaults={
            "fail_next": max(0, int(fail_next)),
            "timeout_next": max(0, int(timeout_next)),
            "hang_seconds": min(max(0.0, float(hang_seconds)), MAX_HANG_SECONDS),
        },
    )


def _take_fault() -> tuple[str, float]:
    """``("fail" | "timeout" | "", hang seconds)`` for this request, counted down."""
    with transaction.atomic():
        state, _created = SimulatorFaults.objects.select_for_update().get_or_create(pk=1)
        if state.timeout_next:
            state.timeout_next -= 1
            state.save(update_fields=["timeout_next"])
            return "timeout", state.hang_seconds
        if state.fail_next:
            state.fail_next -= 1
            state.save(update_fields=["fail_next"])
            return "fail", 0.0
    return "", 0.0


@csrf_exempt
@require_POST
def api_send(request: HttpRequest) -> HttpResponse:
    _enabled()
    if not _key_ok(request):
        return _answer(401, "401", "Invalid API key.")
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return _answer(400, "400", "The body is not JSON.")
    if not isinstance(payload, dict):
        return _answer(400, "400", "The body must be a JSON object.")
    phone = str(payload.get("phone") or "")
    text = str(payload.get("message") or "")
    brandname = str(payload.get("brandname") or "")
    ref = str(payload.get("ref") or "")[:100]
    if not _PHONE.match(phone):
        return _answer(400, "400", "Invalid phone number (expected 84 and 9 digits).")
    if not text.strip():
        return _answer(400, "400", "Empty message.")
    if not brandname or len(brandname) > 11:
        return _answer(400, "400", "Brandname missing or longer than 11 characters.")
    size = sms.measure(text)
    if size.segments > MAX_SEGMENTS:
        return _answer(400, "400", f"Message too long ({size.segments} segments).")
    fault, hang = _take_fault()
    if fault == "fail":
        return _answer(503, "503", "Gateway busy (simulated failure).")
    stored = SimulatedSms.objects.filter(client_ref=ref).first() if ref else None
    duplicate = stored is not None
    if stored is None:
        stored = SimulatedSms.objects.create(
            message_id=uuid.uuid4().hex,
            client_ref=ref,
            brandname=brandname,
            phone=phone,
            text=text,
            encoding=size.encoding,
            segments=size.segments,
        )
    if fault == "timeout":
        # Accepted, but the answer comes after the caller stopped waiting.
        time.sleep(hang)
    return _answer(
        200,
        "00",
        "Accepted.",
        message_id=stored.message_id,
        segments=stored.segments,
        encoding=stored.encoding,
        duplicate=duplicate,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def api_faults(request: HttpRequest) -> HttpResponse:
    """GET: the faults pending; POST ``{"fail_next": N, "timeout_next": N,
    "hang_seconds": S}``: set them."""
    _enabled()
    if not _key_ok(request):
        return _answer(401, "401", "Invalid API key.")
    if request.method == "POST":
        try:
            payload = json.loads(request.body or b"{}")
            set_faults(
                fail_next=int(payload.get("fail_next", 0)),
                timeout_next=int(payload.get("timeout_next", 0)),
                hang_seconds=float(payload.get("hang_seconds", 15.0)),
            )
        except (ValueError, TypeError, AttributeError):
            return _answer(400, "400", "Give whole numbers fail_next and timeout_next.")
    state = faults()
    return _answer(
        200,
        "00",
        "OK",
        fail_next=state.fail_next,
        timeout_next=state.timeout_next,
        hang_seconds=state.hang_seconds,
    )


# --- pages --------------------------------------------------------------------------


class FaultsForm(forms.Form):
    fail_next = forms.IntegerField(
        label=gettext_lazy("Fail the next requests"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=gettext_lazy("The gateway answers HTTP 503 to this many requests."),
    )
    timeout_next = forms.IntegerField(
        label=gettext_lazy("Time out on the next requests"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=gettext_lazy(
            "The gateway accepts the message but answers only after the waiting time below."
        ),
    )
    hang_seconds = forms.FloatField(
        label=gettext_lazy("Waiting time of a time-out (seconds)"),
        min_value=0,
        max_value=MAX_HANG_SECONDS,
        initial=15,
    )


def _display_phone(number: str) -> str:
    return "0" + number[2:] if number.startswith("84") else number


@_operator_page
@require_http_methods(["GET", "POST"])
def inbox_index(request: HttpRequest) -> HttpResponse:
    state = faults()
    if request.method == "POST":
        form = FaultsForm(request.POST)
        if form.is_valid():
            set_faults(**form.cleaned_data)
            messages.success(request, _("The simulated gateway will behave as set."))
            return redirect("notifications:sms-simulator")
    else:
        form = FaultsForm(
            initial={
                "fail_next": state.fail_next,
                "timeout_next": state.timeout_next,
                "hang_seconds": state.hang_seconds,
            }
        )
    phones = (
        SimulatedSms.objects.values("phone")
        .annotate(count=Count("id"), last=Max("received_at"))
        .order_by("-last")[:200]
    )
    rows = [{**row, "display": _display_phone(row["phone"])} for row in phones]
    return render(
        request,
        "notifications/simulator/index.html",
        {"form": form, "phones": rows, "state": state},
    )


@_operator_page
@require_GET
def inbox_phone(request: HttpRequest, phone: str) -> HttpResponse:
    number = phone
    if number.startswith("0"):
        number = "84" + number[1:]
    texts = list(SimulatedSms.objects.filter(phone=number).order_by("received_at", "id")[:500])
    return render(
        request,
        "notifications/simulator/phone.html",
        {"phone": _display_phone(number), "texts": texts},
    )
