"""Papers handed in: read against the procedure's list, checked for what is
missing, saved with the dossier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from egov.dossiers.errors import MissingPaper
from egov.dossiers.models import Channel, Dossier, DossierPaper, PaperOrigin
from egov.dossiers.services.inputs import text
from egov.procedures.models import PaperForm, ProcedureVersion, RequiredPaper
from egov.procedures.terms import required_papers

#: Stronger forms satisfy weaker requirements: an original serves as a copy.
_FORM_RANK: dict[str, int] = {
    PaperForm.PHOTOCOPY: 1,
    PaperForm.CERTIFIED_COPY: 2,
    PaperForm.ORIGINAL: 3,
}
MAX_COPIES = 99


@dataclass(frozen=True)
class PaperIn:
    """A paper handed in: a paper of the procedure's list (by id, or by its exact
    name), or any other paper (by name)."""

    required_paper: int | None = None
    name: str = ""
    copies: int = 1
    form: str = ""
    file: File[Any] | None = None
    #: Where the content came from (``models.PaperOrigin``); empty: worked out on saving.
    origin: str = ""


@dataclass
class PaperRow:
    """A paper handed in, matched against the procedure's list."""

    required: RequiredPaper | None
    name: str
    copies: int
    form: str
    file: File[Any] | None
    origin: str = ""


def paper_rows(
    version: ProcedureVersion,
    papers: Sequence[PaperIn],
    *,
    field_name: str = "papers",
    listed: Sequence[RequiredPaper] | None = None,
) -> list[PaperRow]:
    """``papers`` matched against ``listed`` (default: the version's list)."""
    if listed is None:
        listed = required_papers(version)
    required = {paper.pk: paper for paper in listed}
    by_name = {paper.name.casefold().strip(): paper for paper in required.values()}
    rows: list[PaperRow] = []
    for index, item in enumerate(papers):
        where = f"{field_name}[{index}]"
        paper: RequiredPaper | None = None
        if item.required_paper is not None:
            paper = required.get(item.required_paper)
            if paper is None:
                raise ValidationError({where: _("This paper is not in the list of the procedure.")})
        elif item.name.strip():
            paper = by_name.get(item.name.casefold().strip())
        else:
            raise ValidationError({where: _("Give the paper's name.")})
        if isinstance(item.copies, bool) or not 1 <= int(item.copies) <= MAX_COPIES:
            raise ValidationError(
                {where: _("The number of copies must be between 1 and %(max)s.") % {"max": 99}}
            )
        form = (item.form or "").strip()
        if form and form not in PaperForm.values:
            raise ValidationError({where: _("Form must be original, certified_copy or photocopy.")})
        rows.append(
            PaperRow(
                required=paper,
                name=paper.name if paper is not None else text(item.name, 500),
                copies=int(item.copies),
                form=form or (paper.form if paper is not None else ""),
                file=item.file,
                origin=item.origin if item.origin in PaperOrigin.values else "",
            )
        )
    return rows


def declared_online(listed: Sequence[RequiredPaper], given: Sequence[PaperRow]) -> list[PaperRow]:
    """The papers of ``listed`` that are the applicant's declaration
    (``RequiredPaper.is_declaration``) and are not in ``given``, as an online
    submission whose declaration form was filled in hands them in: the answers are
    the paper, so there is no file to ask for."""
    have = {row.required.pk for row in given if row.required is not None}
    return [
        PaperRow(required=paper, name=paper.name, copies=paper.copies, form=paper.form, file=None)
        for paper in listed
        if paper.is_declaration and paper.pk not in have
    ]


def _satisfies(given_form: str, required_form: str) -> bool:
    if not given_form or not required_form:
        return True
    return _FORM_RANK.get(given_form, 0) >= _FORM_RANK.get(required_form, 0)


def missing_papers(
    version: ProcedureVersion,
    given: Sequence[PaperRow],
    listed: Sequence[RequiredPaper] | None = None,
) -> list[MissingPaper]:
    """The compulsory papers of ``version`` not satisfied by ``given``: absent, too
    few copies, or in a weaker form than required (a photocopy for an original)."""
    missing: list[MissingPaper] = []
    for paper in listed if listed is not None else required_papers(version):
        if paper.is_optional:
            continue
        matching = [
            row for row in given if row.required is not None and row.required.pk == paper.pk
        ]
        good = sum(row.copies for row in matching if _satisfies(row.form, paper.form))
        if good >= paper.copies:
            continue
        if not matching:
            reason = "missing"
        elif sum(row.copies for row in matching) >= paper.copies:
            reason = "wrong_form"
        else:
            reason = "not_enough_copies"
        missing.append(
            MissingPaper(
                required_paper_id=paper.pk,
                name=paper.name,
                copies_required=paper.copies,
                copies_given=good,
                form_required=paper.form,
                reason=reason,
            )
        )
    return missing


def check_papers(version: ProcedureVersion, papers: Sequence[PaperIn]) -> list[MissingPaper]:
    """What is missing from ``papers`` for ``version`` (empty when complete); raises
    ``ValidationError`` for papers that cannot be read. Writes nothing (the desk
    screen calls it before deciding)."""
    return missing_papers(version, paper_rows(version, papers))


def missing_data(missing: Sequence[MissingPaper]) -> list[dict[str, Any]]:
    return [paper.__dict__ for paper in missing]


def _origin(dossier: Dossier, row: PaperRow, internal: bool) -> str:
    """The row's stated origin, else: a file handed in online was uploaded, one
    handed in at the desk or by post was digitised there; no file, paper only."""
    if row.origin or internal:
        return row.origin
    if row.file is None:
        return PaperOrigin.NONE
    return PaperOrigin.UPLOAD if dossier.channel == Channel.ONLINE else PaperOrigin.DESK_SCAN


def save_papers(
    dossier: Dossier, rows: Sequence[PaperRow], *, is_result: bool = False, is_draft: bool = False
) -> list[DossierPaper]:
    saved = paper_objects(dossier, rows, is_result=is_result, is_draft=is_draft)
    if saved and all(not paper.file for paper in saved):
        DossierPaper.objects.bulk_create(saved)
    else:
        for paper in saved:
            paper.save(force_insert=True)
    return saved


def paper_objects(
    dossier: Dossier, rows: Sequence[PaperRow], *, is_result: bool = False, is_draft: bool = False
) -> list[DossierPaper]:
    """The paper rows of ``dossier``, unsaved; their files are already stored."""
    saved: list[DossierPaper] = []
    for row in rows:
        paper = DossierPaper(
            dossier=dossier,
            required_paper=row.required,
            name=row.name,
            copies=row.copies,
            form=row.form,
            is_result=is_result,
            is_draft=is_draft,
            origin=_origin(dossier, row, is_result or is_draft),
        )
        if row.file is not None:
            # FileField.save() writes the file to storage and sets the name.
            paper.file.save(getattr(row.file, "name", None) or "paper", row.file, save=False)
        saved.append(paper)
    return saved
