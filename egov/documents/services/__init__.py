"""The only write path of incoming documents (import surface)."""

from egov.documents.services import common as common
from egov.documents.services.common import mark_notices_read, notify_people
from egov.documents.services.handling import (
    add_progress_note,
    assign,
    hand_out,
    link_answer,
    name_reader,
    reassign,
    resolve,
    return_assignment,
)
from egov.documents.services.intake import (
    deliver_from_platform,
    receive_from_exchange,
    receive_scan,
    recognise_document,
    return_to_sender,
    withdraw_from_platform,
)
from egov.documents.services.registering import (
    likely_duplicates,
    present,
    register,
    update_metadata,
)
from egov.documents.services.signature_check import check_pending_signatures, check_signatures

__all__ = [
    "add_progress_note",
    "assign",
    "check_pending_signatures",
    "check_signatures",
    "common",
    "deliver_from_platform",
    "hand_out",
    "likely_duplicates",
    "link_answer",
    "mark_notices_read",
    "name_reader",
    "notify_people",
    "present",
    "reassign",
    "receive_from_exchange",
    "receive_scan",
    "recognise_document",
    "register",
    "resolve",
    "return_assignment",
    "return_to_sender",
    "update_metadata",
    "withdraw_from_platform",
]
