"""The write path of outgoing documents: one function per act, each in one
transaction with its audit record (drafting, approval, issue, dispatch, recall)."""

from egov.outgoing.services import bridge, signing
from egov.outgoing.services.approval import StepIn, approve, return_draft, set_chain, submit
from egov.outgoing.services.attachments import add_attachment, remove_attachment
from egov.outgoing.services.drafting import (
    DraftIn,
    RecipientIn,
    add_comment,
    create_draft,
    save_draft,
    upload_version,
)
from egov.outgoing.services.issuance import (
    DispatchOutcome,
    RecallOutcome,
    create_replacement,
    dispatch_document,
    issue_document,
    recall_document,
)

__all__ = [
    "DispatchOutcome",
    "DraftIn",
    "RecallOutcome",
    "RecipientIn",
    "StepIn",
    "add_attachment",
    "add_comment",
    "approve",
    "bridge",
    "create_draft",
    "create_replacement",
    "dispatch_document",
    "issue_document",
    "recall_document",
    "remove_attachment",
    "return_draft",
    "save_draft",
    "set_chain",
    "signing",
    "submit",
    "upload_version",
]
