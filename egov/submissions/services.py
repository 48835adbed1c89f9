"""The only write path of online submission: form schemas, drafts, their papers,
the final submit, and the document wallet.

Every public function takes the acting user first, checks who may act, runs in one
``transaction.atomic()`` and writes its audit entry inside it.

* Form schemas: platform operators (``Perm.OPERATE_PLATFORM``, who edit the
  catalogue); ``actor=None`` is the platform itself (the demo loader).
* Drafts and the wallet: their owner, a citizen or business account.

A draft carries ``version``: each save takes ``expected_version`` and raises
:class:`~egov.submissions.errors.StaleDraft` when the draft was saved elsewhere in
the meantime (two tabs), changing nothing. The submit locks the draft row and
marks it submitted in the transaction of ``dossiers.services.submit_online``, so a
double click or a retried request makes one dossier.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from egov.accounts.models import AccountKind, User
from egov.accounts.permissions import Perm, require_perm
from egov.core import audit
from egov.core.models import Unit
from egov.core.uploads import check_upload, safe_name, sniff
from egov.dossiers import idempotency
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier, PaperOrigin
from egov.identity import selectors as identity_selectors
from egov.procedures.models import (
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    RequiredPaper,
    VersionStatus,
)
from egov.procedures.selectors import fee_for, fee_inputs
from egov.submissions import schema as form_schema
from egov.submissions import selectors
from egov.submissions.errors import DraftClosed, StaleDraft
from egov.submissions.models import (
    Draft,
    DraftFile,
    DraftStatus,
    FormSchema,
    Step,
    Submission,
    WalletDocument,
    WalletSource,
)

APPLICANT_KEYS = ("name", "id_number", "date_of_birth", "address", "phone", "email")


# --- who may act ---------------------------------------------------------------------------


def require_applicant(actor: Any) -> User:
    """A signed-in, active citizen or business account, else ``PermissionDenied``."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in to submit a dossier online."))
    if actor.kind not in (AccountKind.CITIZEN, AccountKind.BUSINESS):
        raise PermissionDenied(
            _(
                "Online submission is for citizens and businesses. Staff accounts cannot "
                "submit dossiers here: sign in with a citizen or business account."
            )
        )
    return actor


def _delete_later(storage: Any, name: str | None) -> None:
    """Remove a stored file once the transaction commits (never on rollback)."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _own(actor: User, owner_id: int) -> None:
    if owner_id != actor.pk:
        raise PermissionDenied(_("This is not yours."))


# --- form schemas --------------------------------------------------------------------------


def save_form_schema(
    actor: User | None,
    procedure: Procedure,
    *,
    schema: Any,
    layout: Any = None,
) -> tuple[FormSchema, bool]:
    """Check ``schema`` and ``layout`` and make them the procedure's current form as a
    new version. Returns ``(row, created)``; an unchanged form writes nothing."""
    if actor is not None:
        require_perm(actor, Perm.OPERATE_PLATFORM, None)
    layout = layout or {}
    form_schema.check(schema, layout)
    with transaction.atomic():
        current = (
            FormSchema.objects.select_for_update()
            .filter(procedure=procedure, is_current=True)
            .first()
        )
        if current is not None and current.schema == schema and current.layout == layout:
            return current, False
        number = (
            FormSchema.objects.filter(procedure=procedure).aggregate(top=Max("number"))["top"] or 0
        ) + 1
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current"])
        row = FormSchema.objects.create(
            procedure=procedure,
            number=number,
            is_current=True,
            schema=schema,
            layout=layout,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="submissions.schema_save",
            obj=row,
            changes={"number": [current.number if current else None, number]},
        )
    return row, True


# --- drafts --------------------------------------------------------------------------------


def _check_version_online(version: ProcedureVersion) -> None:
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(
            {"procedure": _("This version of the procedure is not in force; use the current one.")}
        )
    if version.online_level < OnlineLevel.PARTLY_ONLINE:
        raise ValidationError({"procedure": _("This procedure cannot be submitted online.")})


def _check_agency(version: ProcedureVersion, agency: Unit) -> None:
    if not selectors.agencies_for(version).filter(pk=agency.pk).exists():
        raise ValidationError(
            {"agency": _("This agency does not receive this procedure online; choose one listed.")}
        )


def start_draft(actor: Any, version: ProcedureVersion, *, agency: Unit | None = None) -> Draft:
    """A new draft for ``version`` under the procedure's current form."""
    user = require_applicant(actor)
    _check_version_online(version)
    if agency is not None:
        _check_agency(version, agency)
    schema_row = selectors.current_schema(version.procedure)
    with transaction.atomic():
        draft = Draft.objects.create(
            user=user,
            procedure_version=version,
            form_schema=schema_row,
            agency=agency,
            applicant=selectors.prefill_applicant(user),
            current_step=Step.APPLICANT if agency is not None else Step.AGENCY,
        )
        audit.record(
            actor=user,
            action="submissions.draft_start",
            obj=draft,
            unit=agency,
            changes={"procedure": version.procedure.national_code},
        )
    return draft


