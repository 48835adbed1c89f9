"""Staff pages for the one-stop forms (mounted at ``/can-bo/mau-phieu/``).

- Operators (``Perm.OPERATE_PLATFORM``) list and edit the form templates, and
  preview a template on the sample dossier.
- Staff who can see a dossier (:func:`~egov.dossiers.form_services.may_view_dossier_forms`)
  download its forms 01–06 as PDF: ``<code>/<form>.pdf``.
- Staff with a dossier permission in a unit export its register (form 07) for a
  period as PDF or Excel.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from egov.accounts.decorators import staff_required
from egov.accounts.permissions import units_with_perm
from egov.core.date_parts import DatePartsField
from egov.core.models import Unit, UnitLevel
from egov.dossiers.form_defaults import DOSSIER_FORM_CODES, FORM_CODES, default_form
from egov.dossiers.form_services import (
    DOSSIER_PERMS,
    may_edit_form_templates,
    may_see_unit_dossiers,
    may_view_dossier_forms,
    update_form_template,
)
from egov.dossiers.models import Dossier, FormTemplate
from egov.dossiers.paperforms.context import FormRenderError
from egov.dossiers.paperforms.excel import register_xlsx
from egov.dossiers.paperforms.register import register_dossiers, render_register

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_REGISTER_DAYS = 366
MAX_REGISTER_PDF_ROWS = 2000

#: Variables listed next to the editor (the full list is in paperforms.context's docstring).
TEMPLATE_VARIABLES: tuple[str, ...] = (
    "dossier.code",
    "dossier.procedure_name",
    "dossier.procedure_code",
    "dossier.received_date",
    "dossier.received_time",
    "dossier.due_date",
    "dossier.due_time",
    "dossier.time_limit",
    "dossier.fee",
    "applicant.name",
    "applicant.id_number",
    "applicant.address",
    "applicant.phone",
    "agency.name",
    "unit.name",
    "unit.phone",
    "received_papers (no, name, form, copies)",
    "missing (no, name, reason)",
    "control_rows (no, date, time, units, handed_by, received_by, result, note)",
    "apology (reason, previous_due_date, new_due_date, new_due_time, issued_by, unit)",
    "reason",
    "officer",
    "today.date",
    "lookup_url",
    "rows, start_date, end_date (form 07)",
)


def _file(content: bytes, content_type: str, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # Forms carry personal data: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"
    return response


def _require_operator(user: Any) -> None:
    if not may_edit_form_templates(user):
        raise PermissionDenied(_("Only platform operators may edit form templates."))


# --- templates (operators) -----------------------------------------------------------


@staff_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    _require_operator(request.user)
    stored = {t.code: t for t in FormTemplate.objects.select_related("updated_by")}
    rows = []
    for code in FORM_CODES:
        template = stored.get(code)
        rows.append(
            {
                "code": code,
                "title": template.title if template else default_form(code).title,
                "template": template,
            }
        )
    return render(request, "dossiers/forms/template_list.html", {"rows": rows})


class FormTemplateForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=255,
        error_messages={"required": gettext_lazy("Enter the title of the form.")},
    )
    body = forms.CharField(
        label=gettext_lazy("Text of the form"),
        help_text=gettext_lazy(
            "A Django template producing simple HTML: p, b, i, br, h1–h3 and tables whose "
            "cells hold plain text. The heading, title, dossier code and QR code are added "
            "around it."
        ),
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "spellcheck": "false"}),
        strip=False,
        error_messages={"required": gettext_lazy("Enter the text of the form.")},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, form_code: str) -> HttpResponse:
    _require_operator(request.user)
    if form_code not in FORM_CODES:
        raise Http404(_("Unknown form number."))
    stored = FormTemplate.objects.filter(code=form_code).first()
    shipped = default_form(form_code)
    initial = {
        "title": stored.title if stored else shipped.title,
        "body": stored.body if stored else shipped.body,
    }
    if request.method == "POST":
        form = FormTemplateForm(request.POST)
        if form.is_valid():
            try:
                update_form_template(
                    request.user, form_code, form.cleaned_data["title"], form.cleaned_data["body"]
                )
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                messages.success(request, _("Form %(code)s was saved.") % {"code": form_code})
                return redirect("dossiers_forms:templates")
    else:
        form = FormTemplateForm(initial=initial)
    return render(
        request,
        "dossiers/forms/template_edit.html",
        {
            "form": form,
            "form_code": form_code,
            "stored": stored,
            "variables": TEMPLATE_VARIABLES,
            # Template syntax inside a {% translate %} tag would end the tag early.
            "syntax_hint": _(
                "Write a variable as {{ name }}; repeat rows with "
                "{% for row in list %}…{% endfor %}. Dates are dd/mm/yyyy, times HH:MM, "
                "amounts like 1.000.000 đồng."
            ),
        },
    )


@staff_required
@require_GET
def template_preview(request: HttpRequest, form_code: str) -> HttpResponse:
    """The saved template on the fictitious sample dossier."""
    from egov.dossiers.paperforms.pdf import render_sample

    _require_operator(request.user)
    if form_code not in FORM_CODES:
        raise Http404(_("Unknown form number."))
    stored = FormTemplate.objects.filter(code=form_code).first()
    shipped = default_form(form_code)
    title, body = (stored.title, stored.body) if stored else (shipped.title, shipped.body)
    try:
        content = render_sample(form_code, title, body, strict=False)
    except FormRenderError as error:
        return _render_error(request, error)
    return _file(content, PDF, f"mau-{form_code}.pdf", attachment=False)


def _render_error(request: HttpRequest, error: FormRenderError) -> HttpResponse:
    return render(
        request, "dossiers/forms/render_error.html", {"message": error.message}, status=500
    )


# --- a dossier's forms -----------------------------------------------------------------


@staff_required
@require_GET
def dossier_form_pdf(request: HttpRequest, dossier_code: str, form_code: str) -> HttpResponse:
    from egov.dossiers.services import issued_form

    dossier = get_object_or_404(
        Dossier.objects.select_related("receiving_agency", "receiving_unit", "current_unit"),
        code=dossier_code,
    )
    if not may_view_dossier_forms(request.user, dossier):
        # Not 403: whether a dossier code exists is not told to staff outside its scope.
        raise Http404(_("No dossier with this code."))
    if form_code not in DOSSIER_FORM_CODES:
        raise Http404(_("Unknown form number."))
    try:
        # Forms 01–04 are issued signed by the agency (the same file the applicant gets).
        content, _signed = issued_form(form_code, dossier, actor=request.user)
    except FormRenderError as error:
        return _render_error(request, error)
    return _file(content, PDF, f"mau-{form_code}-{dossier.code}.pdf", attachment=False)


# --- the register (form 07) ------------------------------------------------------------


def register_units(user: Any) -> QuerySet[Unit]:
    """Desks and agencies whose register ``user`` may export."""
    condition = Q()
    for perm in DOSSIER_PERMS:
        condition |= Q(pk__in=units_with_perm(user, perm).values("pk"))
    return (
        Unit.objects.filter(condition, dissolved_at__isnull=True)
        .filter(Q(is_one_stop=True) | ~Q(level=UnitLevel.INTERNAL))
        .order_by("path")
    )


class RegisterForm(forms.Form):
    FORMATS = (("pdf", "PDF"), ("xlsx", "Excel (.xlsx)"))

    unit = forms.ModelChoiceField(
        label=gettext_lazy("One-stop unit or agency"),
        queryset=Unit.objects.none(),
        error_messages={"required": gettext_lazy("Choose a unit.")},
    )
    start = DatePartsField(
        label=gettext_lazy("From date"),
        error_messages={
            "required": gettext_lazy("Enter the first day."),
            "invalid": gettext_lazy("Enter a valid date, for example 15/01/2026."),
        },
    )
    end = DatePartsField(
        label=gettext_lazy("To date"),
        error_messages={
            "required": gettext_lazy("Enter the last day."),
            "invalid": gettext_lazy("Enter a valid date, for example 15/01/2026."),
        },
    )
    format = forms.ChoiceField(label=gettext_lazy("File format"), choices=FORMATS, initial="pdf")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = register_units(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("start")
        end: dt.date | None = data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The last day must not be before the first day."))
            elif (end - start).days >= MAX_REGISTER_DAYS:
                self.add_error(
                    "end",
                    _("Choose a period of at most %(days)s days.") % {"days": MAX_REGISTER_DAYS},
                )
        return data


@staff_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """Form to choose a unit and period; with a complete query, the file itself."""
    today = timezone.localdate()
    bound = "unit" in request.GET
    form = RegisterForm(
        request.GET if bound else None,
        user=request.user,
        initial={"start": today.replace(day=1), "end": today, "format": "pdf"},
    )
    if bound and form.is_valid():
        unit: Unit = form.cleaned_data["unit"]
        if not may_see_unit_dossiers(request.user, unit):
            raise PermissionDenied(_("You do not have permission to see this unit's dossiers."))
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        name = f"so-theo-doi-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}"
        if form.cleaned_data["format"] == "xlsx":
            return _file(register_xlsx(unit, start, end), XLSX, f"{name}.xlsx", attachment=True)
        count = register_dossiers(unit, start, end).count()
        if count > MAX_REGISTER_PDF_ROWS:
            # Laying out thousands of table rows would hold a server thread for minutes.
            form.add_error(
                "format",
                _(
                    "This period has %(count)s dossiers, too many for a PDF (at most "
                    "%(max)s): choose Excel or a shorter period."
                )
                % {"count": count, "max": MAX_REGISTER_PDF_ROWS},
            )
        else:
            try:
                content = render_register(unit, start, end)
            except FormRenderError as error:
                return _render_error(request, error)
            return _file(content, PDF, f"{name}.pdf", attachment=False)
    return render(request, "dossiers/forms/register.html", {"form": form})
