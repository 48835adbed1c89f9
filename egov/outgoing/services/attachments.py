"""Attachments of an outgoing document (phụ lục, tài liệu kèm theo): PDF files added
or removed while the document is drafted. They freeze with the draft: once it is
submitted for approval the set cannot change. When the document is issued signed,
the agency signs each one (``services.signing.sign_attachments``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import audit
from egov.outgoing.files import PDF, check_draft_file, safe_name
from egov.outgoing.models import Attachment, OutgoingDocument
from egov.outgoing.services.common import bump, lock
from egov.outgoing.services.drafting import _require_edit
from egov.signatures.checking import check_pdf
from egov.signatures.errors import SignatureError

#: An outgoing document carries at most this many attachments.
MAX_ATTACHMENTS = 20


def add_attachment(
    actor: Any, document: OutgoingDocument, *, expected_version: int, file: Any, name: str = ""
) -> Attachment:
    """Add a PDF attachment (refused with a reason: not a PDF, encrypted, too long)."""
    kind = check_draft_file(file)
    if kind is not PDF:
        raise ValidationError(
            {
                "file": _(
                    "An attachment must be a PDF file: it is signed when the document is issued."
                )
            }
        )
    file.seek(0)
    content = bytes(file.read())
    original = getattr(file, "name", "") or "phu-luc.pdf"
    try:
        check_pdf(content, name=original)
    except SignatureError as error:
        raise ValidationError({"file": error.message}) from None
    label = " ".join((name or "").split())[:200] or safe_name(original, PDF)[:-4]
    with transaction.atomic():
        current = lock(document, expected_version)
        _require_edit(actor, current)
        if current.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationError(
                {
                    "file": _("A document carries at most %(n)s attachments.")
                    % {"n": MAX_ATTACHMENTS}
                }
            )
        bump(current, [])
        attachment = Attachment(document=current, name=label, added_by=actor)
        attachment.file.save(safe_name(original, PDF), ContentFile(content), save=False)
        attachment.save()
        audit.record(
            actor=actor,
            action="outgoing.attachment_added",
            obj=current,
            unit=current.agency,
            changes={"attachment": [None, label]},
        )
    document.lock_version = current.lock_version
    return attachment


def remove_attachment(
    actor: Any, document: OutgoingDocument, *, expected_version: int, attachment_id: int
) -> None:
    with transaction.atomic():
        current = lock(document, expected_version)
        _require_edit(actor, current)
        attachment = current.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise ValidationError({"attachment": _("No such attachment on this draft.")})
        label = attachment.name
        attachment.file.delete(save=False)
        attachment.delete()
        bump(current, [])
        audit.record(
            actor=actor,
            action="outgoing.attachment_removed",
            obj=current,
            unit=current.agency,
            changes={"attachment": [label, None]},
        )
    document.lock_version = current.lock_version