def _lock(actor: User, draft: Draft | int, expected_version: int | None) -> Draft:
    pk = draft if isinstance(draft, int) else draft.pk
    # Lock the draft row only (``of``): locking the joined procedure version too would
    # serialise every draft of the procedure and deadlock with foreign-key checks.
    locked = (
        Draft.objects.select_for_update(of=("self",)).select_related("procedure_version").get(pk=pk)
    )
    _own(actor, locked.user_id)
    if locked.status != DraftStatus.OPEN:
        raise DraftClosed()
    if expected_version is not None and locked.version != expected_version:
        raise StaleDraft(expected=expected_version, current=locked.version)
    return locked


def _sync(target: Draft | int, source: Draft) -> None:
    if isinstance(target, Draft):
        for field in Draft._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))


def clean_applicant(data: Mapping[str, Any]) -> dict[str, str]:
    """The applicant fields kept in a draft (strings, trimmed, unknown keys dropped)."""
    cleaned: dict[str, str] = {}
    for key in APPLICANT_KEYS:
        value = data.get(key)
        if value is None:
            continue
        cleaned[key] = (value.isoformat() if hasattr(value, "isoformat") else str(value)).strip()[
            :500
        ]
    return cleaned


def clean_answers(draft: Draft, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers limited to the fields of the draft's schema."""
    known = (selectors.schema_of(draft)[0].get("properties") or {}).keys()
    return {key: value for key, value in answers.items() if key in known}


_UNSET: Any = object()


def save_draft(
    actor: Any,
    draft: Draft | int,
    *,
    expected_version: int,
    agency: Unit | None = _UNSET,
    applicant: Mapping[str, Any] | None = None,
    answers: Mapping[str, Any] | None = None,
    step: str | None = None,
) -> Draft:
    """Save one step of a draft (the fields given); the draft's version grows by one."""
    user = require_applicant(actor)
    with transaction.atomic():
        locked = _lock(user, draft, expected_version)
        changed: list[str] = []
        if agency is not _UNSET:
            if agency is not None:
                _check_agency(locked.procedure_version, agency)
            locked.agency = agency
            changed.append("agency")
        if applicant is not None:
            locked.applicant = clean_applicant(applicant)
            changed.append("applicant")
        if answers is not None:
            locked.answers = clean_answers(locked, answers)
            changed.append("answers")
        if step is not None:
            if step not in Step.values:
                raise ValidationError({"step": _("Unknown step.")})
            locked.current_step = step
            changed.append("step")
        locked.version += 1
        locked.save()
        audit.record(
            actor=user,
            action="submissions.draft_save",
            obj=locked,
            unit=locked.agency,
            changes={"fields": changed, "version": [expected_version, locked.version]},
        )
    _sync(draft, locked)
    return locked


def delete_draft(actor: Any, draft: Draft | int) -> None:
    """Delete an open draft and its uploaded files."""
    user = require_applicant(actor)
    with transaction.atomic():
        locked = _lock(user, draft, None)
        stored = [(row.file.storage, row.file.name) for row in locked.files.all()]
        audit.record(actor=user, action="submissions.draft_delete", obj=locked, unit=locked.agency)
        locked.delete()
        for storage, name in stored:
            _delete_later(storage, name)


# --- papers of a draft ---------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    """An upload whose content was checked, read into memory."""

    name: str
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def check_file(file: Any, *, field: str = "file") -> CheckedFile:
    """Check an upload by its content (``core.uploads.check_upload``) and read it."""
    kind = check_upload(file, field=field)
    file.seek(0)
    content = file.read()
    file.seek(0)
    return CheckedFile(
        name=safe_name(getattr(file, "name", "") or "giay-to", kind),
        content=content,
        content_type=kind.content_type,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _replace_file(draft: Draft, paper: RequiredPaper, row: DraftFile) -> None:
    old = DraftFile.objects.filter(draft=draft, required_paper=paper).first()
    if old is not None:
        storage, name = old.file.storage, old.file.name
        old.delete()
        _delete_later(storage, name)
    row.save()


def save_papers(
    actor: Any,
    draft: Draft | int,
    *,
    expected_version: int,
    uploads: Mapping[int, Any] | None = None,
    wallet_picks: Mapping[int, int] | None = None,
    remove: Iterable[int] = (),
    step: str | None = None,
) -> tuple[Draft, dict[int, str]]:
    """Attach uploaded files and wallet documents to the papers of a draft.

    ``uploads`` and ``wallet_picks`` map a ``RequiredPaper`` id to a file or to a
    wallet document id. Each file is checked by content; refused ones are returned
    as ``{paper id: message}`` while the good ones are kept. A wallet document is
    copied (the draft and then the dossier get their own file).
    """
    user = require_applicant(actor)
    uploads = dict(uploads or {})
    wallet_picks = dict(wallet_picks or {})
    errors: dict[int, str] = {}
    checked: dict[int, CheckedFile] = {}
    for paper_id, file in uploads.items():
        try:
            checked[paper_id] = check_file(file, field=f"paper_{paper_id}")
        except ValidationError as exc:
            errors[paper_id] = exc.messages[0]
    pk = draft if isinstance(draft, int) else draft.pk
    with transaction.atomic():
        locked = _lock(user, pk, expected_version)
        papers = {paper.pk: paper for paper in selectors.papers_of(locked.procedure_version)}
        touched: list[int] = []
        for paper_id in [*checked, *wallet_picks, *remove]:
            if paper_id not in papers:
                raise ValidationError(
                    {f"paper_{paper_id}": _("This paper is not in the list of the procedure.")}
                )
        for paper_id in remove:
            old = DraftFile.objects.filter(draft=locked, required_paper_id=paper_id).first()
            if old is not None:
                storage, name = old.file.storage, old.file.name
                old.delete()
                _delete_later(storage, name)
                touched.append(paper_id)
        for paper_id, good in checked.items():
            row = DraftFile(
                draft=locked,
                required_paper=papers[paper_id],
                name=good.name,
                content_type=good.content_type,
                size=good.size,
                sha256=good.sha256,
            )
            row.file.save(good.name, ContentFile(good.content), save=False)
            _replace_file(locked, papers[paper_id], row)
            touched.append(paper_id)
        for paper_id, document_id in wallet_picks.items():
            if paper_id in checked:
                continue
            document = WalletDocument.objects.filter(pk=document_id, owner=user).first()
            if document is None:
                errors[paper_id] = _("This document is not in your wallet.")
                continue
            row = DraftFile(
                draft=locked,
                required_paper=papers[paper_id],
                name=document.name,
                content_type=document.content_type,
                size=document.size,
                sha256=document.sha256,
                wallet_document=document,
            )
            with document.file.open("rb") as source:
                row.file.save(document.name, ContentFile(source.read()), save=False)
            _replace_file(locked, papers[paper_id], row)
            touched.append(paper_id)
        if touched or step is not None:
            if step is not None:
                locked.current_step = step
            locked.version += 1
            locked.save()
            audit.record(
                actor=user,
                action="submissions.draft_papers",
                obj=locked,
                unit=locked.agency,
                changes={"papers": touched, "version": [expected_version, locked.version]},
            )
    _sync(draft, locked)
    return locked, errors


# --- submitting ----------------------------------------------------------------------------


def _applicant_in(draft: Draft, user: User) -> dossier_services.ApplicantIn:
    data = draft.applicant or {}
    return dossier_services.ApplicantIn(
        name=data.get("name", ""),
        id_number=data.get("id_number", ""),
        address=data.get("address", ""),
        phone=data.get("phone", ""),
        email=data.get("email", ""),
        user=user,
        vneid=identity_selectors.signed_in_with_identity_provider(user),
    )


def _fee_inputs(draft: Draft) -> dict[str, Any]:
    names = {item.name for item in fee_inputs(draft.procedure_version)}
    return {key: value for key, value in (draft.answers or {}).items() if key in names}


def fee_of(draft: Draft) -> int | None:
    """The fee for the draft's answers (None when the answers cannot be priced yet)."""
    try:
        return fee_for(draft.procedure_version, _fee_inputs(draft))
    except ValidationError:
        return None


def check_ready(draft: Draft) -> None:
    """Raise ``ValidationError`` naming the first step with what is missing."""
    problems = selectors.problems(draft)
    if problems:
        raise ValidationError({problems[0].step: problems[0].message})


def submit_draft(
    actor: Any,
    draft: Draft | int,
    *,
    expected_version: int | None = None,
    idempotency_key: str = "",
    fingerprint: str = "",
    route: str = "submit",
) -> tuple[Dossier, bool]:
    """Submit a draft online (``dossiers.services.submit_online``): status 1,
    channel 2, its code at once. Returns ``(dossier, created)``.

    The draft row is locked first, so a second submit of the same draft (double
    click, retried request) waits and then gets the first one's dossier. With an
    ``idempotency_key`` (API), the key is stored like the dossier API's
    (``dossiers.IdempotentRequest``): a retry with the same key gets the same
    dossier, the same key with another request ``IdempotencyKeyReused``.
    """
    user = require_applicant(actor)
    pk = draft if isinstance(draft, int) else draft.pk
    key = (idempotency_key or "").strip()
    scope = f"user:{user.pk}:{route}"[:150]
    with transaction.atomic():
        if key:
            found = idempotency.answer_for(scope, key, fingerprint)
            if found is not None:
                return found, False
        # Lock the draft row only (``of``): locking the joined procedure version too would
        # serialise every draft of the procedure and deadlock with foreign-key checks.
        locked = (
            Draft.objects.select_for_update(of=("self",))
            .select_related("procedure_version")
            .get(pk=pk)
        )
        _own(user, locked.user_id)
        if locked.status == DraftStatus.SUBMITTED:
            return Submission.objects.select_related("dossier").get(draft=locked).dossier, False
        if expected_version is not None and locked.version != expected_version:
            raise StaleDraft(expected=expected_version, current=locked.version)
        check_ready(locked)
        files = list(locked.files.select_related("required_paper"))
        handles = [row.file.open("rb") for row in files]
        try:
            papers = [
                dossier_services.PaperIn(
                    required_paper=row.required_paper_id,
                    copies=row.required_paper.copies,
                    form=row.required_paper.form,
                    file=File(handle, name=row.name),
                    origin=PaperOrigin.WALLET if row.wallet_document_id else PaperOrigin.UPLOAD,
                )
                for row, handle in zip(files, handles, strict=True)
            ]
            dossier = dossier_services.submit_online(
                user,
                version=locked.procedure_version,
                agency=locked.agency,  # type: ignore[arg-type]
                papers=papers,
                applicant=_applicant_in(locked, user),
                fee_inputs=_fee_inputs(locked),
                declaration_filled=selectors.has_declaration(locked),
            )
        finally:
            for handle in handles:
                handle.close()
        schema_row = locked.form_schema
        Submission.objects.create(
            draft=locked,
            dossier=dossier,
            form_schema=schema_row,
            schema_number=schema_row.number if schema_row else None,
            answers=locked.answers,
        )
        locked.status = DraftStatus.SUBMITTED
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated_at"])
        if key:
            idempotency.remember(scope=scope, key=key, fingerprint=fingerprint, dossier=dossier)
        for row in files:
            keep_in_wallet(
                user,
                name=row.name,
                source_file=row.file,
                content_type=row.content_type,
                size=row.size,
                sha256=row.sha256,
                source=WalletSource.DOSSIER_PAPER,
                dossier=dossier,
            )
        audit.record(
            actor=user,
            action="submissions.submit",
            obj=locked,
            unit=locked.agency,
            changes={"dossier": dossier.code, "papers": len(files)},
        )
        stored = [(row.file.storage, row.file.name) for row in files]
        DraftFile.objects.filter(draft=locked).delete()
        for storage, name in stored:
            _delete_later(storage, name)
    _sync(draft, locked)
    return dossier, True


def record_declaration_printed(actor: Any, dossier: Dossier) -> None:
    """Audit that a staff member printed the applicant's online declaration (personal
    data leaving the platform). The caller has checked that they may see the dossier."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="submissions.declaration_pdf",
            obj=dossier,
            unit=dossier.current_unit or dossier.receiving_unit,
        )


def submit_fingerprint(draft_id: int, body: Any = None) -> str:
    blob = json.dumps({"draft": draft_id, "body": body}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


# --- the wallet ----------------------------------------------------------------------------


def keep_in_wallet(
    owner: User,
    *,
    name: str,
    source_file: Any,
    content_type: str,
    size: int,
    sha256: str,
    source: str,
    dossier: Dossier | None = None,
) -> tuple[WalletDocument, bool]:
    """Put a copy of a file in ``owner``'s wallet unless one with the same content
    (SHA-256) is there already. Runs inside the caller's transaction."""
    found = WalletDocument.objects.filter(owner=owner, sha256=sha256).first()
    if found is not None:
        return found, False
    document = WalletDocument(
        owner=owner,
        name=name[:255],
        content_type=content_type,
        size=size,
        sha256=sha256,
        source=source,
        source_dossier=dossier,
    )
    if isinstance(source_file, bytes):
        content = source_file
    else:
        with source_file.open("rb") as handle:
            content = handle.read()
    document.file.save(name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save(force_insert=True)
    except IntegrityError:  # the same content added at the same moment
        if document.file.name:
            document.file.storage.delete(document.file.name)
        return WalletDocument.objects.get(owner=owner, sha256=sha256), False
    audit.record(
        actor=owner if source == WalletSource.UPLOAD else None,
        action="submissions.wallet_add",
        obj=document,
        changes={"source": source, "dossier": dossier.code if dossier else None},
    )
    return document, True


def upload_to_wallet(actor: Any, file: Any) -> tuple[WalletDocument, bool]:
    """The owner adds a paper to the wallet (checked by content)."""
    user = require_applicant(actor)
    good = check_file(file)
    with transaction.atomic():
        return keep_in_wallet(
            user,
            name=good.name,
            source_file=good.content,
            content_type=good.content_type,
            size=good.size,
            sha256=good.sha256,
            source=WalletSource.UPLOAD,
        )


def delete_wallet_document(actor: Any, document: WalletDocument) -> None:
    user = require_applicant(actor)
    _own(user, document.owner_id)
    storage, name = document.file.storage, document.file.name
    with transaction.atomic():
        audit.record(actor=user, action="submissions.wallet_delete", obj=document)
        document.delete()
        _delete_later(storage, name)


def collect_results(dossier: Dossier) -> list[WalletDocument]:
    """Copy the result papers (with a file) of ``dossier`` into its applicant's
    wallet. Called inside the dossier's transaction (``dossier_changed``)."""
    applicant = dossier.applicant
    if applicant is None or applicant.kind not in (AccountKind.CITIZEN, AccountKind.BUSINESS):
        return []
    added: list[WalletDocument] = []
    for paper in dossier.papers.filter(is_result=True).exclude(file=""):
        with paper.file.open("rb") as handle:
            content = handle.read()
        digest = hashlib.sha256(content).hexdigest()
        kind = check_kind(content)
        document, created = keep_in_wallet(
            applicant,
            name=(paper.name[:200] + "." + kind[1])
            if kind
            else (paper.file.name or "ket-qua").rsplit("/", 1)[-1],
            source_file=content,
            content_type=kind[0] if kind else "application/octet-stream",
            size=len(content),
            sha256=digest,
            source=WalletSource.RESULT,
            dossier=dossier,
        )
        if created:
            added.append(document)
    return added


def check_kind(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, JPEG or PNG content, else None."""
    kind = sniff(io.BytesIO(content))
    return (kind.content_type, kind.extension) if kind else None
