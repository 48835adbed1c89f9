"""Signed checkpoints of the audit chain, kept outside the database (ADR 2).

A checkpoint records where the chain stood — the last entry's id and hash, the
number of entries, the head's keyed seal — and when, signed with an HMAC under
``EGOV_AUDIT_KEY``. It is exported to every store named in
``EGOV_AUDIT_CHECKPOINT_STORES`` (a directory of JSON files by default; another
system can be added as a class with ``save()`` and ``load()``), then an
``audit.checkpoint`` entry records in the log itself that it was made.

``verify_audit`` reads the checkpoints back: a rewrite of the database that is
consistent in itself (entries removed at the end and the head moved back, or an
entry edited and the chain re-hashed up to the head) no longer matches the
checkpoints made before it, and a checkpoint file that was edited or forged
fails its signature. Checkpoints are written only for a chain that verifies, so
a tampered state is never signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from egov.core.audit import CHECKPOINT_ACTION, guard_problems, key_id, record, verify_chain

FORMAT_VERSION = 1
_SIGNATURE_LABEL = b"egov-audit-checkpoint\x00"
_FILE_PREFIX = "audit-checkpoint-"


@dataclass(frozen=True)
class Checkpoint:
    entry_id: int
    entry_hash: str
    entries: int
    seal: int
    at: datetime
    key_id: str
    #: Where it was read from or written to (a file path for the file store).
    label: str = ""

    def payload(self) -> dict[str, Any]:
        """The signed fields, as written."""
        return {
            "version": FORMAT_VERSION,
            "entry_id": self.entry_id,
            "entry_hash": self.entry_hash,
            "entries": self.entries,
            "seal": self.seal,
            "at": self.at.isoformat(timespec="microseconds"),
            "key_id": self.key_id,
        }


class CheckpointInvalid(Exception):
    """A stored checkpoint that cannot be trusted (unreadable, or its signature fails)."""


class CheckpointRefused(Exception):
    """No checkpoint was written because the chain did not verify."""


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def sign(payload: dict[str, Any]) -> str:
    key = str(settings.EGOV_AUDIT_KEY).encode()
    return hmac.new(key, _SIGNATURE_LABEL + _canonical(payload), hashlib.sha256).hexdigest()


def to_document(checkpoint: Checkpoint) -> str:
    payload = checkpoint.payload()
    return json.dumps({**payload, "signature": sign(payload)}, indent=2, sort_keys=True) + "\n"


def parse_document(text: str, label: str) -> Checkpoint:
    """The checkpoint in ``text`` if its signature holds under the current key."""
    try:
        data = json.loads(text)
        signature = str(data.pop("signature"))
        if data.get("version") != FORMAT_VERSION:
            raise ValueError("unknown version")
        checkpoint = Checkpoint(
            entry_id=int(data["entry_id"]),
            entry_hash=str(data["entry_hash"]),
            entries=int(data["entries"]),
            seal=int(data["seal"]),
            at=datetime.fromisoformat(str(data["at"])),
            key_id=str(data["key_id"]),
            label=label,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointInvalid(
            _("checkpoint %(checkpoint)s cannot be read (%(error)s)")
            % {"checkpoint": label, "error": exc}
        ) from exc
    if checkpoint.at.tzinfo is None:
        raise CheckpointInvalid(
            _("checkpoint %(checkpoint)s cannot be read (%(error)s)")
            % {"checkpoint": label, "error": "time without time zone"}
        )
    if not hmac.compare_digest(signature, sign(data)):
        if checkpoint.key_id != key_id():
            raise CheckpointInvalid(
                _(
                    "checkpoint %(checkpoint)s was signed with another key than EGOV_AUDIT_KEY "
                    "(or its key name was altered)"
                )
                % {"checkpoint": label}
            )
        raise CheckpointInvalid(
            _("checkpoint %(checkpoint)s fails its signature: it was altered or forged")
            % {"checkpoint": label}
        )
    return checkpoint


# --- Stores: where checkpoints go ---


class CheckpointStore(Protocol):
    """A place outside the database that keeps checkpoints. ``save`` returns where
    the checkpoint went; ``load`` returns ``(label, document)`` pairs (a store that
    can only be written to returns none)."""

    def save(self, checkpoint: Checkpoint, document: str) -> str: ...

    def load(self) -> list[tuple[str, str]]: ...


class FileCheckpointStore:
    """One JSON file per checkpoint in ``EGOV_AUDIT_CHECKPOINT_DIR``, never overwritten."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory or settings.EGOV_AUDIT_CHECKPOINT_DIR)

    def save(self, checkpoint: Checkpoint, document: str) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = checkpoint.at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.directory / f"{_FILE_PREFIX}{stamp}-{checkpoint.entry_id}.json"
        # Write aside, flush to disk, then link into place: a reader never sees half
        # a file, and an existing checkpoint is never replaced (link fails instead).
        temporary = path.with_suffix(".tmp")
        with open(temporary, "x", encoding="utf-8") as handle:
            handle.write(document)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        finally:
            temporary.unlink()
        path.chmod(0o440)
        return str(path)

    def load(self) -> list[tuple[str, str]]:
        if not self.directory.is_dir():
            return []
        return [
            (str(path), path.read_text(encoding="utf-8"))
            for path in sorted(self.directory.glob(f"{_FILE_PREFIX}*.json"))
        ]


