"""Reads of online submission: forms, agencies, prefill, drafts and the wallet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from egov.core.models import Unit
from egov.dossiers.models import Dossier
from egov.procedures.models import Procedure, ProcedureVersion, RequiredPaper
from egov.submissions import schema as form_schema
from egov.submissions.models import Draft, DraftFile, DraftStatus, FormSchema, Step, WalletDocument


def current_schema(procedure: Procedure | int) -> FormSchema | None:
    return FormSchema.objects.filter(procedure=procedure, is_current=True).first()


def schema_of(draft: Draft) -> tuple[dict[str, Any], dict[str, Any]]:
    """(schema, layout) the draft is made under; the generic one (no declaration
    fields) when the procedure has no form."""
    row = draft.form_schema
    if row is None:
        return dict(form_schema.GENERIC_SCHEMA), {}
    return row.schema, row.layout or {}


def has_declaration(draft: Draft) -> bool:
    return bool(schema_of(draft)[0].get("properties"))


def steps_of(draft: Draft) -> list[str]:
    """The steps the draft goes through (no declaration step without fields)."""
    steps = [Step.AGENCY, Step.APPLICANT, Step.DECLARATION, Step.PAPERS, Step.REVIEW]
    if not has_declaration(draft):
        steps.remove(Step.DECLARATION)
    return [str(step) for step in steps]


def agencies_for(version: ProcedureVersion) -> QuerySet[Unit]:
    """Agencies that carry the procedure out and still exist."""
    return version.agencies.filter(dissolved_at__isnull=True).order_by("name")


def papers_of(version: ProcedureVersion) -> list[RequiredPaper]:
    return list(RequiredPaper.objects.filter(version=version).order_by("position", "pk"))


def filled_online(draft: Draft, paper: RequiredPaper) -> bool:
    """Whether ``paper`` is handed in by the declaration form filled in online (the
    paper is the declaration, ``RequiredPaper.is_declaration``): nothing to upload."""
    return paper.is_declaration and has_declaration(draft)


def papers_to_upload(draft: Draft) -> list[RequiredPaper]:
    """The papers of the draft's procedure the applicant uploads (in order)."""
    return [p for p in papers_of(draft.procedure_version) if not filled_online(draft, p)]


def _last_used(user: Any) -> dict[str, str]:
    dossier = (
        Dossier.objects.filter(applicant=user)
        .exclude(applicant_address="", applicant_phone="")
        .order_by("-submitted_at", "-pk")
        .only("applicant_address", "applicant_phone", "applicant_email")
        .first()
    )
    if dossier is None:
        return {}
    return {
        "address": dossier.applicant_address,
        "phone": dossier.applicant_phone,
        "email": dossier.applicant_email,
    }


def prefill_applicant(user: Any) -> dict[str, str]:
    """Applicant details for a new draft: the identity profile first, then the
    address and phone used in the user's latest dossier where the profile has none."""
    from egov.identity.selectors import profile_for

    profile = profile_for(user)
    last = _last_used(user)
    birth = profile.date_of_birth
    values = {
        "name": profile.full_name,
        "id_number": profile.national_id or profile.tax_code,
        "date_of_birth": birth.isoformat() if isinstance(birth, dt.date) else "",
        "address": profile.address or last.get("address", ""),
        "phone": profile.phone or last.get("phone", ""),
        "email": profile.email or last.get("email", ""),
    }
    return {key: value or "" for key, value in values.items()}


def verified_fields(user: Any) -> frozenset[str]:
    """Applicant fields confirmed by the national identity provider."""
    from egov.identity.selectors import profile_for

    mapping = {"full_name": "name", "national_id": "id_number", "tax_code": "id_number"}
    return frozenset(mapping.get(name, name) for name in profile_for(user).verified)


def drafts_of(user: Any) -> QuerySet[Draft]:
    return (
        Draft.objects.filter(user=user, status=DraftStatus.OPEN)
        .select_related("procedure_version__procedure", "agency")
        .order_by("-updated_at")
    )


def draft_for(user: Any, pk: int) -> Draft:
    """The user's own draft (``Draft.DoesNotExist`` otherwise)."""
    return Draft.objects.select_related(
        "procedure_version__procedure", "agency", "form_schema"
    ).get(pk=pk, user=user)


def files_by_paper(draft: Draft) -> dict[int, DraftFile]:
    return {row.required_paper_id: row for row in draft.files.all()}


def wallet_of(user: Any) -> QuerySet[WalletDocument]:
    return WalletDocument.objects.filter(owner=user).select_related("source_dossier")


@dataclass(frozen=True)
class Problem:
    step: str
    message: str


def problems(draft: Draft) -> list[Problem]:
    """What keeps the draft from being submitted, step by step."""
    found: list[Problem] = []
    if draft.agency_id is None:
        found.append(Problem(Step.AGENCY, _("Choose the agency that will receive the dossier.")))
    applicant = draft.applicant or {}
    if not applicant.get("name") or not applicant.get("id_number"):
        found.append(Problem(Step.APPLICANT, _("Give the applicant's name and identity number.")))
    schema, _layout = schema_of(draft)
    errors = form_schema.validate_answers(schema, draft.answers or {})
    if errors:
        field, message = next(iter(errors.items()))
        label = form_schema.text_in(
            (_layout.get("fields") or {}).get(field, {}).get("label"), field
        )
        found.append(Problem(Step.DECLARATION, f"{label}: {message}"))
    have = set(draft.files.values_list("required_paper_id", flat=True))
    for paper in papers_to_upload(draft):
        if not paper.is_optional and paper.pk not in have:
            found.append(
                Problem(Step.PAPERS, _("Add the paper “%(name)s”.") % {"name": paper.name})
            )
    return found
