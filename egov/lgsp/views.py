"""Staff pages of the integration platform (operators only): monitoring with
charts, the registry, the message log with personal data masked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from egov.accounts.decorators import staff_required
from egov.lgsp import monitoring, selectors
from egov.lgsp.access import is_operator
from egov.lgsp.masking import mask_body, mask_path
from egov.lgsp.models import MessageLogEntry, Outcome

PERIODS = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}


def _require_operator(request: HttpRequest) -> None:
    if not is_operator(request.user):
        raise PermissionDenied(_("Only platform operators may see the integration platform."))


def _labels() -> dict[str, str]:
    return {
        "ok": _("Answered"),
        "refused": _("Refused"),
        "failed": _("Failed"),
        "p50": _("Median (p50)"),
        "p95": _("95th percentile (p95)"),
    }


@staff_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    period = request.GET.get("ky", "24h")
    if period not in PERIODS:
        period = "24h"
    since = timezone.now() - PERIODS[period]
    by_service = monitoring.figures(since=since, by="service")
    by_consumer = monitoring.figures(since=since, by="consumer")
    labels = _labels()
    context: dict[str, Any] = {
        "period": period,
        "periods": [
            ("1h", _("1 hour")),
            ("24h", _("24 hours")),
            ("7d", _("7 days")),
            ("30d", _("30 days")),
        ],
        "by_service": by_service,
        "by_consumer": by_consumer,
        "charts": [
            chart
            for chart in (
                monitoring.count_chart(by_service, _("Calls per service"), labels),
                monitoring.duration_chart(by_service, _("Duration per service (ms)"), labels),
                monitoring.count_chart(by_consumer, _("Calls per consumer"), labels),
            )
            if chart is not None
        ],
        "services": selectors.services(),
        "consumers": selectors.consumers(),
    }
    return render(request, "lgsp/overview.html", context)


@staff_required
@require_GET
def log_list(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    consumer = request.GET.get("consumer", "").strip()[:200]
    service = request.GET.get("service", "").strip()[:250]
    outcome = request.GET.get("outcome", "").strip()
    if outcome not in Outcome.values:
        outcome = ""
    entries = selectors.log_entries(consumer=consumer, service=service, outcome=outcome)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.shown_path = mask_path(entry.path)  # type: ignore[attr-defined]
    return render(
        request,
        "lgsp/log_list.html",
        {
            "page": page,
            "consumer": consumer,
            "service": service,
            "outcome": outcome,
            "outcomes": Outcome.choices,
        },
    )


@staff_required
@require_GET
def log_entry(request: HttpRequest, pk: int) -> HttpResponse:
    _require_operator(request)
    entry = get_object_or_404(MessageLogEntry, pk=pk)
    return render(
        request,
        "lgsp/log_entry.html",
        {
            "entry": entry,
            "shown_path": mask_path(entry.path),
            "request_body": mask_body(entry.request_body),
            "response_body": mask_body(entry.response_body),
        },
    )
