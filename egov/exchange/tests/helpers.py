"""Helpers of the exchange tests: messages in the shapes other vendors send, an
outside system talking to the simulated axis."""

from __future__ import annotations

import datetime as dt
from typing import Any

from egov.exchange.axis import Axis
from egov.exchange.edxml import build, dsig
from egov.exchange.edxml.model import (
    Attachment,
    Message,
    Organization,
    ResponseFor,
    StatusMessage,
    TraceHeader,
    document_id_for,
)
from egov.exchange.tests.conftest import OTHER_SECRET, OTHER_SYSTEM


def _pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Cong van 1234/VPCP-KSTT")
    return bytes(pdf.output())


PDF = _pdf()


def outside_axis() -> Axis:
    """Another province's system on the same (simulated) axis."""
    return Axis(system=OTHER_SYSTEM, secret=OTHER_SECRET)


def message(
    to: str, *, sender: str = "000.00.00.G22", number: str = "1234/VPCP-KSTT", **overrides: Any
) -> Message:
    values: dict[str, Any] = {
        "sender": Organization(sender, "Văn phòng Chính phủ"),
        "recipients": (Organization(to, "Người nhận"),),
        "document_id": document_id_for(sender, dt.date(2026, 12, 7), number),
        "subject": "Về việc đẩy mạnh liên thông văn bản điện tử",
        "code_number": number.split("/")[0],
        "code_notation": number.split("/", 1)[1],
        "place": "Hà Nội",
        "promulgation_date": dt.date(2026, 12, 7),
        "type_name": "Công văn",
        "signer_position": "Chủ nhiệm",
        "signer_name": "Trần Văn Sơn",
        "traces": (TraceHeader(sender, dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)),),
        "attachments": (Attachment("cid:1", "cong-van.pdf", "application/pdf", PDF),),
    }
    values.update(overrides)
    return Message(**values)


def signed(message: Message, key: Any, chain: list[Any]) -> bytes:
    return dsig.sign(build.message_tree(message), key, chain)


def status(document_id: str, *, sender: str, to: str, code: str, at: dt.datetime) -> StatusMessage:
    return StatusMessage(
        response_for=ResponseFor(organ_id=to, code="x", document_id=document_id),
        sender=Organization(sender, "Cơ quan nhận"),
        code=code,
        timestamp=at,
        description=f"status {code}",
    )


def signed_status(item: StatusMessage, key: Any, chain: list[Any]) -> bytes:
    return dsig.sign(build.status_tree(item), key, chain)
