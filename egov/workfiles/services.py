"""Every change to file lists and work files: one function per act, each checking
the person, locking the rows it changes, writing the file's history and the audit
log in the same transaction. Refusals are :mod:`egov.workfiles.errors`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import audit
from egov.core.models import Unit
from egov.documents.access import agency_of
from egov.workfiles import access, archive, retention, sources
from egov.workfiles.errors import (
    AlreadyInFile,
    DocumentNotFound,
    EntryAlreadyOpened,
    FileFrozen,
    InvalidInput,
    StaleFile,
    SymbolTaken,
    WrongState,
)
from egov.workfiles.models import (
    DocumentKind,
    FileDocument,
    FileEvent,
    FileKind,
    FileList,
    FileListEntry,
    FileStatus,
    WorkFile,
)

MAX_RETENTION_YEARS = 70


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localtime(now()).date()


def _event(work_file: WorkFile, action: str, actor: Any, note: str = "") -> None:
    FileEvent.objects.create(
        work_file=work_file, action=action, actor=actor, at=now(), note=note[:500]
    )
    audit.record(
        actor=actor,
        action=f"workfiles.{action}",
        obj=work_file,
        unit=work_file.agency,
        changes={"note": note[:200]} if note else None,
    )


def _check_retention(years: int | None) -> None:
    if years is not None and not 1 <= years <= MAX_RETENTION_YEARS:
        raise InvalidInput(
            _("Retention is a number of years from 1 to %(max)s, or permanent.")
            % {"max": MAX_RETENTION_YEARS},
            field="retention_years",
        )


def _check_kind(kind: str) -> None:
    if kind not in FileKind.values:
        raise InvalidInput(_("Unknown kind of file."), field="kind")


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not do this with this file."))


# --- the yearly file list -------------------------------------------------------------


def list_for(actor: Any, agency: Unit, year: int) -> FileList:
    """The agency's list of ``year``, created empty the first time it is asked for."""
    _require(
        access.may_keep_list(actor, agency),
        _("Only the records clerk or a leader keeps the file list."),
    )
    with transaction.atomic():
        file_list, created = FileList.objects.get_or_create(agency=agency, year=year)
        if created:
            audit.record(actor=actor, action="workfiles.list_created", obj=file_list, unit=agency)
    return file_list


@dataclass(frozen=True)
class EntryIn:
    symbol: str
    title: str
    unit: Unit
    retention_years: int | None
    person: Any = None
    kind: str = FileKind.REGULAR


def _clean_entry(file_list: FileList, data: EntryIn) -> tuple[str, str]:
    symbol, title = data.symbol.strip(), " ".join(data.title.split())
    if not symbol:
        raise InvalidInput(_("Give the file symbol."), field="symbol")
    if not title:
        raise InvalidInput(_("Give the file title."), field="title")
    if agency_of(data.unit).pk != file_list.agency_id:
        raise InvalidInput(_("The responsible unit is not part of this agency."), field="unit")
    _check_retention(data.retention_years)
    _check_kind(data.kind)
    return symbol, title


def add_entry(actor: Any, file_list: FileList, data: EntryIn) -> FileListEntry:
    _require(access.may_keep_list(actor, file_list.agency))
    symbol, title = _clean_entry(file_list, data)
    with transaction.atomic():
        FileList.objects.select_for_update().get(pk=file_list.pk)
        if file_list.entries.filter(symbol=symbol).exists():
            raise SymbolTaken(symbol)
        last = file_list.entries.order_by("-order").values_list("order", flat=True).first()
        entry = FileListEntry.objects.create(
            file_list=file_list,
            symbol=symbol,
            title=title,
            unit=data.unit,
            person=data.person,
            retention_years=data.retention_years,
            kind=data.kind,
            order=(last or 0) + 1,
        )
        audit.record(actor=actor, action="workfiles.entry_added", obj=entry, unit=file_list.agency)
    return entry


def remove_entry(actor: Any, entry: FileListEntry) -> None:
    _require(access.may_keep_list(actor, entry.file_list.agency))
    with transaction.atomic():
        if WorkFile.objects.filter(entry=entry).exists():
            raise WrongState(_("A file has been opened for this entry: it stays on the list."))
        audit.record(
            actor=actor,
            action="workfiles.entry_removed",
            obj=entry,
            unit=entry.file_list.agency,
        )
        entry.delete()


