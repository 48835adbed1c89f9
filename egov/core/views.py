from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from egov.accounts.decorators import staff_required
from egov.accounts.permissions import active_assignments
from egov.core import home_panels, readiness, staff_dashboard, svg_charts
from egov.core.models import Unit
from egov.core.periods import Period


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. It asks nothing of the database, so a
    database outage does not make the orchestrator restart healthy servers."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when this server can do its work — the database answers and
    has every migration applied, the cache keeps a value, the file store takes a
    file. Otherwise 503 with the checks that failed (names only: the endpoint is
    public, the reasons go to the log)."""
    failed = [name for name, check in readiness.CHECKS if not check()]
    if failed:
        return JsonResponse({"status": "not ready", "failed": failed}, status=503)
    return JsonResponse({"status": "ready", "checked": [name for name, _ in readiness.CHECKS]})


def public_home(request: HttpRequest) -> HttpResponse:
    """The public home: the panels and quick links the apps registered (finding a
    service, popular fields, looking up a dossier…)."""
    return render(request, "core/public_home.html", home_panels.page_context(request))


@staff_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    """The person's dashboard: what waits for them (counts and links registered by the
    apps, ``core.staff_dashboard``); for leaders, their subtree's key figures for the
    chosen period with SVG charts of the last periods; their units and roles."""
    user = request.user
    assignments = list(active_assignments(user))
    # Ancestors of every assigned unit in one query, from the materialised paths.
    steplen = Unit.steplen
    ancestor_paths = {
        a.unit.path[:i] for a in assignments for i in range(steplen, len(a.unit.path), steplen)
    }
    names = dict(Unit.objects.filter(path__in=ancestor_paths).values_list("path", "name"))
    rows = [
        {
            "role": a.role,
            "unit": a.unit,
            "parents": [
                names[a.unit.path[:i]]
                for i in range(steplen, len(a.unit.path), steplen)
                if a.unit.path[:i] in names
            ],
        }
        for a in assignments
    ]
    context: dict[str, Any] = {
        "assignments": rows,
        "waiting": staff_dashboard.waiting_for(user),
    }
    context.update(leader_context(request, assignments))
    return render(request, "core/staff_home.html", context)


def leader_context(request: HttpRequest, assignments: list[Any] | None = None) -> dict[str, Any]:
    """The leader's part of the dashboard (empty for a person who is not a leader)."""
    scopes = staff_dashboard.leader_scopes(request.user, assignments)
    if not scopes:
        return {}
    wanted = request.GET.get("don-vi", "")
    scope = next((unit for unit in scopes if str(unit.pk) == wanted), scopes[0])
    kind = request.GET.get("ky", "month")
    if kind not in staff_dashboard.PERIOD_KINDS:
        kind = "month"
    today = timezone.localdate()
    periods = staff_dashboard.periods_back(kind, today, staff_dashboard.CHART_PERIODS[kind])
    period = periods[-1]
    figures = staff_dashboard.figure_rows(scope, period)
    charts = []
    for item in staff_dashboard.figures():
        if not item.chart:
            continue
        values = staff_dashboard.figure_series(item.name, scope, periods)
        labels = [_short_label(p) for p in periods]
        charts.append(
            {
                "label": item.label,
                "svg": svg_charts.bar_chart(
                    str(item.label), labels, values, unit=item.unit, better=item.better
                ),
            }
        )
    return {
        "scope": scope,
        "scopes": scopes,
        "period": period,
        "period_kind": kind,
        "period_kinds": [
            ("month", _("This month")),
            ("quarter", _("This quarter")),
            ("year", _("This year")),
        ],
        "figures": figures,
        "charts": charts,
    }


def _short_label(period: Period) -> str:
    if period.kind == "month":
        return f"{period.number:02d}/{period.year % 100:02d}"
    if period.kind == "quarter":
        return f"Q{period.number}/{period.year % 100:02d}"
    return str(period.year)
