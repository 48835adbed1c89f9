"""The gateway's message log: one row per request, hash-chained like the audit log.

:func:`append` is the only writer of :class:`MessageLogEntry` rows. Each row's
``entry_hash`` is SHA-256 of the previous row's hash and a digest of the row's
content; the bodies are not in the digest (they are emptied after
``EGOV_LGSP_BODY_RETENTION_DAYS`` by :func:`purge_bodies`), their SHA-512 hashes
are. :func:`verify` (``manage.py verify_lgsp_log``) walks the chain and names
every row whose content, link or kept body no longer matches, and a head that
does not point at the last row (rows removed at the end).

On PostgreSQL a lone append is one statement (:data:`_APPEND_SQL`): an ``UPDATE …
RETURNING`` of the head row computes the new link hash in the database under the
head's row lock and hands it to the ``INSERT`` of the row, so the chain costs one
round trip and one commit per call instead of five statements with the lock held
across them. Other databases take the head's row lock and write in Python.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from egov.lgsp.models import MessageLogEntry, MessageLogHead

GENESIS_HASH = "0" * 64


def request_hash(method: str, path: str, body: bytes) -> str:
    """``X-Road-Request-Hash``: SHA-512 (base64) of the method, the path with its
    query and the body."""
    digest = hashlib.sha512(f"{method.upper()} {path}\n".encode() + body).digest()
    return base64.b64encode(digest).decode("ascii")


def body_hash(body: bytes) -> str:
    return base64.b64encode(hashlib.sha512(body).digest()).decode("ascii")


def kept_text(body: bytes) -> str:
    """What the log keeps of a body: the whole text, or nothing when it is too long
    or not text (its hash is kept either way)."""
    if not body or len(body) > int(settings.EGOV_LGSP_LOGGED_BODY_BYTES):
        return ""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def content_digest(entry: MessageLogEntry) -> str:
    at = entry.at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    payload = {
        "at": at,
        "request_id": entry.request_id,
        "consumer": entry.consumer,
        "service": entry.service,
        "method": entry.method,
        "path": entry.path,
        "status": int(entry.status),
        "outcome": entry.outcome,
        "duration_ms": round(float(entry.duration_ms), 3),
        "request_hash": entry.request_hash,
        "response_hash": entry.response_hash,
    }
    if entry.phase:  # rows of a whole exchange keep the digest they always had
        payload["phase"] = entry.phase
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def link_hash(prev_hash: str, digest: str) -> str:
    return hashlib.sha256((prev_hash + digest).encode()).hexdigest()


def _lock_head() -> MessageLogHead:
    head = MessageLogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        MessageLogHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS_HASH})
        head = MessageLogHead.objects.select_for_update().get(pk=1)
    return head


@dataclass(frozen=True)
class Message:
    """What the gateway hands to :func:`append` for one exchange."""

    request_id: str
    consumer: str
    service: str
    method: str
    path: str
    status: int
    outcome: str
    duration_ms: float
    request_body: bytes = b""
    response_body: bytes = b""
    at: datetime | None = None
    #: ``""`` a whole exchange, ``request`` before forwarding, ``response`` after.
    phase: str = ""
    #: The answer row of a two-row exchange does not keep the request body again
    #: (its hash is kept).
    keep_request_body: bool = True


_LINK_SQL = "encode(sha256(convert_to(h.last_hash || %s, 'UTF8')), 'hex')"
#: Columns the INSERT takes from the Python side (the rest come from the head).
_VALUE_FIELDS = [
    f
    for f in MessageLogEntry._meta.concrete_fields
    if f.attname not in ("id", "prev_hash", "entry_hash")
]
_APPEND_SQL = f"""
WITH head AS (
    UPDATE {MessageLogHead._meta.db_table} AS h
    SET prev_hash = h.last_hash,
        last_hash = {_LINK_SQL},
        last_entry_id = nextval(pg_get_serial_sequence('{MessageLogEntry._meta.db_table}', 'id')),
        entries = h.entries + 1
    WHERE h.id = 1
    RETURNING h.last_entry_id, h.prev_hash, h.last_hash
)
INSERT INTO {MessageLogEntry._meta.db_table}
    (id, {", ".join(str(f.column) for f in _VALUE_FIELDS)}, prev_hash, entry_hash)
