"""The gateway's message log: one row per request, hash-chained like the audit log.

:func:`append` is the only writer of :class:`MessageLogEntry` rows. Each row's
``entry_hash`` is SHA-256 of the previous row's hash and a digest of the row's
content; the bodies are not in the digest (they are emptied after
``EGOV_LGSP_BODY_RETENTION_DAYS`` by :func:`purge_bodies`), their SHA-512 hashes
are. :func:`verify` (``manage.py verify_lgsp_log``) walks the chain and names
every row whose content, link or kept body no longer matches, and a head that
does not point at the last row (rows removed at the end).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
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


def append(message: Message) -> MessageLogEntry:
    """Append one row to the chain (its own transaction; the head row lock keeps
    the chain linear when several workers log at once)."""
    entry = MessageLogEntry(
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
        request_body=kept_text(message.request_body),
        response_body=kept_text(message.response_body),
    )
    digest = content_digest(entry)
    with transaction.atomic():
        head = _lock_head()
        entry.prev_hash = head.last_hash
        entry.entry_hash = link_hash(head.last_hash, digest)
        entry.save(force_insert=True)
        MessageLogHead.objects.filter(pk=1).update(
            last_entry_id=entry.pk, last_hash=entry.entry_hash, entries=head.entries + 1
        )
    return entry


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
