"""Work files and real documents to put in them, made through the services."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from egov.documents import services as incoming
from egov.documents.models import IncomingDocument
from egov.documents.tests.factories import Org, Staff, metadata, text_pdf
from egov.outgoing.models import OutgoingDocument
from egov.outgoing.tests.factories import issued, make_draft
from egov.workfiles import services
from egov.workfiles.models import FileListEntry, WorkFile

_refs = count(1)


def incoming_doc(org: Org, staff: Staff, *, register: bool = True, **kw: Any) -> IncomingDocument:
    """A letter from Sở Tài chính to Sở Tư pháp, registered and assigned to the legal
    division's specialist so they may see it."""
    document = incoming.deliver_from_platform(
        sender_agency=org.other,
        recipient_agency=org.dept,
        metadata=metadata(issuing_agency_name="Sở Tài chính", **kw),
        files=[("a.pdf", text_pdf(), "application/pdf")],
        source_ref=f"wf-{next(_refs)}",
        actor=staff.other_clerk,
    )
    if not register:
        return document
    document = incoming.register(
        document, actor=staff.clerk, present_to=staff.leader, confirm_duplicate=True
    )
    document = incoming.assign(document, actor=staff.leader, lead_unit=org.dept_legal)
    lead = document.assignments.get(role="lead")
    incoming.hand_out(lead, person=staff.specialist, actor=staff.head)
    document.refresh_from_db()
    return document


def outgoing_doc(org: Org, staff: Staff, *, draft: bool = False, **kw: Any) -> OutgoingDocument:
    return make_draft(org, staff, **kw) if draft else issued(org, staff, **kw)


def entry(
    org: Org, staff: Staff, *, year: int = 2026, symbol: str = "01.XDKT", years: int | None = 10
) -> FileListEntry:
    file_list = services.list_for(staff.clerk, org.dept, year)
    return services.add_entry(
        staff.clerk,
        file_list,
        services.EntryIn(
            symbol=symbol,
            title="Hồ sơ kiểm tra văn bản quy phạm pháp luật",
            unit=org.dept_legal,
            retention_years=years,
        ),
    )


def open_file(org: Org, staff: Staff, *, year: int = 2026, **kw: Any) -> WorkFile:
    planned = entry(org, staff, year=year, **kw)
    return services.open_from_entry(staff.specialist, planned, start_date=date(year, 1, 5))
