"""Staff pages of the procedure catalogue: the list, a procedure, the process editor.

Every staff member may read the catalogue. The process editor is for the
administrators of an agency that carries the procedure out (``Perm.MANAGE_UNITS``
in the agency); the service checks it again when saving.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.accounts.decorators import staff_required
from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.core.models import Unit
from egov.procedures import fees as fee_rules
from egov.procedures.forms import (
    BaseStepFormSet,
    CatalogueFilterForm,
    StepFormSet,
    unit_choices,
)
from egov.procedures.models import ProcedureVersion, VersionStatus
from egov.procedures.selectors import (
    StepSpec,
    active_process,
    active_templates,
    all_versions,
    catalogue,
    consult_candidates,
    default_process_steps,
    describe_online_level,
    describe_time_limit,
    fee_for,
    get_procedure,
    level_labels,
    manageable_agencies,
    published_version,
    template_total,
    time_limit_hours,
    version_detail,
)
from egov.procedures.services import define_process_template

PAGE_SIZE = 25
#: Agencies listed in full on a procedure's page; beyond, a count and a summary.
AGENCY_LIST_LIMIT = 30


def _hours(value: Decimal) -> str:
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _row(version: ProcedureVersion) -> dict[str, Any]:
    return {
        "version": version,
        "code": version.procedure.national_code,
        "levels": level_labels(version.levels),
        "online": describe_online_level(version.online_level),
        "time_limit": describe_time_limit(version),
        "fee": fee_rules.format_dong(fee_for(version)),
        "is_draft": version.status == VersionStatus.DRAFT,
    }


@staff_required
@require_http_methods(["GET"])
def procedure_list(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    versions = catalogue(**form.filters())
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "procedures/list.html",
        {
            "form": form,
            "page": page,
            "rows": [_row(version) for version in page.object_list],
            "filtered": bool(form.is_bound and any(form.filters().values())),
        },
    )


def _fee_rows(version: ProcedureVersion) -> list[dict[str, Any]]:
    return [
        {"name": item["name"], "text": fee_rules.describe(item), "note": item.get("note", "")}
        for item in version.fees or []
    ]


def _template_rows(version: ProcedureVersion | None, procedure: Any) -> list[dict[str, Any]]:
    limit = time_limit_hours(version) if version is not None else None
    rows = []
    for template in active_templates(procedure):
        total = template_total(template)
        rows.append(
            {
                "template": template,
                "total": _hours(total),
                "mismatch": limit is not None and total != limit,
            }
        )
    return rows


def _publication(version: ProcedureVersion) -> dict[str, Any]:
    """How the version was made public (decision number, dates as dates, demo mark)."""
    record = version.publication or {}
    shown: dict[str, Any] = {
        "decision": record.get("decision", ""),
        "demo": bool(record.get("demo")),
    }
    dates = (("decided_on", "decided"), ("effective_on", "effective"), ("posted_on", "posted"))
    for key, name in dates:
        try:
            shown[name] = date.fromisoformat(record[key]) if record.get(key) else None
        except (TypeError, ValueError):
            shown[name] = None
    if not (shown["decision"] or shown["decided"]):
        return {}
    return shown


@staff_required
@require_http_methods(["GET"])
def procedure_detail(request: HttpRequest, national_code: str) -> HttpResponse:
    number_text = request.GET.get("phien-ban", "")
    number = int(number_text) if number_text.isdigit() else None
    version = version_detail(national_code, number)
    if version is None:
        raise Http404(_("No procedure with this code."))
    procedure = version.procedure
    in_force = published_version(procedure) if version.status != "published" else version
    agencies = list(version.agencies.all())
    editable = list(manageable_agencies(request.user, in_force)) if in_force else []
    return render(
        request,
        "procedures/detail.html",
        {
            "version": version,
            "procedure": procedure,
            "in_force": in_force,
            "row": _row(version),
            "papers": list(version.papers.all()),
            "fees": _fee_rows(version),
            "fee_total": fee_rules.format_dong(fee_for(version)),
            "fee_inputs": fee_rules.fee_inputs(version.fees or []),
            "agencies": agencies[:AGENCY_LIST_LIMIT],
            "agency_count": len(agencies),
            "agencies_cut": len(agencies) > AGENCY_LIST_LIMIT,
            "versions": list(all_versions(procedure)),
            "templates": _template_rows(in_force, procedure),
            "editable_agencies": editable,
            "limit_hours": _hours(time_limit_hours(version)),
            "publication": _publication(version),
        },
    )


def _editor_context(
    request: HttpRequest, version: ProcedureVersion, agency: Unit
) -> tuple[dict[int, Unit], list[Any]]:
    others = list(consult_candidates(agency))
    choices = unit_choices(agency, others)
    units = {
        unit.pk: unit
        for unit in Unit.objects.filter(path__startswith=agency.path, dissolved_at__isnull=True)
    }
    units.update({unit.pk: unit for unit in others})
    return units, choices


def _initial(steps: list[StepSpec]) -> list[dict[str, Any]]:
    return [
        {
            "name": step.name,
            "unit": str(step.unit.pk),
            "role_code": step.role_code,
            "hours": step.hours,
            "actions": list(step.actions),
            "action_name": step.action_name,
            "name_en": step.name_en,
            "action_name_en": step.action_name_en,
        }
        for step in steps
    ]


def _formset(units: dict[int, Unit], choices: list[Any], **kwargs: Any) -> BaseStepFormSet:
    formset: BaseStepFormSet = StepFormSet(
        units=units, unit_choices=choices, prefix="steps", **kwargs
    )
    return formset


@staff_required
@require_http_methods(["GET", "POST"])
def process_edit(request: HttpRequest, national_code: str) -> HttpResponse:
    procedure = get_procedure(national_code)
    if procedure is None:
        raise Http404(_("No procedure with this code."))
    version = published_version(procedure)
    if version is None:
        raise Http404(_("This procedure has no version in force."))
    agency_id = request.GET.get("co-quan", "")
    if not agency_id.isdigit():
        raise Http404(_("Choose an agency."))
    agency = get_object_or_404(
        Unit, pk=int(agency_id), dissolved_at__isnull=True, pk__in=version.agencies.values("pk")
    )
    if not has_perm_in_unit(request.user, Perm.MANAGE_UNITS, agency):
        raise PermissionDenied(_("Only the agency's administrators may change its process."))
    units, choices = _editor_context(request, version, agency)
    template = active_process(procedure, agency)
    steps = (
        [StepSpec.from_step(step) for step in template.steps.all()]
        if template is not None
        else default_process_steps(version, agency)
    )
    total: Decimal | None = None
    if request.method == "POST":
        formset = _formset(units, choices, data=request.POST)
        if formset.is_valid():
            specs = formset.step_specs()
            total = sum((spec.hours for spec in specs), Decimal(0))
            try:
                define_process_template(request.user, procedure, agency, specs)
            except ValidationError as exc:
                formset.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("The process of %(agency)s for this procedure was saved.")
                    % {"agency": agency.name},
                )
                url = reverse("procedures:process-edit", args=[procedure.national_code])
                return HttpResponseRedirect(f"{url}?{urlencode({'co-quan': agency.pk})}")
    else:
        formset = _formset(units, choices, initial=_initial(steps))
    return render(
        request,
        "procedures/process_edit.html",
        {
            "procedure": procedure,
            "version": version,
            "agency": agency,
            "formset": formset,
            "is_default": template is None,
            "template": template,
            "limit_hours": _hours(time_limit_hours(version)),
            "time_limit": describe_time_limit(version),
            "total": _hours(total) if total is not None else None,
        },
        status=400 if request.method == "POST" else 200,
    )
