"""Writing to the append-only audit log.

Every service that changes state calls :func:`record` inside its transaction.
Appends are serialised by locking the single :class:`AuditChainHead` row, so the
chain stays linear under concurrent writers on PostgreSQL; on SQLite the
IMMEDIATE transaction already holds the database write lock.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from egov.core import request_context
from egov.core.models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-safe, order-independent form (PostgreSQL jsonb reorders keys)."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def compute_hash(entry: AuditEntry) -> str:
    """Hash of an entry's content and its predecessor's hash (the row id is left
    out so the entry can be sealed before its single INSERT; order is carried by
    ``prev_hash``)."""
    at = entry.at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    payload = {
        "at": at,
        "actor": entry.actor_id,
        "actor_repr": entry.actor_repr,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "unit": entry.unit_id,
        "changes": _canonical(entry.changes),
        "request_id": entry.request_id,
        "ip": entry.ip_address,
        "prev": entry.prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _lock_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS_HASH})
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    unit: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the caller's ``transaction.atomic()`` so the
    entry commits (or rolls back) with the change it describes.

    ``obj`` fills ``object_type``/``object_id``/``object_repr`` from a model instance;
    ``changes`` is a small before/after summary, e.g. ``{"name": ["old", "new"]}``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic()")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    ctx = request_context.current()
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    head = _lock_head()
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor if is_user else None,
        actor_repr=(str(actor) if actor is not None else "system")[:255],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:255],
        unit=unit,
        changes=_canonical(changes or {}),
        request_id=ctx.request_id,
        ip_address=ctx.ip_address,
        prev_hash=head.last_hash,
        entry_hash="",
    )
    # One INSERT and never an UPDATE: the table refuses updates (see migrations).
    entry.entry_hash = compute_hash(entry)
    entry.save(force_insert=True)
    head.last_entry_id = entry.pk
    head.last_hash = entry.entry_hash
    head.save(update_fields=["last_entry_id", "last_hash"])
    return entry


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{"field": [old, new]}`` for the fields whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
