"""Staff pages of the plan (/can-bo/dieu-hanh/ke-hoach/): its targets with the live
or reported figure and the verdict (Đạt / Chưa đạt), and its projects with budget,
funding, disbursement and progress. Operators report values and update projects."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.accounts.decorators import staff_required
from egov.core import svg_charts
from egov.core.errors import DomainError
from egov.core.periods import calendar_year, parse_period, period_choices
from egov.core.staff_dashboard import leader_scopes
from egov.dashboards import selectors, services
from egov.dashboards.models import Funding


def _may_see(user: object) -> bool:
    return bool(leader_scopes(user)) or services.may_report(user)


@staff_required
@require_GET
def plan(request: HttpRequest) -> HttpResponse:
    if not _may_see(request.user):
        raise PermissionDenied(_("The plan's follow-up is for leaders and the IT department."))
    current = selectors.current_plan()
    if current is None:
        raise Http404(_("No plan has been loaded."))
    period = parse_period(request.GET.get("ky")) or calendar_year(timezone.localdate().year)
    evaluated = selectors.evaluated_targets(current, period)
    items = selectors.projects(current)
    return render(
        request,
        "dashboards/plan.html",
        {
            "plan": current,
            "period": period,
            "period_choices": period_choices(timezone.localdate(), years=3),
            "rows": [
                {
                    "e": e,
                    "meter": svg_charts.meter(e.value, float(e.target.value), unit=e.target.unit),
                }
                for e in evaluated
            ],
            "reached": sum(1 for e in evaluated if e.reached),
            "not_reached": sum(1 for e in evaluated if e.reached is False),
            "projects": items,
            "totals": selectors.totals(items),
            "recurrent": selectors.totals(items, Funding.RECURRENT),
            "investment": selectors.totals(items, Funding.PUBLIC_INVESTMENT),
            "may_report": services.may_report(request.user),
        },
    )


@staff_required
@require_POST
def report_target(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.report_target(
            request.user,
            pk,
            value=request.POST.get("value", ""),
            evidence=request.POST.get("evidence", ""),
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The reported value was saved."))
    return redirect("dashboards:plan")


@staff_required
@require_POST
def update_project(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.update_project(
            request.user,
            pk,
            disbursed=int((request.POST.get("disbursed") or "").replace(".", "")),
            progress=int(request.POST.get("progress") or ""),
            note=request.POST.get("note", ""),
            expected_version=int(request.POST.get("version") or 0),
        )
    except ValueError:
        messages.error(request, _("Enter whole numbers for the amount and the progress."))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The project was updated."))
    return redirect("dashboards:plan")
