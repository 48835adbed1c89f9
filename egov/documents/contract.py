"""What other apps hand to and read from the incoming side (a stable contract).

The outgoing app delivers issued documents to agencies on the platform with
``services.deliver_from_platform`` and takes them back with
``services.withdraw_from_platform``; it reads the recipients' progress with
``selectors.platform_receipts``. The exchange (edXML) importer feeds the same
queue with ``services.receive_from_exchange`` and hears of every later act through
``on_status_change`` (to send the edXML statuses back). These value types are the only
shapes that cross the boundary, so neither side reads the other's tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class IncomingMetadata:
    """The Phụ lục VI (part II) fields of a document as the sender declares them.

    Names follow Decree 30's metadata (OrganName, CodeNumber, CodeNotation, TypeName,
    IssuedDate, Subject, SignerInfo, PageAmount, Priority, DueDate, ToPlaces) in
    snake case. ``type_code`` is a document type code (``quyet-dinh``) or its
    abbreviation (``QĐ``); ``urgency`` and ``confidentiality`` take the values of
    ``documents.models.Urgency`` / ``Confidentiality``.
    """

    issuing_agency_name: str
    subject: str
    code_number: str = ""
    code_notation: str = ""
    type_code: str = ""
    issued_date: date | None = None
    issuing_agency_code: str = ""
    signer_name: str = ""
    signer_position: str = ""
    page_amount: int | None = None
    urgency: str = "normal"
    confidentiality: str = "normal"
    document_id: str = ""
    due_date: date | None = None
    to_places: str = ""
    description: str = ""
    language: str = "vi"
    extra: dict[str, Any] = field(default_factory=dict)


class ReceiptStatusCode(StrEnum):
    """Where a delivered document stands at one recipient (shown to the sender; the
    exchange maps them to edXML status codes 01, 03, 04, 05, 06 and 02)."""

    RECEIVED = "received"
    REGISTERED = "registered"
    ASSIGNED = "assigned"
    PROCESSING = "processing"
    DONE = "done"
    RETURNED = "returned"  # wrongly addressed or invalid: sent back
    WITHDRAWN = "withdrawn"  # taken back by the sender before registration


@dataclass(frozen=True)
class ReceiptStatus:
    recipient_agency_id: int
    status: ReceiptStatusCode
    at: datetime
    note: str = ""
    arrival_number: int | None = None
    recalled: bool = False


class WithdrawKind(StrEnum):
    REMOVED = "removed"  # was unregistered: taken out of the recipient's queue
    RECALLED = "recalled"  # was registered: kept, marked recalled, clerk notified
    ALREADY = "already"  # withdrawn or recalled before: nothing changed
    NOT_FOUND = "not_found"  # never delivered to that recipient


@dataclass(frozen=True)
class WithdrawOutcome:
    kind: WithdrawKind
    document_uuid: str | None = None

    @property
    def removed(self) -> bool:
        return self.kind is WithdrawKind.REMOVED

    @property
    def recalled(self) -> bool:
        return self.kind is WithdrawKind.RECALLED


# --- status-changed hooks (the exchange reports each step back to the sender) --------


@dataclass(frozen=True)
class StatusChange:
    """One act on an incoming document, as a higher app (the exchange) sees it.

    ``action`` is the history's action (``delivered``, ``registered``, ``assigned``,
    ``handed_out``, ``progress``, ``resolved``, ``returned``, …); ``source`` and
    ``source_ref`` say how the document arrived; ``sender_code`` is the sending
    agency's identifier code (the platform agency's, or the one the sender declared).
    """

    document_uuid: str
    action: str
    status: str
    source: str
    source_ref: str
    document_id: str
    recipient_agency_id: int
    recipient_code: str
    sender_code: str
    code_notation: str
    at: datetime
    note: str = ""
    actor_name: str = ""


StatusHook = Callable[[StatusChange], None]
_STATUS_HOOKS: dict[str, StatusHook] = {}


def on_status_change(name: str, hook: StatusHook) -> None:
    """Register ``hook`` (by name: registering again replaces it). It runs inside the
    transaction of the change, so what it writes commits or rolls back with it; a
    failing hook is logged and never blocks the clerk."""
    _STATUS_HOOKS[name] = hook


def status_hooks() -> list[StatusHook]:
    return list(_STATUS_HOOKS.values())


class NoticeFor(StrEnum):
    """The notices another app may add through ``services.notify_people`` (the
    values of ``documents.models.NoticeKind`` open to them)."""

    TO_APPROVE = "to_approve"
    SENT_BACK = "sent_back"