SELECT head.last_entry_id, {", ".join(["%s"] * len(_VALUE_FIELDS))}, head.prev_hash, head.last_hash
FROM head
RETURNING id, prev_hash, entry_hash
"""  # noqa: S608 - names from the models; every value is a parameter


def append(message: Message) -> MessageLogEntry:
    """Append one row to the chain; it is committed when this returns (unless the
    caller holds a transaction open, which then decides). The head row lock keeps
    the chain linear when several workers log at once.

    Group commit: the head's lock is held until the commit is on disk, so appends
    one by one are bounded by the disk's flush time. Threads of one process that
    append at the same moment are written together: the first becomes the leader
    and writes every row waiting (one transaction, one flush), the others wait for
    it; then the next waiting thread leads. A single append is one statement."""
    entry = _entry(message)
    digest = content_digest(entry)
    if connection.in_atomic_block:
        _write([_Pending(entry, digest)])
    else:
        _group_write(_Pending(entry, digest))
    return entry


@dataclass(eq=False)
class _Pending:
    entry: MessageLogEntry
    digest: str
    event: threading.Event = field(default_factory=threading.Event)
    promoted: bool = False
    finished: bool = False
    error: BaseException | None = None


_queue: list[_Pending] = []
_queue_lock = threading.Lock()
_leading: list[bool] = [False]


def _group_write(me: _Pending) -> None:
    with _queue_lock:
        _queue.append(me)
        lead = not _leading[0]
        _leading[0] = True
    if not lead:
        me.event.wait()
        lead = me.promoted and not me.finished
    if lead:
        with _queue_lock:
            batch = list(_queue)
            _queue.clear()
        try:
            _write(batch)
        except BaseException as error:  # every waiting caller learns it was not logged
            for pending in batch:
                pending.error = error
        for pending in batch:
            pending.finished = True
            if pending is not me:
                pending.event.set()
        with _queue_lock:
            if _queue:  # arrived while we wrote: the first of them leads next
                _queue[0].promoted = True
                _queue[0].event.set()
            else:
                _leading[0] = False
    if me.error is not None:
        raise me.error


def _write(batch: list[_Pending]) -> None:
    one = len(batch) == 1
    if (
        one
        and connection.vendor == "postgresql"
        and _append_in_one_statement(batch[0].entry, batch[0].digest)
    ):
        return
    with transaction.atomic():
        head = _lock_head()
        prev = head.last_hash
        for pending in batch:
            pending.entry.prev_hash = prev
            pending.entry.entry_hash = prev = link_hash(prev, pending.digest)
        entries = [pending.entry for pending in batch]
        if connection.features.can_return_rows_from_bulk_insert:
            MessageLogEntry.objects.bulk_create(entries)
        else:
            for entry in entries:
                entry.save(force_insert=True)
        last = entries[-1]
        MessageLogHead.objects.filter(pk=1).update(
            last_entry_id=last.pk,
            prev_hash=last.prev_hash,
            last_hash=last.entry_hash,
            entries=head.entries + len(entries),
        )


def _append_in_one_statement(entry: MessageLogEntry, digest: str) -> bool:
    """The PostgreSQL append; ``False`` when there is no head row yet."""
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _VALUE_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, [digest, *values])
        row = cursor.fetchone()
    if row is None:
        return False
    entry.pk, entry.prev_hash, entry.entry_hash = row
    return True


def _entry(message: Message) -> MessageLogEntry:
    return MessageLogEntry(
        at=message.at or timezone.now(),
        request_id=message.request_id,
        consumer=message.consumer[:200],
        service=message.service[:250],
        method=message.method[:10],
        path=message.path[:500],
        status=message.status,
        outcome=message.outcome,
        duration_ms=round(float(message.duration_ms), 3),
        request_hash=request_hash(message.method, message.path, message.request_body),
        response_hash=body_hash(message.response_body),
        request_body=kept_text(message.request_body) if message.keep_request_body else "",
        response_body=kept_text(message.response_body),
        phase=message.phase,
    )


def unanswered(*, older_than: timedelta = timedelta(minutes=5)) -> list[MessageLogEntry]:
    """Request rows of forwarded calls (older than ``older_than``, so not still in
    flight) whose answer row is missing: the provider may have acted and the
    gateway could not log what it answered (it alerted then)."""
    cutoff = timezone.now() - older_than
    answered = MessageLogEntry.objects.filter(phase="response").values("request_id")
    return list(
        MessageLogEntry.objects.filter(phase="request", at__lt=cutoff)
        .exclude(request_id__in=answered)
        .order_by("id")[:1000]
    )


@dataclass
class Problem:
    entry_id: int | None
    reason: str


@dataclass
class Verification:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows() -> Iterator[MessageLogEntry]:
    return MessageLogEntry.objects.order_by("id").iterator(chunk_size=2000)


def verify() -> Verification:
    """Recompute the chain from the first row; every mismatch is reported."""
    result = Verification()
    prev = GENESIS_HASH
    last: MessageLogEntry | None = None
    for entry in _rows():
        result.checked += 1
        if entry.prev_hash != prev:
            result.problems.append(
                Problem(entry.pk, "link broken: a row before it was removed or changed")
            )
        if link_hash(entry.prev_hash, content_digest(entry)) != entry.entry_hash:
            result.problems.append(Problem(entry.pk, "content changed after it was logged"))
        if entry.request_body and (
            request_hash(entry.method, entry.path, entry.request_body.encode())
            != entry.request_hash
        ):
            result.problems.append(Problem(entry.pk, "request body changed"))
        if entry.response_body and body_hash(entry.response_body.encode()) != entry.response_hash:
            result.problems.append(Problem(entry.pk, "response body changed"))
        prev = entry.entry_hash
        last = entry
    head = MessageLogHead.objects.filter(pk=1).first()
    if head is not None:
        if last is None and head.last_entry_id:
            result.problems.append(Problem(None, "the head names rows that are gone"))
        elif last is not None and (
            head.last_entry_id != last.pk
            or head.last_hash != last.entry_hash
            or head.entries != result.checked
        ):
            result.problems.append(
                Problem(None, "the head does not match the last row: rows were removed")
            )
    return result


def purge_bodies(now: datetime | None = None) -> int:
    """Empty the bodies of rows older than the retention time (hashes stay)."""
    days = max(0, int(settings.EGOV_LGSP_BODY_RETENTION_DAYS))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return MessageLogEntry.objects.filter(at__lt=cutoff, bodies_purged=False).update(
        request_body="", response_body="", bodies_purged=True
    )
