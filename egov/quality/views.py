"""The leader's page of the 766 index (HTML, Excel) and the staff page of failed syncs."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.decorators import staff_required
from egov.core import svg_charts
from egov.core.date_parts import DatePartsField
from egov.core.models import Unit
from egov.quality import access, excel, index, selectors
from egov.quality.errors import BadPeriod


def parse_period(start: str | None, end: str | None) -> tuple[date, date]:
    """``YYYY-MM-DD`` dates (default: this year up to today), start ≤ end, ≤ 3 years."""
    today = timezone.localdate()
    try:
        first = date.fromisoformat(start) if start else date(today.year, 1, 1)
        last = date.fromisoformat(end) if end else today
    except ValueError as error:
        raise BadPeriod(_("Dates must be written as YYYY-MM-DD.")) from error
    if first > last:
        raise BadPeriod(_("The start of the period is after its end."))
    if (last - first).days > 3 * 366:
        raise BadPeriod(_("The period may not be longer than three years."))
    return first, last


class PeriodForm(forms.Form):
    """The page's period, typed in three boxes (ngày, tháng, năm) or passed in a link
    as ``?start=2026-03-01`` (the widget falls back to the plain value)."""

    start = DatePartsField(label=gettext_lazy("From date"), required=False)
    end = DatePartsField(label=gettext_lazy("To date"), required=False)


def chosen_unit(user: object, code: str | None) -> Unit:
    units = access.index_units(user)
    if not units:
        raise PermissionDenied(_("You may not see the service-quality index."))
    if not code:
        return units[0]
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise Http404(_("No such unit."))
    if not access.may_view_index(user, unit):
        raise PermissionDenied(_("You may not see the index of this unit."))
    return unit


def _trend_title(points: list[tuple[str, Any]]) -> str:
    """The chart's text for screen readers: each month and its score."""
    return "; ".join(
        f"{label}: {'N/A' if score is None else str(score) + '%'}" for label, score in points
    )


@staff_required
def index_page(request: HttpRequest) -> HttpResponse:
    unit = chosen_unit(request.user, request.GET.get("unit"))
    error = ""
    form = PeriodForm(request.GET)
    try:
        if not form.is_valid():
            raise BadPeriod(_("Check the dates of the period."))
        chosen = form.cleaned_data
        start, end = parse_period(
            chosen["start"] and chosen["start"].isoformat(),
            chosen["end"] and chosen["end"].isoformat(),
        )
    except BadPeriod as problem:
        error = problem.message
        start, end = parse_period(None, None)
    if not error:
        # The boxes show the period in force (the default one when none was asked);
        # after an error they keep what was typed.
        form = PeriodForm(initial={"start": start, "end": end})
    result = index.compute(unit, start, end)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(excel.workbook(result), content_type=excel.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{excel.filename(result)}"'
        return response
    points = index.trend(unit, end)
    return render(
        request,
        "quality/index.html",
        {
            "result": result,
            "unit": unit,
            "units": access.index_units(request.user),
            "start": start,
            "end": end,
            "error": error,
            "form": form,
            "trend_svg": svg_charts.line_chart(
                points, _trend_title(points), css_class="quality-trend"
            ),
            "trend": points,
        },
    )


@staff_required
def failed_syncs(request: HttpRequest) -> HttpResponse:
    if not access.may_view_sync(request.user):
        raise PermissionDenied(_("You may not see the synchronisation with the national portal."))
    return render(request, "quality/sync_failed.html", {"rows": selectors.failed_syncs()})
