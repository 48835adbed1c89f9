"""The registers of Nghị định 30, Phụ lục IV, as rows (the pages, the PDF and the
Excel copy read the same rows), and the data of the "ĐẾN" stamp."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from egov.core.formatting import format_date, format_time
from egov.documents.models import AssignmentRole, AssignmentStatus, IncomingDocument

#: Column headings of the incoming register (sổ đăng ký văn bản đến), in order.
INCOMING_COLUMNS = (
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)
#: Column headings of the follow-up register (sổ theo dõi giải quyết văn bản đến).
FOLLOW_UP_COLUMNS = (
    "Số đến",
    "Tên loại, số, ký hiệu, ngày tháng và tác giả",
    "Đơn vị hoặc người giải quyết",
    "Thời hạn giải quyết",
    "Tiến độ giải quyết",
    "Số, ký hiệu văn bản trả lời",
    "Ghi chú",
)


def _handlers(document: IncomingDocument) -> str:
    rows = [
        a
        for a in document.assignments.all()
        if a.status in (AssignmentStatus.ACTIVE, AssignmentStatus.DONE)
    ]
    rows.sort(key=lambda a: (a.role != AssignmentRole.LEAD, a.pk))
    names = []
    for a in rows:
        who = a.unit.name
        if a.assignee is not None:
            who = f"{who} ({a.assignee.full_name or a.assignee.username})"
        names.append(who)
    return "; ".join(names)


def _handed_at(document: IncomingDocument) -> datetime | None:
    dates = [a.assigned_at for a in document.assignments.all()]
    return min(dates) if dates else None


def _type_and_subject(document: IncomingDocument) -> str:
    kind = document.doc_type.name if document.doc_type else ""
    return f"{kind}: {document.subject}" if kind else document.subject


def _notes(document: IncomingDocument, now: datetime) -> str:
    notes = []
    if document.urgency != "normal":
        notes.append(document.get_urgency_display())
    if document.recalled_at:
        notes.append(f"Thu hồi: {document.closed_reason}")
    if document.duplicate_of_id:
        notes.append("Có thể trùng")
    if document.due_at and document.status not in ("done",) and now > document.due_at:
        notes.append("Quá hạn")
    return "; ".join(notes)


def incoming_rows(documents: Any) -> list[list[str]]:
    now = timezone.now()
    rows = []
    for d in documents:
        rows.append(
            [
                format_date(d.registered_at),
                str(d.arrival_number or ""),
                d.issuing_agency_name,
                d.number_symbol,
                format_date(d.issued_date),
                _type_and_subject(d),
                _handlers(d),
                format_date(_handed_at(d)),
                "",
                _notes(d, now),
            ]
        )
    return rows


def _progress(document: IncomingDocument) -> str:
    if document.status == "done":
        return f"Đã giải quyết {format_date(document.resolved_at)}"
    notes = list(document.progress_notes.all())
    if notes:
        return f"{format_date(notes[-1].created_at)}: {notes[-1].text}"
    return document.get_status_display()


def follow_up_rows(documents: Any) -> list[list[str]]:
    now = timezone.now()
    rows = []
    for d in documents:
        described = ", ".join(
            part
            for part in (
                d.doc_type.name if d.doc_type else "",
                d.number_symbol,
                format_date(d.issued_date),
                d.issuing_agency_name,
            )
            if part
        )
        rows.append(
            [
                str(d.arrival_number or ""),
                described,
                _handlers(d),
                format_date(d.due_at),
                _progress(d),
                d.answer_notation,
                _notes(d, now),
            ]
        )
    return rows


@dataclass(frozen=True)
class Stamp:
    """The "ĐẾN" stamp (35×50 mm, Phụ lục IV): issuing body, number, date, hand-over."""

    agency: str
    number: str
    date: str
    time: str
    handed_to: str


def stamp(document: IncomingDocument) -> Stamp | None:
    if document.arrival_number is None:
        return None
    return Stamp(
        agency=document.recipient_agency.name,
        number=str(document.arrival_number),
        date=format_date(document.registered_at),
        time=format_time(document.registered_at),
        handed_to=_handlers(document),
    )