def configured_stores() -> list[CheckpointStore]:
    return [import_string(path)() for path in settings.EGOV_AUDIT_CHECKPOINT_STORES]


def load_checkpoints(
    stores: Sequence[CheckpointStore] | None = None,
) -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint the stores hold whose signature holds, oldest first, and a
    problem sentence for each one that is unreadable, altered or forged."""
    found: dict[tuple[int, str, datetime], Checkpoint] = {}
    problems: list[str] = []
    for store in configured_stores() if stores is None else stores:
        for label, document in store.load():
            try:
                checkpoint = parse_document(document, label)
            except CheckpointInvalid as exc:
                problems.append(str(exc))
                continue
            found.setdefault(
                (checkpoint.entry_id, checkpoint.entry_hash, checkpoint.at), checkpoint
            )
    ordered = sorted(found.values(), key=lambda c: (c.at, c.entry_id))
    return ordered, problems


# --- Writing a checkpoint (the command and the daily job) ---


def write_checkpoint(
    *,
    stores: Sequence[CheckpointStore] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[Checkpoint, list[str]] | None:
    """Verify the chain (triggers, links, keyed seal, earlier checkpoints), then sign
    a checkpoint of the verified head, save it to every store and record an
    ``audit.checkpoint`` entry. ``None`` when the log is empty.

    Raises :class:`CheckpointRefused` when anything does not verify: signing a
    tampered state would launder it.
    """
    targets = list(configured_stores() if stores is None else stores)
    if not targets:
        raise CheckpointRefused(_("no checkpoint store is configured"))
    existing, problems = load_checkpoints(targets)
    problems += guard_problems(using)
    result = verify_chain(using=using, checkpoints=existing)
    if not result.ok:
        problems.append(result.summary())
    if problems:
        raise CheckpointRefused("; ".join(problems))
    if result.last_entry_id is None or result.seal is None:
        return None
    checkpoint = Checkpoint(
        entry_id=result.last_entry_id,
        entry_hash=result.last_hash,
        entries=result.checked,
        seal=result.seal,
        at=timezone.now(),
        key_id=key_id(),
    )
    document = to_document(checkpoint)
    locations = [store.save(checkpoint, document) for store in targets]
    # Recorded only once every store has it: an entry naming a checkpoint that no
    # store holds is what verify_audit reports as a removed checkpoint.
    with transaction.atomic(using=using):
        record(
            actor=None,
            action=CHECKPOINT_ACTION,
            object_type="core.auditcheckpoint",
            object_id=checkpoint.entry_id,
            object_repr=f"#{checkpoint.entry_id} {checkpoint.entry_hash[:12]}",
            changes={
                "entry_hash": [None, checkpoint.entry_hash],
                "entries": [None, checkpoint.entries],
            },
        )
    return replace(checkpoint, label=locations[0]), locations


def write_checkpoint_if_due() -> str:
    """The background job: a checkpoint when the newest one is older than
    ``EGOV_AUDIT_CHECKPOINT_HOURS`` (restarts and several runners do not multiply
    them). A chain that does not verify raises, so the runner logs it as a failure."""
    checkpoints, _problems = load_checkpoints()
    due = timezone.now() - timedelta(hours=settings.EGOV_AUDIT_CHECKPOINT_HOURS)
    if checkpoints and max(c.at for c in checkpoints) > due:
        return ""
    written = write_checkpoint()
    if written is None:
        return ""
    checkpoint, locations = written
    return f"checkpoint of entry #{checkpoint.entry_id} written to {', '.join(locations)}"
