"""Writing to the append-only audit log.

Every service that changes state calls :func:`record` inside its transaction.
Appends are serialised by locking the single :class:`AuditChainHead` row, so the
chain stays linear under concurrent writers on PostgreSQL; on SQLite the
IMMEDIATE transaction already holds the database write lock.

Database triggers (core migration 0002) refuse UPDATE, DELETE and TRUNCATE on the
entries; :func:`verify_chain` (and ``manage.py verify_audit``) recomputes the
chain to detect what the triggers cannot prevent (a privileged hand in the
database).

The chain itself is unkeyed (anyone can recompute it), so it is anchored outside
the database twice (ADR 2): the head carries a keyed seal computed with
``EGOV_AUDIT_KEY``, which never reaches the database, and signed checkpoints are
exported regularly (:mod:`egov.core.audit_checkpoints`).
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import ipaddress
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum
from typing import Any, Protocol

from django.conf import settings
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


# --- The keyed seal of the chain head (ADR 2) ---
#
# The head's ``seal`` is start_seal(sealed_from) + Σ entry_seal(digest) mod 2**62
# over the entries after ``sealed_from_id``. Each term is an HMAC computed in Python
# from the content digest *before* the append statement, so PostgreSQL only adds
# an integer to the head in the statement it already runs: the receipt hot path
# keeps its single round trip, and the key never travels to the database (where
# statement logs or a superuser could read it).

SEAL_MODULUS = 1 << 62
CHECKPOINT_ACTION = "audit.checkpoint"


def _mac62(label: bytes, message: str) -> int:
    key = str(settings.EGOV_AUDIT_KEY).encode()
    mac = hmac.new(key, label + b"\x00" + message.encode(), hashlib.sha256).digest()
    # 62 bits: the sum of two terms stays below 2**63, PostgreSQL's bigint limit.
    return int.from_bytes(mac[:8], "big") >> 2


def entry_seal(digest: str) -> int:
    """The keyed term one entry adds to the head's seal (over its content digest)."""
    return _mac62(b"egov-audit-entry", digest)


def start_seal(entry_id: int, entry_hash: str) -> int:
    """The keyed start of the seal at entry ``entry_id`` (0 and the genesis hash for
    a new log; core migration 0003 computes the same for an existing head)."""
    return _mac62(b"egov-audit-start", f"{entry_id}:{entry_hash}")


def add_to_seal(seal: int, term: int) -> int:
    return (seal + term) % SEAL_MODULUS


def key_id() -> str:
    """A short public fingerprint of ``EGOV_AUDIT_KEY`` (names the key in checkpoints
    without revealing it)."""
    return format(_mac62(b"egov-audit-key-id", ""), "016x")


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
        # A flushed database: the chain starts again from the genesis.
        AuditChainHead.objects.get_or_create(
            pk=1,
            defaults={
                "last_hash": GENESIS_HASH,
                "seal": start_seal(0, GENESIS_HASH),
                "sealed_from_id": 0,
            },
        )
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
    term = entry_seal(digest)
    connection = transaction.get_connection()
    if connection.vendor == "postgresql" and _append_in_one_statement(
        connection, entry, digest, term
    ):
        return entry
    head = _lock_head()
    entry.prev_hash = head.last_hash
    # One INSERT and never an UPDATE: the table refuses updates (see migrations).
    entry.entry_hash = link_hash(entry.prev_hash, digest)
    entry.save(force_insert=True)
    head.last_entry_id = entry.pk
    head.last_hash = entry.entry_hash
    head.seal = add_to_seal(head.seal, term)
    head.save(update_fields=["last_entry_id", "last_hash", "seal"])
    return entry


