"""The statistics page (``/can-bo/thong-ke/``) and its Excel download.

Who sees what: the unit list offers the units where the person holds a dossier
permission, may read the audit log or operates the platform (see
:func:`egov.dossiers.stats.figures.statistics_units`); the figures are those of
:func:`~egov.dossiers.stats.figures.dossier_statistics`. Charts are drawn here as
inline SVG (no script, no library), with the same numbers in the table below them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from egov.accounts.decorators import staff_required
from egov.core.date_parts import DatePartsField
from egov.core.models import Unit
from egov.core.periods import Period, calendar_month
from egov.dossiers.stats.excel import XLSX_CONTENT_TYPE, build_workbook, definitions, filename
from egov.dossiers.stats.figures import (
    MAX_DATE,
    MIN_DATE,
    REPORT_COLUMNS,
    Counts,
    StatsResult,
    dossier_statistics,
    fold_name,
    may_view_statistics,
    quick_periods,
    report_columns,
    statistics_units,
)
from egov.procedures.models import Procedure, ProcedureField, ProcedureVersion

FILTER_KEYS = ("unit", "start", "end", "field", "procedure", "group_by")
#: The two dates as the page's three boxes post them (day, month, year).
DATE_PART_KEYS = tuple(f"{name}_{index}" for name in ("start", "end") for index in range(3))


# --- the filter form -------------------------------------------------------------------------


def _unit_choices(units: list[Unit]) -> list[tuple[str, str]]:
    """Codes and names, indented under their parents (non-breaking spaces: a select
    cannot nest deeper than one group)."""
    top = min((unit.depth for unit in units), default=1)
    return [
        (unit.code, "\u00a0\u00a0" * (unit.depth - top) + f"{unit.name} ({unit.code})")
        for unit in units
    ]


def _field_choices() -> list[tuple[str, str]]:
    fields = sorted(ProcedureField.objects.all(), key=lambda f: fold_name(f.name))
    return [("", _("All fields")), *((f.code, f.name) for f in fields)]


def _procedure_choices() -> list[tuple[str, str]]:
    """Each procedure once, named after its newest version."""
    names: dict[str, str] = {}
    rows = ProcedureVersion.objects.order_by("procedure__national_code", "-number").values_list(
        "procedure__national_code", "name"
    )
    for code, name in rows:
        names.setdefault(code, name)
    choices = [(code, f"{code} – {name[:110]}") for code, name in names.items()]
    return [("", _("All procedures")), *choices]


class StatsFilterForm(forms.Form):
    date_error = gettext_lazy("Enter a valid date, for example 15/01/2020.")

    unit = forms.ChoiceField(label=gettext_lazy("Agency or unit"))
    start = DatePartsField(
        label=gettext_lazy("From date"),
        error_messages={"invalid": date_error},
    )
    end = DatePartsField(
        label=gettext_lazy("To date"),
        error_messages={"invalid": date_error},
    )
    field = forms.ChoiceField(label=gettext_lazy("Procedure field"), required=False)
    procedure = forms.ChoiceField(label=gettext_lazy("Procedure"), required=False)
    group_by = forms.ChoiceField(
        label=gettext_lazy("Break down by"),
        choices=[
            ("agency", gettext_lazy("Agency or unit below")),
            ("field", gettext_lazy("Procedure field")),
            ("procedure", gettext_lazy("Procedure")),
        ],
        required=False,
    )

    def __init__(self, data: Any, *, units: list[Unit]) -> None:
        super().__init__(data)
        self.units = {unit.code: unit for unit in units}
        self.fields["unit"].choices = _unit_choices(units)  # type: ignore[attr-defined]
        self.fields["field"].choices = _field_choices()  # type: ignore[attr-defined]
        self.fields["procedure"].choices = _procedure_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        for name in ("start", "end"):
            value = cleaned.get(name)
            if value is not None and not MIN_DATE <= value <= MAX_DATE:
                self.add_error(
                    name,
                    _("The date must be between %(first)s and %(last)s.")
                    % {"first": f"{MIN_DATE:%d/%m/%Y}", "last": f"{MAX_DATE:%d/%m/%Y}"},
                )
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date must be on or after the start date."))
        return cleaned

    def selection(self) -> dict[str, Any]:
        """The objects chosen (call once the form is valid)."""
        data = self.cleaned_data
        return {
            "unit": self.units[data["unit"]],
            "start": data["start"],
            "end": data["end"],
            "field": ProcedureField.objects.filter(code=data.get("field") or "").first(),
            "procedure": Procedure.objects.filter(
                national_code=data.get("procedure") or ""
            ).first(),
            "group_by": data.get("group_by") or "agency",
        }


# --- the chart ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    y: int
    in_time: int
    late: int
    in_time_width: float
    late_x: float
    late_width: float
    text: str


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    width: int
    height: int
    bar_height: int
    bars: list[Bar]
    legend_y: int
    number_x: int


CHART_WIDTH = 360  # user units; about one unit per pixel on a phone
BAR_AREA = 200
ROW_HEIGHT = 48
TOP = 46
LABEL_CHARS = 44


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def resolved_chart(result: StatsResult, heading: str) -> BarChart | None:
    """Horizontal stacked bars: resolved in time (early and on time) and late, one
    bar per line of the table (or one for the whole scope)."""
    lines: list[tuple[str, Counts]] = [(row.name, row.counts) for row in result.rows] or [
        (result.unit.name, result.totals)
    ]
    if not any(counts.resolved for _, counts in lines):
        return None
    largest = max(counts.resolved for _, counts in lines) or 1
    bars = []
    for index, (name, counts) in enumerate(lines):
        in_time = counts.resolved_in_time
        late = counts.resolved_late
        in_time_width = BAR_AREA * in_time / largest
        late_width = BAR_AREA * late / largest
        bars.append(
            Bar(
                label=_short(name),
                full_label=name,
                y=TOP + index * ROW_HEIGHT,
                in_time=in_time,
                late=late,
                in_time_width=round(in_time_width, 1),
                late_x=round(in_time_width, 1),
                late_width=round(late_width, 1),
                text=_("%(in_time)s in time · %(late)s late")
                % {
                    "in_time": number_format(in_time, force_grouping=True),
                    "late": number_format(late, force_grouping=True),
                },
            )
        )
    total = result.totals
    return BarChart(
        title=_("Dossiers resolved in time and late, by %(heading)s")
        % {"heading": heading.lower()},
        description=_(
            "Horizontal bars, one per line of the table below: the blue part counts the "
            "dossiers resolved in time (early or on time), the red part those resolved late. "
            "In all, "
            "%(in_time)s in time and %(late)s late. The table gives every figure."
        )
        % {
            "in_time": number_format(total.resolved_in_time, force_grouping=True),
            "late": number_format(total.resolved_late, force_grouping=True),
        },
        width=CHART_WIDTH,
        height=TOP + len(bars) * ROW_HEIGHT,
        bar_height=16,
        bars=bars,
        legend_y=16,
        number_x=BAR_AREA + 6,
    )


# --- quick periods ----------------------------------------------------------------------------

_SLOT_LABELS = {
    "this_month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "this_quarter": gettext_lazy("This quarter"),
    "last_quarter": gettext_lazy("Last quarter"),
    "this_year": gettext_lazy("This year"),
    "last_year": gettext_lazy("Last year"),
}


def _period_name(period: Period) -> str:
    if period.kind == "month":
        return f"{period.number:02d}/{period.year}"
    if period.kind == "quarter":
        return _("Q%(number)s/%(year)s") % {"number": period.number, "year": period.year}
    return str(period.year)


def _quick_links(
    today: date, params: dict[str, str], current: tuple[date, date] | None
) -> dict[str, list[dict[str, Any]]]:
    base = reverse("dossiers_stats:index")
    links: dict[str, list[dict[str, Any]]] = {}
    for basis, choices in quick_periods(today).items():
        items = []
        for slot, period in choices:
            query = {**params, "start": period.start.isoformat(), "end": period.end.isoformat()}
            items.append(
                {
                    "label": str(_SLOT_LABELS[slot]),
                    "name": _period_name(period),
                    "dates": f"{period.start:%d/%m/%Y}–{period.end:%d/%m/%Y}",
                    "url": f"{base}?{urlencode(query)}",
                    "current": current == (period.start, period.end),
                }
            )
        links[basis] = items
    return links


# --- the pages -----------------------------------------------------------------------------


def _heading(group_by: str | None) -> str:
    return {
        "agency": _("Agency or unit"),
        "field": _("Procedure field"),
        "procedure": _("Procedure"),
    }.get(group_by or "", _("Scope"))


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


def _cells(counts: Counts) -> list[dict[str, Any]]:
    cells = []
    for column in report_columns():
        value = getattr(counts, column.key)
        cells.append(
            {
                "value": value,
                "is_share": column.is_share,
                "percent": _percent(value) if column.is_share else None,
            }
        )
    return cells


def _prepare(request: HttpRequest) -> dict[str, Any]:
    """Everything both views need: the form, and the figures when it is valid."""
    units = statistics_units(request.user)
    context: dict[str, Any] = {"units": units, "result": None, "form": None}
    if not units:
        return context
    today = timezone.localdate()
    if any(key in request.GET for key in FILTER_KEYS):
        data = {key: request.GET.get(key, "") for key in FILTER_KEYS + DATE_PART_KEYS}
    else:
        month = calendar_month(today.year, today.month)
        data = {
            "unit": units[0].code,
            "start": month.start.isoformat(),
            "end": month.end.isoformat(),
            "group_by": "agency",
        }
    form = StatsFilterForm(data, units=units)
    context["form"] = form
    params = {key: data.get(key, "") for key in ("unit", "field", "procedure", "group_by")}
    current = None
    if form.is_valid():
        chosen = form.selection()
        if may_view_statistics(request.user, chosen["unit"]):
            result = dossier_statistics(
                chosen["unit"],
                chosen["start"],
                chosen["end"],
                field=chosen["field"],
                procedure=chosen["procedure"],
                group_by=chosen["group_by"],
            )
            context["result"] = result
            heading = _heading(result.group_by)
            context["heading"] = heading
            context["chart"] = resolved_chart(result, heading)
            context["rows"] = [{"row": row, "cells": _cells(row.counts)} for row in result.rows]
            context["total_cells"] = _cells(result.totals)
            shares = result.totals
            context["online_percent"] = _percent(shares.online_share)
            context["on_time_percent"] = _percent(shares.on_time_share)
            query = {
                **params,
                "start": chosen["start"].isoformat(),
                "end": chosen["end"].isoformat(),
            }
            context["excel_url"] = f"{reverse('dossiers_stats:excel')}?{urlencode(query)}"
            current = (chosen["start"], chosen["end"])
    context["quick"] = _quick_links(today, params, current)
    context["columns"] = REPORT_COLUMNS
    context["definitions"] = definitions()
    return context


@require_GET
@staff_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    context = _prepare(request)
    status = 200
    if not context["units"]:
        status = 403
    return render(request, "dossiers/stats/index.html", context, status=status)


@require_GET
@staff_required
def statistics_excel(request: HttpRequest) -> HttpResponse:
    context = _prepare(request)
    result: StatsResult | None = context["result"]
    if result is None:
        status = 403 if not context["units"] else 400
        return render(request, "dossiers/stats/index.html", context, status=status)
    response = HttpResponse(build_workbook(result), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(result)}"'
    return response
