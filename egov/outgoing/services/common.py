"""What every outgoing service shares: the clock, the row lock with the optimistic
version check, the approval history and access checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.outgoing.errors import FrozenDocument, StaleDocument
from egov.outgoing.models import ApprovalEvent, EventKind, OutgoingDocument


def now() -> datetime:
    """The services' clock (tests patch ``outgoing.services.common.now``)."""
    return timezone.now()


def lock(document: OutgoingDocument | int, expected_version: int | None = None) -> OutgoingDocument:
    """The document's row, locked until the caller's transaction ends; with
    ``expected_version``, refuse if someone saved it since the caller read it."""
    pk = document.pk if isinstance(document, OutgoingDocument) else document
    locked = (
        OutgoingDocument.objects.select_for_update(of=("self",))
        .select_related("agency", "drafting_unit", "author")
        .get(pk=pk)
    )
    if expected_version is not None and locked.lock_version != expected_version:
        raise StaleDocument(expected=expected_version, current=locked.lock_version)
    return locked


def require_not_frozen(document: OutgoingDocument) -> None:
    if document.is_frozen:
        raise FrozenDocument()


def bump(document: OutgoingDocument, fields: list[str]) -> None:
    document.lock_version += 1
    document.save(update_fields=[*fields, "lock_version", "updated_at"])


def event(
    document: OutgoingDocument,
    kind: EventKind,
    actor: Any,
    *,
    note: str = "",
    step: Any = None,
    at: datetime | None = None,
) -> ApprovalEvent:
    return ApprovalEvent.objects.create(
        document=document,
        kind=kind,
        step_position=getattr(step, "position", None),
        step_name=getattr(step, "name", ""),
        actor=actor,
        note=note,
        at=at or now(),
    )


def may_issue(user: Any, document: OutgoingDocument) -> bool:
    """The records clerk (văn thư) of the issuing agency takes the number."""
    return has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, document.agency)


def require_issue(user: Any, document: OutgoingDocument) -> None:
    if not may_issue(user, document):
        raise PermissionDenied(_("Only the agency's records clerk may issue its documents."))