def copy_list(actor: Any, agency: Unit, *, from_year: int, to_year: int) -> int:
    """Copy last year's entries into ``to_year``'s list (symbols already there are
    kept as they are). Returns how many entries were copied."""
    _require(access.may_keep_list(actor, agency))
    source = FileList.objects.filter(agency=agency, year=from_year).first()
    if source is None or not source.entries.exists():
        raise WrongState(_("There is no file list of %(year)s to copy.") % {"year": from_year})
    with transaction.atomic():
        target, _created = FileList.objects.get_or_create(agency=agency, year=to_year)
        target = FileList.objects.select_for_update().get(pk=target.pk)
        if target.approved_at is not None:
            raise WrongState(_("The list of this year is already approved."))
        taken = set(target.entries.values_list("symbol", flat=True))
        rows = [
            FileListEntry(
                file_list=target,
                symbol=entry.symbol,
                title=entry.title,
                unit=entry.unit,
                person=entry.person if entry.person and entry.person.is_active else None,
                retention_years=entry.retention_years,
                kind=entry.kind,
                order=entry.order,
            )
            for entry in source.entries.select_related("unit", "person")
            if entry.symbol not in taken and entry.unit.dissolved_at is None
        ]
        FileListEntry.objects.bulk_create(rows)
        audit.record(
            actor=actor,
            action="workfiles.list_copied",
            obj=target,
            unit=agency,
            changes={"from_year": from_year, "entries": len(rows)},
        )
    return len(rows)


def approve_list(actor: Any, file_list: FileList) -> FileList:
    _require(access.may_keep_list(actor, file_list.agency))
    with transaction.atomic():
        file_list = FileList.objects.select_for_update().get(pk=file_list.pk)
        if file_list.approved_at is None:
            file_list.approved_at, file_list.approved_by = now(), actor
            file_list.save(update_fields=["approved_at", "approved_by"])
            audit.record(
                actor=actor, action="workfiles.list_approved", obj=file_list, unit=file_list.agency
            )
    return file_list


# --- opening a file -------------------------------------------------------------------


def open_from_entry(
    actor: Any, entry: FileListEntry, *, start_date: date | None = None
) -> WorkFile:
    """Open the file planned by ``entry``; one file per entry (a second tab or a
    retry is told it is already opened)."""
    _require(access.may_open_in(actor, entry.unit), _("You may not open a file for this unit."))
    file_list = entry.file_list
    try:
        with transaction.atomic():
            work_file = _create(
                actor,
                agency=file_list.agency,
                year=file_list.year,
                entry=entry,
                symbol=entry.symbol,
                title=entry.title,
                unit=entry.unit,
                owner=entry.person or actor,
                retention_years=entry.retention_years,
                kind=entry.kind,
                start_date=start_date or today(),
            )
    except IntegrityError:
        if WorkFile.objects.filter(entry=entry).exists():
            raise EntryAlreadyOpened() from None
        raise SymbolTaken(entry.symbol) from None
    return work_file


@dataclass(frozen=True)
class AdHocIn:
    symbol: str
    title: str
    unit: Unit
    retention_years: int | None
    start_date: date
    kind: str = FileKind.REGULAR
    description: str = ""


def open_ad_hoc(actor: Any, data: AdHocIn) -> WorkFile:
    """A file not on the list: title, symbol, retention, creator and start date."""
    _require(access.may_open_in(actor, data.unit), _("You may not open a file for this unit."))
    symbol, title = data.symbol.strip(), " ".join(data.title.split())
    if not symbol:
        raise InvalidInput(_("Give the file symbol."), field="symbol")
    if not title:
        raise InvalidInput(_("Give the file title."), field="title")
    _check_retention(data.retention_years)
    _check_kind(data.kind)
    agency = agency_of(data.unit)
    try:
        with transaction.atomic():
            return _create(
                actor,
                agency=agency,
                year=data.start_date.year,
                entry=None,
                symbol=symbol,
                title=title,
                unit=data.unit,
                owner=actor,
                retention_years=data.retention_years,
                kind=data.kind,
                start_date=data.start_date,
                description=data.description.strip(),
            )
    except IntegrityError:
        raise SymbolTaken(symbol) from None


