"""Writing to the append-only audit log.

Every service that changes state calls :func:`record` inside its transaction.
Appends are serialised by locking the single :class:`AuditChainHead` row, so the
chain stays linear under concurrent writers on PostgreSQL; on SQLite the
IMMEDIATE transaction already holds the database write lock.

Database triggers (core migration 0002) refuse UPDATE, DELETE and TRUNCATE on the
entries; :func:`verify_chain` (and ``manage.py verify_audit``) recomputes the
chain to detect what the triggers cannot prevent (a privileged hand in the
database).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import request_context
from egov.core.models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-safe, order-independent form (PostgreSQL jsonb reorders keys)."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def content_digest(entry: AuditEntry) -> str:
    """SHA-256 of an entry's content, without its link (the row id is left out too,
    so the entry can be sealed before its single INSERT; order is carried by
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
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def link_hash(prev_hash: str, digest: str) -> str:
    """The entry's seal: SHA-256 of the predecessor's hash followed by the content
    digest (both as hex text). PostgreSQL computes the same thing in the append
    statement (``sha256(convert_to(prev || digest, 'UTF8'))``), so the chain head
    is read and moved in one round trip."""
    return hashlib.sha256((prev_hash + digest).encode()).hexdigest()


def compute_hash(entry: AuditEntry) -> str:
    """The seal ``entry`` should carry, given its content and ``prev_hash``."""
    return link_hash(entry.prev_hash, content_digest(entry))


def _normalised_ip(value: str | None) -> str | None:
    """The form the database gives back (PostgreSQL ``inet`` and Django both
    normalise IPv6), so the hash computed now matches the one recomputed later."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


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
        ip_address=_normalised_ip(ctx.ip_address),
        prev_hash="",
        entry_hash="",
    )
    digest = content_digest(entry)
    connection = transaction.get_connection()
    if connection.vendor == "postgresql" and _append_in_one_statement(connection, entry, digest):
        return entry
    head = _lock_head()
    entry.prev_hash = head.last_hash
    # One INSERT and never an UPDATE: the table refuses updates (see migrations).
    entry.entry_hash = link_hash(entry.prev_hash, digest)
    entry.save(force_insert=True)
    head.last_entry_id = entry.pk
    head.last_hash = entry.entry_hash
    head.save(update_fields=["last_entry_id", "last_hash"])
    return entry


# Lock the head, insert the sealed entry, move the head: one round trip instead of
# three. The head lock is held from here to the commit, as with the three
# statements; the seal is the same as link_hash() computes.
_APPEND_SQL = """
WITH head AS (
    SELECT last_hash FROM core_auditchainhead WHERE id = 1 FOR UPDATE
), sealed AS (
    INSERT INTO core_auditentry (
        at, actor_id, actor_repr, action, object_type, object_id, object_repr,
        unit_id, changes, request_id, ip_address, prev_hash, entry_hash
    )
    SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s::inet,
           head.last_hash,
           encode(sha256(convert_to(head.last_hash || %s, 'UTF8')), 'hex')
    FROM head
    RETURNING id, prev_hash, entry_hash
), moved AS (
    UPDATE core_auditchainhead AS h
    SET last_entry_id = sealed.id, last_hash = sealed.entry_hash
    FROM sealed WHERE h.id = 1
)
SELECT id, prev_hash, entry_hash FROM sealed
"""


def _append_in_one_statement(connection: Any, entry: AuditEntry, digest: str) -> bool:
    """PostgreSQL: append ``entry`` with one statement; False when the head row is
    missing (a flushed database), for the caller to create it the slow way."""
    params = [
        entry.at,
        entry.actor_id,
        entry.actor_repr,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.unit_id,
        json.dumps(entry.changes, ensure_ascii=False),
        entry.request_id,
        entry.ip_address,
        digest,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return False
    entry.pk, entry.prev_hash, entry.entry_hash = row[0], row[1], row[2]
    entry._state.adding = False
    entry._state.db = connection.alias
    return True


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{"field": [old, new]}`` for the fields whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


# --- Append-only guard (database triggers installed by migration core.0002) ---

#: Trigger names per database vendor; migration 0002 creates exactly these.
GUARD_TRIGGERS: dict[str, tuple[str, ...]] = {
    "postgresql": ("core_auditentry_append_only", "core_auditentry_no_truncate"),
    "sqlite": ("core_auditentry_no_update", "core_auditentry_no_delete"),
}
_AUDIT_TABLE = "core_auditentry"


def guard_installed(using: str = DEFAULT_DB_ALIAS) -> bool | None:
    """Whether the triggers refusing UPDATE/DELETE on the audit table are present and
    enabled; ``None`` on a database vendor without such triggers."""
    connection = connections[using]
    names = GUARD_TRIGGERS.get(connection.vendor)
    if names is None:
        return None
    placeholders = ", ".join(["%s"] * len(names))
    if connection.vendor == "postgresql":
        sql = (
            "SELECT count(*) FROM pg_trigger "  # noqa: S608 - only placeholders are interpolated
            "WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled <> 'D' "
            f"AND tgname IN ({placeholders})"
        )
    else:
        sql = (
            "SELECT count(*) FROM sqlite_master "  # noqa: S608
            f"WHERE type = 'trigger' AND tbl_name = %s AND name IN ({placeholders})"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_AUDIT_TABLE, *names])
        row = cursor.fetchone()
    return bool(row and row[0] == len(names))


@contextmanager
def suspended_append_only_guard(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Lift the append-only triggers for the rest of the block, for database
    maintenance (wiping a test database) and for tests that simulate tampering.

    Must run inside ``transaction.atomic()``: the change is transactional on both
    PostgreSQL and SQLite, so if the process dies the triggers come back with the
    rollback. Needs the rights of the table owner.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("suspended_append_only_guard() must be used inside transaction.atomic()")
    table = connection.ops.quote_name(_AUDIT_TABLE)
    saved: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses to run while deferred foreign-key checks of rows
            # inserted in this transaction are pending: run those checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [_AUDIT_TABLE],
            )
            saved = [(str(name), str(sql)) for name, sql in cursor.fetchall()]
            for name, _sql in saved:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")

    def restore() -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default again
            for name, sql in saved:
                cursor.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [name]
                )
                if cursor.fetchone() is None:
                    cursor.execute(sql)

    try:
        yield
    except BaseException:
        # An aborted PostgreSQL transaction refuses further SQL; its rollback
        # restores the triggers anyway, so the original error is what matters.
        with suppress(DatabaseError):
            restore()
        raise
    restore()


# --- Verification of the chain ---


class ChainProblem(StrEnum):
    CONTENT_CHANGED = "content_changed"
    LINK_BROKEN = "link_broken"
    MISSING_ENTRIES = "missing_entries"
    HEAD_MISMATCH = "head_mismatch"


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of :func:`verify_chain`: either OK, or the first broken link found."""

    checked: int
    last_entry_id: int | None
    problem: ChainProblem | None = None
    entry_id: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        """One or two sentences in plain words for an operator."""
        if self.ok:
            if self.checked == 0:
                return _("The audit log is empty; nothing to verify.")
            return _(
                "Audit log OK. Entries checked: %(count)d. Every entry matches its seal and "
                "links to the one before it; the chain head points to the last entry (#%(last)d)."
            ) % {"count": self.checked, "last": self.last_entry_id or 0}
        if self.entry_id is None:
            return _("Audit log BROKEN: %(detail)s. Entries checked: %(count)d.") % {
                "detail": self.detail,
                "count": self.checked,
            }
        return _(
            "Audit log BROKEN at entry #%(entry)s: %(detail)s. Entries checked before the "
            "break: %(count)d."
        ) % {"entry": self.entry_id, "detail": self.detail, "count": self.checked}


