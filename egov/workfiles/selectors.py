"""Reads of work files shared by the pages, the API, the exports and the job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from egov.core.models import Unit
from egov.workfiles import access, sources
from egov.workfiles.models import (
    DocumentKind,
    FileDocument,
    FileList,
    FileStatus,
    HandoverNotice,
    WorkFile,
)

#: The database's largest key: larger numbers in a URL are answered 404, not looked up.
MAX_ID = 2**63 - 1


def warning_days() -> int:
    return int(getattr(settings, "EGOV_WORKFILES_HANDOVER_WARNING_DAYS", 30))


def files_for(user: Any, *, status: str = "", year: int | None = None) -> QuerySet[WorkFile]:
    qs = access.visible_files(user).select_related("agency", "unit", "owner").defer("archive_pdf")
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "symbol")


def file_for(user: Any, pk: int) -> WorkFile:
    """One file ``user`` may work on, else ``Http404`` (whether it exists is not for
    everyone)."""
    if not 1 <= pk <= MAX_ID:
        raise Http404
    work_file = (
        WorkFile.objects.select_related("agency", "unit", "owner", "entry", "closed_by")
        .defer("archive_pdf")  # read on its own by ``archive_copy``
        .filter(pk=pk)
        .first()
    )
    if work_file is None or not access.may_work_on(user, work_file):
        raise Http404
    return work_file


def archive_copy(work_file: WorkFile) -> bytes | None:
    """The PDF handed to the archive (see :mod:`egov.workfiles.archive`), if any."""
    found = WorkFile.objects.filter(pk=work_file.pk).values_list("archive_pdf", flat=True).first()
    return bytes(found) if found is not None else None


def has_archive_copy(work_file: WorkFile) -> bool:
    return WorkFile.objects.filter(pk=work_file.pk, archive_pdf__isnull=False).exists()


def file_list(agency: Unit, year: int) -> FileList | None:
    return FileList.objects.filter(agency=agency, year=year).first()


def entries_with_files(file_list: FileList) -> list[tuple[Any, WorkFile | None]]:
    entries = list(file_list.entries.select_related("unit", "person"))
    opened = {f.entry_id: f for f in WorkFile.objects.filter(entry__in=entries)}
    return [(entry, opened.get(entry.pk)) for entry in entries]


@dataclass(frozen=True)
class FileItem:
    """One document of a file as ``user`` sees it (``ref`` is ``None`` when the
    document is confidential and not for them: only its place is shown)."""

    link: FileDocument
    ref: sources.DocumentRef | None

    @property
    def hidden(self) -> bool:
        return self.ref is None


def documents_of(user: Any, work_file: WorkFile) -> list[FileItem]:
    """The documents of the file in date order (mục lục văn bản); those ``user`` may
    not see are hidden and listed last."""
    links = list(
        work_file.links.filter(removed_at__isnull=True).select_related("added_by").order_by("pk")
    )
    refs: dict[tuple[str, int], sources.DocumentRef] = {}
    for kind in DocumentKind.values:
        ids = [link.document_id for link in links if link.kind == kind]
        for pk, ref in sources.visible(user, kind, ids).items():
            refs[(kind, pk)] = ref
    items = [FileItem(link, refs.get((link.kind, link.document_id))) for link in links]
    return sorted(
        items,
        key=lambda item: (
            item.ref is None,
            (item.ref.date if item.ref and item.ref.date else date.max),
            item.link.added_at,
            item.link.pk,
        ),
    )


def removed_links(work_file: WorkFile) -> QuerySet[FileDocument]:
    return (
        work_file.links.filter(removed_at__isnull=False)
        .select_related("removed_by")
        .order_by("-removed_at")
    )


def files_holding(user: Any, kind: str, document_id: int) -> QuerySet[WorkFile]:
    """The files ``user`` may see that hold a document (a document can be in several)."""
    ids = FileDocument.objects.filter(
        kind=kind, document_id=document_id, removed_at__isnull=True
    ).values("work_file_id")
    return files_for(user).filter(pk__in=ids)


def due_for_handover(on: date, *, within_days: int | None = None) -> QuerySet[WorkFile]:
    """Closed files whose hand-over falls due within the warning window (or is past)."""
    days = warning_days() if within_days is None else within_days
    return (
        WorkFile.objects.filter(status=FileStatus.CLOSED, handover_due__isnull=False)
        .filter(handover_due__lte=on + timedelta(days=days))
        .select_related("agency", "owner")
        .order_by("handover_due", "pk")
    )


def handover_soon_for(user: Any, on: date) -> QuerySet[WorkFile]:
    """The same, among the files ``user`` may see (their worklist's warning)."""
    return due_for_handover(on).filter(pk__in=access.visible_files(user).values("pk"))


def notices_for(user: Any, *, unread_only: bool = True) -> QuerySet[HandoverNotice]:
    qs = HandoverNotice.objects.filter(recipient=user).select_related("work_file")
    return qs.filter(read_at__isnull=True) if unread_only else qs