# Lock the head, insert the sealed entry, move the head and add the entry's keyed
# term (computed in Python) to the head's seal: one round trip instead of three.
# The head lock is held from here to the commit, as with the three statements;
# the link is the same as link_hash() computes. ``seal`` is read from the locked
# row (FOR UPDATE returns its newest version), so concurrent appends add up.
_APPEND_SQL = """
WITH head AS (
    SELECT last_hash, seal FROM core_auditchainhead WHERE id = 1 FOR UPDATE
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
    SET last_entry_id = sealed.id, last_hash = sealed.entry_hash,
        seal = (head.seal + %s) %% 4611686018427387904
    FROM sealed, head WHERE h.id = 1
)
SELECT id, prev_hash, entry_hash FROM sealed
"""


def _append_in_one_statement(connection: Any, entry: AuditEntry, digest: str, term: int) -> bool:
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
        term,
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


# pg_trigger.tgtype bits: ROW 1, BEFORE 2, DELETE 8, UPDATE 16, TRUNCATE 32.
_PG_TRIGGER_TYPES: dict[str, tuple[int, int]] = {
    # name: (bits that must be set, bits that must not be)
    "core_auditentry_append_only": (1 | 2 | 8 | 16, 0),
    "core_auditentry_no_truncate": (2 | 32, 1),
}
_PG_GUARD_FUNCTION = "core_auditentry_refuse_change"


