"""Staff JSON API of the document exchange, mounted at ``/api/v1/exchange``
(platform operators): a document's edXML history and the quarantine. Refusals use
the API's one error body."""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from egov.accounts.api_auth import staff_auth
from egov.core.schemas import ErrorOut
from egov.exchange import selectors

router = Router(auth=staff_auth)
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut}


class MessageOut(Schema):
    uuid: str
    direction: str
    channel: str
    kind: str
    document_id: str
    business_type: int
    from_organ: str
    to_organ: str
    status_code: str
    status_at: datetime | None
    signature: str
    warnings: list[str]
    created_at: datetime


class QuarantineOut(Schema):
    id: int
    received_at: datetime
    reason: str
    size: int
    sha256: str


def _operator(request: HttpRequest) -> None:
    if not selectors.may_operate(request.user):
        raise PermissionDenied(_("Only platform operators may see the document exchange."))


@router.get("/messages", response={200: list[MessageOut], **ERRORS})
def messages(request: HttpRequest, document_id: str) -> list[MessageOut]:
    """Every edXML message about one DocumentId, oldest first."""
    _operator(request)
    return [
        MessageOut(
            uuid=str(m.uuid),
            direction=m.direction,
            channel=m.channel,
            kind=m.kind,
            document_id=m.document_id,
            business_type=m.business_type,
            from_organ=m.from_organ,
            to_organ=m.to_organ,
            status_code=m.status_code,
            status_at=m.status_at,
            signature=m.signature,
            warnings=[str(w) for w in m.warnings],
            created_at=m.created_at,
        )
        for m in selectors.history(document_id)[:500]
    ]


@router.get("/quarantine", response={200: list[QuarantineOut], **ERRORS})
def quarantine(request: HttpRequest) -> list[QuarantineOut]:
    """Messages held because they could not be understood."""
    _operator(request)
    return [
        QuarantineOut(
            id=q.pk, received_at=q.received_at, reason=q.reason, size=q.size, sha256=q.sha256
        )
        for q in selectors.held()[:500]
    ]
