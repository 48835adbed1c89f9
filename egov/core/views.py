from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from egov.accounts.decorators import staff_required
from egov.accounts.permissions import active_assignments
from egov.core import home_panels, readiness
from egov.core.models import Unit


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
def staff_home(request: HttpRequest) -> HttpResponse:
    assignments = list(active_assignments(request.user))
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
    return render(request, "core/staff_home.html", {"assignments": rows})
