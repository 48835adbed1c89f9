"""Appending many audit entries at once (batch receipts, imports).

:func:`record_many` gives the same entries, with the same links and the same keyed
seal on the head, as calling :func:`egov.core.audit.record` for each in turn, but
locks the chain head once, inserts the entries in one statement and moves the head
once. The chain is computed in Python from the locked head, so it is the same on
PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from egov.core import request_context
from egov.core.audit import (
    _canonical,
    _lock_head,
    _normalised_ip,
    add_to_seal,
    content_digest,
    entry_seal,
    link_hash,
)
from egov.core.models import AuditEntry


@dataclass
class Entry:
    """What one :func:`egov.core.audit.record` call would be given."""

    actor: Any
    action: str
    obj: models.Model | None = None
    unit: Any = None
    changes: dict[str, Any] = field(default_factory=dict)


def record_many(entries: Sequence[Entry]) -> list[AuditEntry]:
    """Append ``entries`` in order, inside the caller's ``transaction.atomic()``."""
    if not entries:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many() must be called inside transaction.atomic()")
    ctx = request_context.current()
    ip = _normalised_ip(ctx.ip_address)
    rows: list[AuditEntry] = []
    digests: list[str] = []
    for item in entries:
        actor = item.actor
        obj = item.obj
        is_user = actor is not None and getattr(actor, "pk", None) is not None
        row = AuditEntry(
            at=timezone.now(),
            actor=actor if is_user else None,
            actor_repr=(str(actor) if actor is not None else "system")[:255],
            action=item.action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=str(obj)[:255] if obj is not None else "",
            unit=item.unit,
            changes=_canonical(item.changes or {}),
            request_id=ctx.request_id,
            ip_address=ip,
            prev_hash="",
            entry_hash="",
        )
        rows.append(row)
        digests.append(content_digest(row))
    head = _lock_head()
    last_hash, seal = head.last_hash, head.seal
    for row, digest in zip(rows, digests, strict=True):
        row.prev_hash = last_hash
        row.entry_hash = last_hash = link_hash(last_hash, digest)
        seal = add_to_seal(seal, entry_seal(digest))
    # Ids come back from the INSERT (PostgreSQL, SQLite >= 3.35) in the rows' order:
    # the head lock keeps every other writer out until the commit.
    AuditEntry.objects.bulk_create(rows)
    head.last_entry_id = rows[-1].pk
    head.last_hash = last_hash
    head.seal = seal
    head.save(update_fields=["last_entry_id", "last_hash", "seal"])
    return rows