def verify_chain(*, batch_size: int = 2000, using: str = DEFAULT_DB_ALIAS) -> VerificationResult:
    """Walk the audit log in id order, recompute every hash and check every link,
    reading ``batch_size`` rows at a time (constant memory).

    The head is read first and only entries up to it are walked, so appends made
    while verifying do not disturb the result (appends are serialised by the head
    lock, so chain order is id order).
    """
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    head_id = head.last_entry_id if head is not None else 0
    entries = AuditEntry.objects.using(using).order_by("id")
    checked = 0
    prev_id: int | None = None
    prev_hash = GENESIS_HASH
    while True:
        batch = list(entries.filter(id__gt=prev_id or 0, id__lte=head_id)[:batch_size])
        if not batch:
            break
        for entry in batch:
            if compute_hash(entry) != entry.entry_hash:
                return VerificationResult(
                    checked,
                    prev_id,
                    ChainProblem.CONTENT_CHANGED,
                    entry.pk,
                    _("its content was changed after it was written (hash does not match)"),
                )
            if entry.prev_hash != prev_hash:
                gap = entry.pk != (prev_id or 0) + 1
                if prev_id is None:
                    problem = ChainProblem.MISSING_ENTRIES
                    detail = _(
                        "it does not link to the start of the chain; earlier entries are missing"
                    )
                elif gap:
                    problem = ChainProblem.MISSING_ENTRIES
                    detail = _(
                        "it does not link to entry #%(prev)d; entries between #%(prev)d and "
                        "#%(entry)d are missing"
                    ) % {"prev": prev_id, "entry": entry.pk}
                else:
                    problem = ChainProblem.LINK_BROKEN
                    detail = _(
                        "its link to entry #%(prev)d is broken (that entry was rewritten, "
                        "or this link was)"
                    ) % {"prev": prev_id}
                return VerificationResult(checked, prev_id, problem, entry.pk, detail)
            checked += 1
            prev_id = entry.pk
            prev_hash = entry.entry_hash

    if head is None:
        if checked or entries.exists():
            return VerificationResult(
                checked,
                prev_id,
                ChainProblem.HEAD_MISMATCH,
                None,
                _("the chain head record is missing"),
            )
        return VerificationResult(0, None)
    if prev_id != (head.last_entry_id or None) or prev_hash != head.last_hash:
        return VerificationResult(
            checked,
            prev_id,
            ChainProblem.HEAD_MISMATCH,
            head.last_entry_id,
            _(
                "the chain head points to entry #%(head)d but the last entry found is "
                "#%(last)s; the last entries were removed or the head was altered"
            )
            % {"head": head.last_entry_id, "last": prev_id if prev_id is not None else "-"},
        )
    if entries.filter(id__gt=head_id).exists():
        fresh = AuditChainHead.objects.using(using).filter(pk=1).first()
        if fresh is None or fresh.last_entry_id == head_id:
            return VerificationResult(
                checked,
                prev_id,
                ChainProblem.HEAD_MISMATCH,
                head_id,
                _("entries exist after the one the chain head points to"),
            )
    return VerificationResult(checked, prev_id)