def _normalised_sql(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(";").strip()


def _installed_guard_sql() -> tuple[str, dict[str, str]]:
    """What migration 0002 installed: the PostgreSQL function body and the SQLite
    trigger statements (by name), whitespace-normalised, read from the migration
    itself so there is one source of the guard's text."""
    migration = importlib.import_module("egov.core.migrations.0002_audit_append_only")
    function_sql: str = migration.POSTGRESQL_INSTALL[0]
    body = function_sql.split("$$")[1]
    sqlite = {}
    for statement in migration.SQLITE_INSTALL:
        normalised = _normalised_sql(statement)
        sqlite[normalised.split()[2]] = normalised
    return _normalised_sql(body), sqlite


def _postgresql_guard_problems(cursor: Any) -> list[str]:
    problems: list[str] = []
    cursor.execute("SELECT current_setting('session_replication_role')")
    role = cursor.fetchone()[0]
    if role != "origin":
        problems.append(
            _(
                "session_replication_role is '%(value)s' for this database's sessions, so the "
                "append-only triggers do not fire"
            )
            % {"value": role}
        )
    cursor.execute(
        "SELECT t.tgname, t.tgenabled, t.tgtype, p.proname, p.prosrc "
        "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal",
        [_AUDIT_TABLE],
    )
    found = {str(row[0]): row[1:] for row in cursor.fetchall()}
    expected_body, _sqlite = _installed_guard_sql()
    for name, (required, forbidden) in _PG_TRIGGER_TYPES.items():
        if name not in found:
            problems.append(_("trigger %(name)s is missing") % {"name": name})
            continue
        enabled, tgtype, function, source = found[name]
        # 'O' and 'A' fire in normal sessions; 'D' is disabled, 'R' fires only on replicas.
        if str(enabled) not in {"O", "A"}:
            problems.append(_("trigger %(name)s is disabled") % {"name": name})
        if int(tgtype) & required != required or int(tgtype) & forbidden:
            problems.append(
                _("trigger %(name)s was altered: it no longer fires on the changes it must refuse")
                % {"name": name}
            )
        if function != _PG_GUARD_FUNCTION or _normalised_sql(str(source)) != expected_body:
            problems.append(
                _(
                    "trigger %(name)s no longer runs the refusing function of core migration "
                    "0002 (the function was replaced or rewritten)"
                )
                % {"name": name}
            )
    return problems


def _sqlite_guard_problems(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
        [_AUDIT_TABLE],
    )
    found = {str(name): _normalised_sql(str(sql)) for name, sql in cursor.fetchall()}
    _body, expected = _installed_guard_sql()
    problems: list[str] = []
    for name in GUARD_TRIGGERS["sqlite"]:
        if name not in found:
            problems.append(_("trigger %(name)s is missing") % {"name": name})
        elif found[name] != expected[name]:
            problems.append(
                _("trigger %(name)s was altered: it no longer fires on the changes it must refuse")
                % {"name": name}
            )
    return problems


def guard_problems(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What is wrong with the triggers that make the audit table append-only, in
    plain words (empty when they are all present, enabled and as migration 0002
    made them). Missing triggers mean entries could have been changed or removed
    without leaving a trace other than the chain itself."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _postgresql_guard_problems(cursor)
        if connection.vendor == "sqlite":
            return _sqlite_guard_problems(cursor)
    return [
        _("no append-only guard is known for the %(vendor)s database")
        % {"vendor": connection.vendor}
    ]


def reinstall_guard(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Drop and re-create the append-only triggers exactly as core migration 0002
    does, in one transaction, and record that it was done; returns the problems
    found before. For the operator after ``verify_audit`` reported the guard
    missing or altered (or after a SQLite table rebuild dropped it)."""
    migration = importlib.import_module("egov.core.migrations.0002_audit_append_only")
    connection = connections[using]
    statements = {
        "postgresql": [*migration.POSTGRESQL_REMOVE, *migration.POSTGRESQL_INSTALL],
        "sqlite": [*migration.SQLITE_REMOVE, *migration.SQLITE_INSTALL],
    }.get(connection.vendor)
    if statements is None:
        raise RuntimeError(f"no append-only guard for the {connection.vendor} database")
    with transaction.atomic(using=using):
        before = guard_problems(using)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # DDL on the table refuses to run while deferred FK checks are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for sql in statements:
                cursor.execute(sql)  # no parameters: the SQL holds literal % signs
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default again
        record(
            actor=None,
            action="audit.guard_installed",
            object_type="core.auditentry",
            object_id="guard",
            object_repr="append-only triggers",
            changes={"problems": [before, []]},
        )
    return before


def guard_installed(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the append-only triggers are all present, enabled and unaltered."""
    return not guard_problems(using)


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
    SEAL_MISMATCH = "seal_mismatch"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    CHECKPOINT_MISSING = "checkpoint_missing"


class Anchor(Protocol):
    """A signed checkpoint as the verification needs it (see ``audit_checkpoints``)."""

    @property
    def entry_id(self) -> int: ...
    @property
    def entry_hash(self) -> str: ...
    @property
    def entries(self) -> int: ...
    @property
    def seal(self) -> int: ...
    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of :func:`verify_chain`: either OK, or the first problem found.

    On success ``last_entry_id``, ``last_hash`` and ``seal`` describe the verified
    head (what a checkpoint of this state records)."""

    checked: int
    last_entry_id: int | None
    problem: ChainProblem | None = None
    entry_id: int | None = None
    detail: str = ""
    last_hash: str = GENESIS_HASH
    seal: int | None = None
    checkpoints_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        """One or two sentences in plain words for an operator."""
        if self.ok:
            if self.checked == 0:
                return _("The audit log is empty; nothing to verify.")
            text = _(
                "Audit log OK. Entries checked: %(count)d. Every entry matches its seal and "
                "links to the one before it; the chain head points to the last entry (#%(last)d)."
            ) % {"count": self.checked, "last": self.last_entry_id or 0}
            text += " " + _("The keyed seal of the chain head matches.")
            if self.checkpoints_checked:
                text += " " + _("Signed checkpoints matched: %(count)d.") % {
                    "count": self.checkpoints_checked
                }
            return text
        if self.entry_id is None:
            return _("Audit log BROKEN: %(detail)s. Entries checked: %(count)d.") % {
                "detail": self.detail,
                "count": self.checked,
            }
        return _(
            "Audit log BROKEN at entry #%(entry)s: %(detail)s. Entries checked before the "
            "break: %(count)d."
        ) % {"entry": self.entry_id, "detail": self.detail, "count": self.checked}


class _Broken(Exception):
    def __init__(self, problem: ChainProblem, entry_id: int | None, detail: str) -> None:
        super().__init__(detail)
        self.problem, self.entry_id, self.detail = problem, entry_id, detail


@dataclass
class _Walk:
    """State of one walk along the chain."""

    sealed_from: int
    anchors: dict[int, list[Anchor]]
    anchor_ids: set[int] | None
    checked: int = 0
    prev_id: int | None = None
    prev_hash: str = GENESIS_HASH
    seal: int | None = None
    anchors_checked: int = 0

    def step(self, entry: AuditEntry) -> None:
        digest = content_digest(entry)
        if link_hash(entry.prev_hash, digest) != entry.entry_hash:
            raise _Broken(
                ChainProblem.CONTENT_CHANGED,
                entry.pk,
                _("its content was changed after it was written (hash does not match)"),
            )
        if entry.prev_hash != self.prev_hash:
            raise self._link_problem(entry)
        if entry.pk == self.sealed_from:
            self.seal = start_seal(entry.pk, entry.entry_hash)
        elif entry.pk > self.sealed_from and self.seal is not None:
            self.seal = add_to_seal(self.seal, entry_seal(digest))
        self.checked += 1
        self.prev_id = entry.pk
        self.prev_hash = entry.entry_hash
        for anchor in self.anchors.pop(entry.pk, []):
            self._check_anchor(anchor, entry)
        if (
            self.anchor_ids is not None
            and entry.action == CHECKPOINT_ACTION
            and entry.object_id.isdigit()
            and int(entry.object_id) not in self.anchor_ids
        ):
            raise _Broken(
                ChainProblem.CHECKPOINT_MISSING,
                entry.pk,
                _(
                    "it records a signed checkpoint of entry #%(checkpoint)s that none of the "
                    "checkpoint stores holds any more (checkpoint removed, or the stores are "
                    "not the ones it was written to)"
                )
                % {"checkpoint": entry.object_id},
            )

    def _link_problem(self, entry: AuditEntry) -> _Broken:
        if self.prev_id is None:
            return _Broken(
                ChainProblem.MISSING_ENTRIES,
                entry.pk,
                _("it does not link to the start of the chain; earlier entries are missing"),
            )
        if entry.pk != self.prev_id + 1:
            return _Broken(
                ChainProblem.MISSING_ENTRIES,
                entry.pk,
                _(
                    "it does not link to entry #%(prev)d; entries between #%(prev)d and "
                    "#%(entry)d are missing"
                )
                % {"prev": self.prev_id, "entry": entry.pk},
            )
        return _Broken(
            ChainProblem.LINK_BROKEN,
            entry.pk,
            _("its link to entry #%(prev)d is broken (that entry was rewritten, or this link was)")
            % {"prev": self.prev_id},
        )

    def _check_anchor(self, anchor: Anchor, entry: AuditEntry) -> None:
        matches = anchor.entry_hash == entry.entry_hash and anchor.entries == self.checked
        if matches and self.seal is not None:
            matches = anchor.seal == self.seal
        if not matches:
            raise _Broken(
                ChainProblem.CHECKPOINT_MISMATCH,
                entry.pk,
                _(
                    "it no longer matches signed checkpoint %(checkpoint)s (hash, position or "
                    "keyed seal differ): entries up to it were rewritten, removed or re-sealed"
                )
                % {"checkpoint": anchor.label},
            )
        self.anchors_checked += 1


def verify_chain(
    *,
    batch_size: int = 2000,
    using: str = DEFAULT_DB_ALIAS,
    checkpoints: Sequence[Anchor] | None = None,
) -> VerificationResult:
    """Walk the audit log in id order, recompute every hash and check every link,
    reading ``batch_size`` rows at a time (constant memory); then check the head,
    its keyed seal, and every signed checkpoint given (already signature-checked,
    read *before* calling, so none is newer than the head read here). With
    ``checkpoints`` given, every ``audit.checkpoint`` entry must have its checkpoint
    among them.

    The head is read first and only entries up to it are walked, so appends made
    while verifying do not disturb the result (appends are serialised by the head
    lock, so chain order is id order).
    """
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    head_id = head.last_entry_id if head is not None else 0
    anchors: dict[int, list[Anchor]] = {}
    for anchor in checkpoints or ():
        anchors.setdefault(anchor.entry_id, []).append(anchor)
    walk = _Walk(
        sealed_from=head.sealed_from_id if head is not None else 0,
        anchors=anchors,
        anchor_ids=set(anchors) if checkpoints is not None else None,
    )
    if walk.sealed_from == 0:
        walk.seal = start_seal(0, GENESIS_HASH)
    entries = AuditEntry.objects.using(using).order_by("id")

    def result(problem: ChainProblem, entry_id: int | None, detail: str) -> VerificationResult:
        return VerificationResult(walk.checked, walk.prev_id, problem, entry_id, detail)

    try:
        while True:
            batch = list(entries.filter(id__gt=walk.prev_id or 0, id__lte=head_id)[:batch_size])
            if not batch:
                break
            for entry in batch:
                walk.step(entry)
    except _Broken as broken:
        return result(broken.problem, broken.entry_id, broken.detail)

    if head is None:
        if walk.checked or entries.exists():
            return result(ChainProblem.HEAD_MISMATCH, None, _("the chain head record is missing"))
        # An empty log without a head is a new (or flushed) database, unless a
        # checkpoint says entries existed.
        return _unreached_checkpoint(walk) or VerificationResult(0, None)
    if walk.prev_id != (head.last_entry_id or None) or walk.prev_hash != head.last_hash:
        return result(
            ChainProblem.HEAD_MISMATCH,
            head.last_entry_id,
            _(
                "the chain head points to entry #%(head)d but the last entry found is "
                "#%(last)s; the last entries were removed or the head was altered"
            )
            % {
                "head": head.last_entry_id,
                "last": walk.prev_id if walk.prev_id is not None else "-",
            },
        )
    if entries.filter(id__gt=head_id).exists():
        fresh = AuditChainHead.objects.using(using).filter(pk=1).first()
        if fresh is None or fresh.last_entry_id == head_id:
            return result(
                ChainProblem.HEAD_MISMATCH,
                head_id,
                _("entries exist after the one the chain head points to"),
            )
    unreached = _unreached_checkpoint(walk)
    if unreached is not None:
        return unreached
    if walk.seal is None or walk.seal != head.seal:
        return result(
            ChainProblem.SEAL_MISMATCH,
            None,
            _(
                "the keyed seal of the chain head does not match the entries: entries were "
                "removed, rewritten or re-sealed without the audit key (or EGOV_AUDIT_KEY is "
                "not the key this log was sealed with)"
            ),
        )
    return VerificationResult(
        walk.checked,
        walk.prev_id,
        last_hash=walk.prev_hash,
        seal=walk.seal,
        checkpoints_checked=walk.anchors_checked,
    )


def _unreached_checkpoint(walk: _Walk) -> VerificationResult | None:
    """A problem if a checkpoint names an entry the walk never reached: the chain
    was cut short (entries removed and the head moved back, or the log emptied)."""
    if not walk.anchors:
        return None
    anchor = min((a for group in walk.anchors.values() for a in group), key=_anchor_id)
    return VerificationResult(
        walk.checked,
        walk.prev_id,
        ChainProblem.CHECKPOINT_MISMATCH,
        anchor.entry_id,
        _(
            "signed checkpoint %(checkpoint)s records this entry, but the chain does not "
            "contain it any more (it ends at #%(last)s): entries were removed and the "
            "head moved back"
        )
        % {
            "checkpoint": anchor.label,
            "last": walk.prev_id if walk.prev_id is not None else "-",
        },
    )


def _anchor_id(anchor: Anchor) -> int:
    return anchor.entry_id