def _create(actor: Any, **fields: Any) -> WorkFile:
    work_file = WorkFile.objects.create(opened_by=actor, opened_at=now(), **fields)
    _event(work_file, "opened", actor, _("From the file list") if work_file.entry_id else "")
    return work_file


# --- documents in a file --------------------------------------------------------------


def _lock(work_file: WorkFile | int) -> WorkFile:
    pk = work_file.pk if isinstance(work_file, WorkFile) else work_file
    return WorkFile.objects.select_for_update().select_related("agency", "unit").get(pk=pk)


def _bump(work_file: WorkFile, fields: list[str]) -> None:
    work_file.version += 1
    work_file.save(update_fields=[*fields, "version"])


def add_document(
    actor: Any, work_file: WorkFile | int, kind: str, document_id: int
) -> FileDocument:
    """Link a document the person may see into an open file (no copy is made)."""
    if kind not in DocumentKind.values:
        raise InvalidInput(_("Unknown kind of document."), field="kind")
    with transaction.atomic():
        locked = _lock(work_file)
        _require(access.may_work_on(actor, locked))
        if locked.is_frozen:
            raise FileFrozen()
        ref = sources.find(actor, kind, document_id)
        if ref is None:
            raise DocumentNotFound()
        if locked.links.filter(
            kind=kind, document_id=document_id, removed_at__isnull=True
        ).exists():
            raise AlreadyInFile()
        link = FileDocument.objects.create(
            work_file=locked, kind=kind, document_id=document_id, added_by=actor, added_at=now()
        )
        _bump(locked, [])
        # The history names the document by kind and id only: its number and summary
        # may be confidential, and the history is shown to everyone on the file.
        _event(locked, "document_added", actor, f"{ref.kind_label} #{ref.id}")
    return link


def remove_document(actor: Any, link: FileDocument | int, *, reason: str = "") -> FileDocument:
    pk = link.pk if isinstance(link, FileDocument) else link
    with transaction.atomic():
        row = FileDocument.objects.select_related("work_file").get(pk=pk)
        locked = _lock(row.work_file_id)
        _require(access.may_work_on(actor, locked))
        if locked.is_frozen:
            raise FileFrozen()
        row = FileDocument.objects.select_for_update().get(pk=pk)
        if row.removed_at is not None:
            return row  # removed already (another tab, a retry): nothing more to do
        row.removed_at, row.removed_by, row.removed_reason = now(), actor, reason[:200]
        row.save(update_fields=["removed_at", "removed_by", "removed_reason"])
        _bump(locked, [])
        _event(locked, "document_removed", actor, reason)
    return row


# --- closing and hand-over -----------------------------------------------------------


@dataclass(frozen=True)
class CloseOutcome:
    work_file: WorkFile
    removed_drafts: int
    removed_duplicates: int


