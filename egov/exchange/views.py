"""The operator's page of the document exchange: what waits to be sent, what came
in, the quarantine (retry or reject, which sends status 02) and, in the demo, the
switches that make the simulated axis misbehave."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.accounts.decorators import staff_required
from egov.documents.errors import WrongState
from egov.exchange import selectors, simulator
from egov.exchange.models import Quarantine
from egov.exchange.services import inbox


def _require_operator(request: HttpRequest) -> None:
    if not selectors.may_operate(request.user):
        raise PermissionDenied(_("Only platform operators may see the document exchange."))


@staff_required
@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    switches = None
    if getattr(settings, "EGOV_SIMULATORS", False):
        switches = [(name, simulator.switch_on(name)) for name in simulator.SWITCHES]
    return render(
        request,
        "exchange/operations.html",
        {
            "held": selectors.held(),
            "resolved": selectors.recent_quarantine(),
            "recent": selectors.recent_messages(),
            "outbox": selectors.outbox_counts(),
            "switches": switches,
        },
    )


@staff_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    _require_operator(request)
    get_object_or_404(Quarantine, pk=pk)
    try:
        outcome = inbox.retry_quarantined(pk, actor=request.user)
    except WrongState as error:
        messages.error(request, str(error))
    else:
        if outcome.kind == "quarantined":
            messages.error(request, _("Still unreadable: %(why)s") % {"why": outcome.reason})
        else:
            messages.success(
                request, _("The message was read again: %(what)s") % {"what": outcome.kind}
            )
    return redirect("exchange:operations")


@staff_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    _require_operator(request)
    get_object_or_404(Quarantine, pk=pk)
    try:
        inbox.reject_quarantined(pk, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except WrongState as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The message was rejected; status 02 goes to the sender."))
    return redirect("exchange:operations")


@staff_required
@require_GET
def raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The quarantined bytes exactly as received (as an attachment, never rendered)."""
    _require_operator(request)
    row = get_object_or_404(Quarantine, pk=pk)
    answer = HttpResponse(bytes(row.raw), content_type="application/octet-stream")
    answer["Content-Disposition"] = f'attachment; filename="quarantine-{row.pk}.xml"'
    return answer


@staff_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    if not getattr(settings, "EGOV_SIMULATORS", False):
        raise PermissionDenied(_("The simulators are off."))
    name = request.POST.get("name", "")
    if name in simulator.SWITCHES:
        simulator.set_switch(name, request.POST.get("on") == "1")
    return redirect("exchange:operations")
