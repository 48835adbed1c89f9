"""The edXML message (QCVN 102:2016/BTTTT) as plain values.

Names follow the standard's elements in snake case. A :class:`Message` is a
document (header, trace list, business block, manifest and attachments); a
:class:`StatusMessage` is a status about a document (codes 01–16). Both are built
by :mod:`.build` and read back by :mod:`.parse`; neither knows Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DS = "http://www.w3.org/2000/09/xmldsig#"


class BusinessType(IntEnum):
    """``BussinessDocType`` (spelled so in the standard's samples)."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3


class StatusCode(StrEnum):
    """Status codes of the standard (ResponseFor messages)."""

    ARRIVED = "01"
    REJECTED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    PROCESSING = "05"
    FINISHED = "06"
    TAKEN_BACK = "13"
    CHANGE_ACCEPTED = "15"
    CHANGE_REJECTED = "16"


#: Every code the standard numbers (01–16); the named ones above are those we act on.
KNOWN_STATUS_CODES = frozenset(f"{n:02d}" for n in range(1, 17))

#: How far along a status is, to pick the latest when statuses arrive out of order.
STATUS_RANK = {
    "01": 1,
    "03": 2,
    "04": 3,
    "05": 4,
    "06": 5,
    "02": 6,
    "13": 6,
    "15": 6,
    "16": 6,
}


@dataclass(frozen=True)
class Organization:
    organ_id: str
    organ_name: str = ""
    organization_in_charge: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class StaffInfo:
    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class TraceHeader:
    organ_id: str = ""
    timestamp: dt.datetime | None = None


@dataclass(frozen=True)
class Business:
    business_type: BusinessType = BusinessType.NEW
    reason: str = ""
    document_id: str = ""
    paper: int = 0
    staff: StaffInfo | None = None


@dataclass(frozen=True)
class ResponseFor:
    organ_id: str
    code: str = ""
    promulgation_date: dt.date | None = None
    document_id: str = ""


@dataclass(frozen=True)
class Attachment:
    content_id: str
    name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class Message:
    sender: Organization
    recipients: tuple[Organization, ...]
    document_id: str
    subject: str
    code_number: str = ""
    code_notation: str = ""
    place: str = ""
    promulgation_date: dt.date | None = None
    doc_type: int = 1
    type_detail: int = 0
    type_name: str = ""
    content: str = ""
    signer_competence: str = ""
    signer_position: str = ""
    signer_name: str = ""
    due_date: dt.date | None = None
    priority: int = 0
    sphere: str = ""
    typer_notation: str = ""
    promulgation_amount: int = 1
    page_amount: int = 1
    direction: bool = False
    appendixes: tuple[str, ...] = ()
    steering_type: int = 0
    to_places: tuple[str, ...] = ()
    response_for: tuple[ResponseFor, ...] = ()
    traces: tuple[TraceHeader, ...] = ()
    business: Business = field(default_factory=Business)
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class StatusMessage:
    response_for: ResponseFor
    sender: Organization
    code: str
    timestamp: dt.datetime
    description: str = ""
    staff: StaffInfo | None = None


def document_id_for(organ_id: str, day: dt.date, number_symbol: str) -> str:
    """``<OrganId>,<yyyy/MM/dd>,<number/symbol>`` as the standard writes it."""
    return f"{organ_id},{day:%Y/%m/%d},{number_symbol}"
