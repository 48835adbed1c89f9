"""Staff pages of reporting: my reports, a unit's regimes and periods, one report
(figures, actions, history), completeness per period, and the exports. Thin: the
services decide and refuse, the selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.accounts.decorators import staff_required
from egov.core.errors import DomainError
from egov.core.models import Unit
from egov.reporting import access, selectors, services
from egov.reporting.errors import InvalidFigures
from egov.reporting.exports import report_pdf, report_workbook, rows_of
from egov.reporting.models import Regime, Report, Status
from egov.reporting.periods import period_of, recent_periods


def _refusal(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return exc.messages[0] if exc.messages else _("The request is not valid.")
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc) or _("You are not allowed to do this.")


def _visible_report(request: HttpRequest, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("regime", "unit"), pk=pk)
    if not access.may_see_unit(request.user, report.unit):
        raise Http404
    return report


@staff_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    units = list(access.home_units(request.user))
    regimes = list(selectors.active_regimes())
    filing: dict[int, Unit] = {}
    for regime in regimes:
        for unit in selectors.filing_units(request.user, regime):
            filing[unit.pk] = unit
    context = {
        "due": selectors.reports_due_for(request.user),
        "filing_units": sorted(filing.values(), key=lambda u: u.path),
        "regimes": regimes,
        "roots": units,
    }
    return render(request, "reporting/home.html", context)


@staff_required
@require_GET
def unit_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_id)
    if not access.may_see_unit(request.user, unit):
        raise Http404
    today = timezone.localdate()
    blocks = []
    for regime in selectors.regimes_for_unit(unit):
        lines = []
        for period in recent_periods(regime, today, count=4):
            lines.append(
                {
                    "period": period,
                    "report": selectors.current_report(regime, unit, period.key),
                    "closed": period.end <= today,
                }
            )
        blocks.append({"regime": regime, "lines": lines})
    return render(
        request,
        "reporting/unit.html",
        {
            "unit": unit,
            "blocks": blocks,
            "may_prepare": access.may_prepare(request.user, unit),
        },
    )


@staff_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    regime = get_object_or_404(Regime, pk=request.POST.get("regime") or 0)
    unit = get_object_or_404(Unit, pk=request.POST.get("unit") or 0)
    try:
        report = services.create_report(request.user, regime, unit, request.POST.get("period", ""))
    except (DomainError, PermissionDenied, ValidationError) as exc:
        messages.error(request, _refusal(exc))
        return redirect("reporting:unit", unit.pk)
    messages.success(request, _("The report was opened with its automatic figures."))
    return redirect("reporting:report", report.pk)


def _report_context(request: HttpRequest, report: Report, **extra: Any) -> dict[str, Any]:
    user = request.user
    rows = rows_of(report)
    entered = extra.pop("entered", None)
    errors = extra.pop("errors", {})
    if entered is not None:
        for row in rows:
            if not row["auto"]:
                row["value"] = entered.get(row["code"], row["value"])
        for row in rows:
            row["note"] = entered.get(f"note_{row['code']}", row["note"])
    for row in rows:
        row["error"] = errors.get(row["code"], "")
    aggregated, count = selectors.aggregate_below(report.regime, report.period_key, report.unit)
    sections = [
        {
            **s,
            "text": (report.texts or {}).get(s.get("code"), ""),
            "error": errors.get(s.get("code"), ""),
        }
        for s in report.regime.sections or []
    ]
    return {
        "report": report,
        "rows": rows,
        "sections": sections,
        "aggregated": aggregated,
        "aggregated_count": count,
        "history": selectors.history(report),
        "events": report.events.select_related("actor"),
        "may_prepare": access.may_prepare(user, report.unit),
        "may_approve": access.may_approve(user, report.unit),
        "late_now": timezone.localdate() > report.deadline,
        "Status": Status,
        **extra,
    }


@staff_required
@require_GET
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    return render(request, "reporting/report.html", _report_context(request, report))


def _posted_values(request: HttpRequest, report: Report) -> tuple[dict[str, str], dict[str, str]]:
    values: dict[str, str] = {}
    notes: dict[str, str] = {}
    for indicator in report.regime.indicators.all():
        if not indicator.source and indicator.code in request.POST:
            values[indicator.code] = request.POST[indicator.code]
        if f"note_{indicator.code}" in request.POST:
            notes[indicator.code] = request.POST[f"note_{indicator.code}"]
    return values, notes


@staff_required
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    action = request.POST.get("action", "")
    user = request.user
    try:
        if action == "save":
            values, notes = _posted_values(request, report)
            texts = {
                s["code"]: request.POST.get(f"text_{s['code']}", "")
                for s in report.regime.sections or []
            }
            version = request.POST.get("version")
            services.save_figures(
                user,
                report,
                values=values,
                notes=notes,
                texts=texts,
                expected_version=int(version) if version else None,
            )
            messages.success(request, _("The figures were saved."))
        elif action == "recompute":
            services.recompute(user, report)
            messages.success(request, _("The automatic figures were computed again."))
        elif action == "submit":
            services.submit(user, report, late_reason=request.POST.get("late_reason", ""))
            messages.success(request, _("The report was submitted to the unit's leader."))
        elif action == "return":
            services.return_report(user, report, note=request.POST.get("note", ""))
            messages.success(request, _("The report was returned for changes."))
        elif action == "approve":
            approved = services.approve(user, report, pin=request.POST.get("pin", ""))
            messages.success(
                request,
                _("The report was approved and digitally signed.")
                if approved.is_signed
                else _("The report was approved (unsigned: you have no signing key)."),
            )
        elif action == "correct":
            fresh = services.open_correction(user, report, reason=request.POST.get("reason", ""))
            messages.success(
                request, _("A correction was opened as version %(v)s.") % {"v": fresh.version}
            )
            return redirect("reporting:report", fresh.pk)
        elif action == "send":
            services.send(user, report)
            messages.success(
                request,
                _(
                    "The report is queued for the Government reporting system: it is sent "
                    "within a minute, and sent again if that system does not answer."
                ),
            )
        else:
            raise Http404
    except InvalidFigures as exc:
        entered = request.POST
        context = _report_context(request, report, entered=entered, errors=exc.errors)
        messages.error(request, _("Nothing was saved: %(error)s") % {"error": exc.message})
        return render(request, "reporting/report.html", context, status=422)
    except (DomainError, PermissionDenied, ValidationError) as exc:
        messages.error(request, _refusal(exc))
    return redirect("reporting:report", report.pk)


@staff_required
@require_GET
def completeness_page(request: HttpRequest) -> HttpResponse:
    regimes = list(selectors.active_regimes())
    roots = list(access.home_units(request.user))
    regime = next((r for r in regimes if str(r.pk) == request.GET.get("regime")), None) or (
        regimes[0] if regimes else None
    )
    root = next((u for u in roots if str(u.pk) == request.GET.get("unit")), None) or (
        roots[0] if roots else None
    )
    if regime is None or root is None:
        raise Http404
    periods = recent_periods(regime, timezone.localdate(), count=6)
    period = period_of(regime, request.GET.get("period", "")) or (periods[0] if periods else None)
    result = selectors.completeness(regime, period, root) if period else None
    return render(
        request,
        "reporting/completeness.html",
        {
            "regimes": regimes,
            "regime": regime,
            "roots": roots,
            "root": root,
            "periods": periods,
            "period": period,
            "result": result,
        },
    )


@staff_required
@require_GET
def download_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    data = bytes(report.signed_pdf) if report.signed_pdf else report_pdf(report)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao-{report.pk}-v{report.version}.pdf"'
    )
    return response


@staff_required
@require_GET
def download_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    response = HttpResponse(
        report_workbook(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao-{report.pk}-v{report.version}.xlsx"'
    )
    return response