def close_file(
    actor: Any,
    work_file: WorkFile | int,
    *,
    expected_version: int,
    retention_years: int | None,
    end_date: date | None = None,
) -> CloseOutcome:
    """Close the file: drafts and duplicate copies are taken out, the retention is
    set, the hand-over date computed, and the file frozen. The version the person
    looked at must still be current (another tab may have added a document)."""
    _check_retention(retention_years)
    with transaction.atomic():
        locked = _lock(work_file)
        _require(access.may_work_on(actor, locked))
        if locked.is_frozen:
            raise FileFrozen()
        if locked.version != expected_version:
            raise StaleFile()
        end = end_date or today()
        if end < locked.start_date:
            raise InvalidInput(_("The file cannot end before it started."), field="end_date")
        links = list(locked.links.filter(removed_at__isnull=True).order_by("added_at", "pk"))
        refs: dict[tuple[str, int], sources.DocumentRef] = {}
        for kind in DocumentKind.values:
            ids = [link.document_id for link in links if link.kind == kind]
            for pk, ref in sources.visible(actor, kind, ids).items():
                refs[(kind, pk)] = ref
        at, drafts, duplicates = now(), 0, 0
        seen: set[tuple[str, str, str]] = set()
        for link in links:
            found = refs.get((link.kind, link.document_id))
            if found is None:
                continue  # not visible to the closer: kept as it is
            ref = found
            reason = ""
            if ref.is_draft:
                reason, drafts = _("Draft, removed when the file was closed"), drafts + 1
            elif ref.identity is not None and ref.identity in seen:
                reason, duplicates = (
                    _("Duplicate, removed when the file was closed"),
                    duplicates + 1,
                )
            elif ref.identity is not None:
                seen.add(ref.identity)
            if reason:
                link.removed_at, link.removed_by, link.removed_reason = at, actor, reason
                link.save(update_fields=["removed_at", "removed_by", "removed_reason"])
        locked.status = FileStatus.CLOSED
        locked.retention_years = retention_years
        locked.end_date = end
        locked.closed_at, locked.closed_by = at, actor
        locked.handover_due = retention.handover_due(
            end, kind=locked.kind, retention_years=retention_years
        )
        _bump(
            locked,
            ["status", "retention_years", "end_date", "closed_at", "closed_by", "handover_due"],
        )
        _event(
            locked,
            "closed",
            actor,
            _("%(drafts)s drafts and %(dups)s duplicates removed; retention: %(keep)s")
            % {
                "drafts": drafts,
                "dups": duplicates,
                "keep": retention.retention_label(retention_years),
            },
        )
    return CloseOutcome(locked, drafts, duplicates)


def record_handover(
    actor: Any,
    work_file: WorkFile | int,
    *,
    receipt_number: str,
    handed_over_on: date | None = None,
) -> WorkFile:
    """The archive received the file: who, when, the archive's receipt number."""
    receipt = receipt_number.strip()
    if not receipt:
        raise InvalidInput(_("Give the archive's receipt number."), field="receipt_number")
    with transaction.atomic():
        locked = _lock(work_file)
        _require(
            access.may_hand_over(actor, locked), _("Only the records clerk records the hand-over.")
        )
        if locked.status == FileStatus.HANDED_OVER:
            if locked.archive_receipt == receipt:
                return locked  # a retry of the same hand-over
            raise WrongState(_("This file has already been handed over to the archive."))
        if locked.status != FileStatus.CLOSED:
            raise WrongState(_("Close the file before handing it over."))
        if not retention.goes_to_archive(locked.retention_years):
            raise WrongState(
                _(
                    "Files kept for less than %(n)s years stay with the unit; "
                    "they are not handed over."
                )
                % {"n": retention.min_years()}
            )
        at = now()
        if handed_over_on is not None:
            if handed_over_on > today():
                raise InvalidInput(
                    _("The hand-over date cannot be in the future."), field="handed_over_on"
                )
            at = timezone.make_aware(datetime.combine(handed_over_on, datetime.min.time()))
        locked.status = FileStatus.HANDED_OVER
        locked.handed_over_at, locked.handed_over_by = at, actor
        locked.archive_receipt = receipt[:60]
        # The archive's copy shows the hand-over: made after the fields above, in
        # this transaction (a failed seal hands nothing over).
        copy = archive.archive_copy(actor, locked)
        locked.archive_pdf, locked.archive_sealed = copy.pdf, copy.sealed
        _bump(
            locked,
            [
                "status",
                "handed_over_at",
                "handed_over_by",
                "archive_receipt",
                "archive_pdf",
                "archive_sealed",
            ],
        )
        sealed_note = (
            _("copy sealed by the agency (PAdES B-LTA)")
            if copy.sealed
            else _("copy not sealed: the agency has no signing key")
        )
        _event(locked, "handed_over", actor, f"{receipt}; {sealed_note}")
    return locked


def log_access(actor: Any, work_file: WorkFile, what: str) -> None:
    """Record a view or a download of the file in the audit log."""
    with transaction.atomic():
        audit.record(actor=actor, action=f"workfiles.{what}", obj=work_file, unit=work_file.agency)


def mark_notices_read(actor: Any) -> int:
    from egov.workfiles.models import HandoverNotice

    return HandoverNotice.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=now()
    )
