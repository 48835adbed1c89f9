"""The declaration as people read it: the answers of an online submission, section by
section, in the form's own labels and with values in words (the label of a choice,
never its stored value; dates as dd/mm/yyyy; "Có"/"Không" for ticks).

Used by the applicant's check-your-answers page, the staff dossier page (a section
registered in ``dossiers.page_sections``) and the declaration's PDF
(:mod:`egov.submissions.declaration_pdf`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from egov.core.formatting import format_date, format_number
from egov.dossiers.models import Dossier
from egov.procedures.models import RequiredPaper
from egov.submissions import schema as form_schema
from egov.submissions.models import Submission


@dataclass(frozen=True)
class AnswerRow:
    name: str
    label: str
    value: str


@dataclass(frozen=True)
class AnswerSection:
    key: str
    title: str
    rows: tuple[AnswerRow, ...]


def human_value(prop: Mapping[str, Any], spec: Mapping[str, Any], value: Any) -> str:
    """One answer in words ("" when not given)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if "enum" in prop:
        return form_schema.text_in((spec.get("choices") or {}).get(str(value)), str(value))
    if prop.get("format") == "date" and isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if prop.get("type") == "integer" and isinstance(value, int):
        # Thousands grouped with dots, as Vietnamese writes them (75.000).
        return f"{value:,}".replace(",", ".")
    if prop.get("type") == "number" and isinstance(value, int | float):
        return format_number(value)
    return str(value)


def answer_sections(
    schema: Mapping[str, Any], layout: Mapping[str, Any] | None, answers: Mapping[str, Any]
) -> list[AnswerSection]:
    """The answers in the layout's sections and order, with the form's labels."""
    properties = schema.get("properties") or {}
    specs = (layout or {}).get("fields") or {}
    found: list[AnswerSection] = []
    for section in form_schema.sections(schema, layout):
        rows = []
        for name in section.fields:
            prop = properties.get(name) or {}
            spec = specs.get(name) or {}
            label = form_schema.text_in(
                spec.get("label"), prop.get("title") or name.replace("_", " ").capitalize()
            )
            rows.append(AnswerRow(name, label, human_value(prop, spec, answers.get(name))))
        found.append(AnswerSection(section.key, section.title, tuple(rows)))
    return found


@dataclass(frozen=True)
class Declaration:
    """The online declaration of one dossier."""

    title: str
    sections: tuple[AnswerSection, ...]
    submitted_at: datetime
    schema_number: int | None


def _title(dossier: Dossier) -> str:
    paper = (
        RequiredPaper.objects.filter(version_id=dossier.procedure_version_id, is_declaration=True)
        .order_by("position", "pk")
        .values_list("name", flat=True)
        .first()
    )
    return paper or _("Declaration")


def declaration_of(dossier: Dossier) -> Declaration | None:
    """The declaration the applicant filled in online for ``dossier``; ``None`` for a
    dossier not submitted online or whose procedure has no declaration form."""
    submission = Submission.objects.filter(dossier=dossier).select_related("form_schema").first()
    if submission is None or submission.form_schema is None:
        return None
    schema = submission.form_schema.schema or {}
    if not schema.get("properties"):
        return None
    sections = answer_sections(schema, submission.form_schema.layout, submission.answers or {})
    return Declaration(
        title=_title(dossier),
        sections=tuple(sections),
        submitted_at=submission.submitted_at,
        schema_number=submission.schema_number,
    )


def staff_section(user: Any, dossier: Dossier) -> dict[str, Any] | None:
    """Context of the declaration's section on the staff dossier page (the page has
    checked that ``user`` may see the dossier)."""
    declaration = declaration_of(dossier)
    if declaration is None:
        return None
    return {
        "declaration": declaration,
        "pdf_url": reverse("submissions_staff:declaration-pdf", kwargs={"code": dossier.code}),
    }
