"""What every write path of the incoming side shares: the clock, the row lock with
its version check, the history row, notices and the search text."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.accounts.models import RoleAssignment
from egov.accounts.permissions import Perm
from egov.core.models import Unit
from egov.documents import contract
from egov.documents.errors import StaleDocument
from egov.documents.fulltext import fold
from egov.documents.models import IncomingDocument, Notice, NoticeKind, StatusEvent

logger = logging.getLogger(__name__)


def now() -> datetime:
    """The services' clock (tests replace it here)."""
    return timezone.now()


def lock(document: IncomingDocument | int, expected_version: int | None = None) -> IncomingDocument:
    """The document's row, locked until the caller's transaction ends; refuse when
    the caller worked from an older version (another tab or person changed it)."""
    pk = document if isinstance(document, int) else document.pk
    locked = IncomingDocument.objects.select_for_update().get(pk=pk)
    if expected_version is not None and locked.version != int(expected_version):
        raise StaleDocument()
    return locked


def search_text_of(document: IncomingDocument) -> str:
    parts = [
        document.code_number,
        document.code_notation,
        document.number_symbol,
        document.issuing_agency_name,
        document.subject,
        document.signer_name,
        document.document_id,
        document.doc_type.name if document.doc_type_id and document.doc_type else "",
        document.description,
        str(document.arrival_number or ""),
        document.ocr_text,
    ]
    return fold(" ".join(part for part in parts if part))


def save(document: IncomingDocument, fields: Iterable[str]) -> None:
    """Write the changed fields, bump the version and refresh the search text."""
    document.version += 1
    document.search_text = search_text_of(document)
    document.save(update_fields=[*set(fields), "version", "search_text", "updated_at"])


def event(document: IncomingDocument, action: str, actor: Any, note: str = "") -> StatusEvent:
    row = StatusEvent.objects.create(
        document=document,
        action=action,
        status=document.status,
        actor=actor if getattr(actor, "pk", None) else None,
        at=now(),
        note=note[:1000],
    )
    _tell_hooks(document, row, actor)
    return row


def _tell_hooks(document: IncomingDocument, row: StatusEvent, actor: Any) -> None:
    """Hand the act to the apps listening (``contract.on_status_change``), each in a
    savepoint: a failing listener is logged, the act itself goes on."""
    hooks = contract.status_hooks()
    if not hooks:
        return
    change = contract.StatusChange(
        document_uuid=str(document.uuid),
        action=row.action,
        status=row.status,
        source=document.source,
        source_ref=document.source_ref,
        document_id=document.document_id,
        recipient_agency_id=document.recipient_agency_id,
        recipient_code=document.recipient_agency.code,
        sender_code=(
            document.sender_agency.code
            if document.sender_agency is not None
            else document.issuing_agency_code
        ),
        code_notation=document.number_symbol,
        at=row.at,
        note=row.note,
        actor_name=(actor.get_full_name() if getattr(actor, "pk", None) else ""),
    )
    for hook in hooks:
        try:
            with transaction.atomic():
                hook(change)
        except Exception:
            logger.exception("status hook failed for document %s", document.pk)


def people_with(perm: str, unit: Unit) -> list[Any]:
    """Active people holding ``perm`` through a role held in exactly ``unit``."""
    rows = (
        RoleAssignment.objects.filter(unit=unit, revoked_at__isnull=True, user__is_active=True)
        .select_related("role", "user")
        .order_by("user_id")
    )
    seen: dict[int, Any] = {}
    for row in rows:
        if perm in (row.role.permissions or []):
            seen.setdefault(row.user_id, row.user)
    return list(seen.values())


def clerks_of(agency: Unit) -> list[Any]:
    return people_with(Perm.REGISTER_DOCUMENTS, agency)


def notify(people: Iterable[Any], document: IncomingDocument, kind: NoticeKind, text: str) -> int:
    at = now()
    rows = [
        Notice(recipient=person, document=document, kind=kind, text=text[:500], created_at=at)
        for person in {p.pk: p for p in people if p is not None}.values()
    ]
    Notice.objects.bulk_create(rows)
    return len(rows)


#: The kinds other apps may send through ``notify_people`` (``contract.NoticeFor``).
OTHER_APPS_KINDS = frozenset(str(kind) for kind in contract.NoticeFor)


def notify_people(people: Iterable[Any], *, kind: str, text: str, url: str) -> int:
    """Add an unread notice to each of ``people`` (once each, ``None`` skipped) about
    another app's document, shown at ``url``: the one way the outgoing app tells a
    person that a draft waits for them or was sent back. Runs in the caller's
    transaction, so the notice exists exactly when the state change does."""
    kind = str(kind)
    if kind not in OTHER_APPS_KINDS or kind not in NoticeKind.values:
        raise ValueError(f"unknown notice kind for another app: {kind!r}")
    url = (url or "").strip()
    if not url.startswith("/") or len(url) > 300:
        raise ValueError("a notice needs the site-relative url of what it is about")
    at = now()
    rows = [
        Notice(recipient=person, kind=kind, text=text[:500], url=url, created_at=at)
        for person in {p.pk: p for p in people if p is not None}.values()
    ]
    Notice.objects.bulk_create(rows)
    return len(rows)


#: At most this many notices are marked read by one request naming them.
MAX_NOTICES_MARKED = 500


def mark_notices_read(user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s unread notices read: those of ``ids`` (others' notices and
    unknown ids are skipped, never touched), or all of them when ``ids`` is
    ``None``. Returns how many were marked."""
    qs = Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if ids is not None:
        wanted = sorted({int(i) for i in ids})[:MAX_NOTICES_MARKED]
        if not wanted:
            return 0
        qs = qs.filter(pk__in=wanted)
    return qs.update(read_at=now())
