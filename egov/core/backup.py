"""Backups of a whole installation, their restore into a fresh one, and the drill
that proves the restored copy is whole (issue 16).

A backup is a directory::

    manifest.json           what is in it, signed (HMAC under EGOV_AUDIT_KEY)
    database.dump           PostgreSQL: pg_dump --format=custom
    database.sqlite3        SQLite: the online backup API's copy
    files/...               every stored file, at its storage path
    audit-checkpoints/      the signed checkpoints, one written for this backup

:func:`make_backup` first signs a checkpoint of the verified audit chain (so a
tampered chain is never backed up as good), then copies the database, then the
files: a row never points to a file written after the copy. :func:`restore`
refuses a database or a file store that is not empty. :func:`verify` is the drill:
the manifest's signature, the database copy's checksum, the audit chain against
the backed-up checkpoints, every stored file's checksum, every file a row names,
the row count of every table, and the samples the apps register with
:func:`register_sample_check` (a dossier read end to end, for instance).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from egov.core.audit import guard_problems, verify_chain
from egov.core.audit_checkpoints import (
    FileCheckpointStore,
    configured_stores,
    load_checkpoints,
    parse_document,
    to_document,
    write_checkpoint,
)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_SIGNATURE_LABEL = b"egov-backup-manifest\x00"
_CHUNK = 1 << 20

#: name → function(sample size) returning problem sentences; filled by the apps.
_SAMPLE_CHECKS: dict[str, Callable[[int], list[str]]] = {}


class BackupError(Exception):
    """The backup or the restore could not be made; nothing was half-done silently."""


def register_sample_check(name: str, check: Callable[[int], list[str]]) -> None:
    """Declare a check of a sample of one app's records after a restore."""
    _SAMPLE_CHECKS[name] = check


@dataclass
class Report:
    """What the drill found: counts, and a sentence per problem."""

    files: int = 0
    tables: int = 0
    rows: int = 0
    chain: str = ""
    samples: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- helpers --------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def _signature(payload: dict[str, Any]) -> str:
    key = str(settings.EGOV_AUDIT_KEY).encode()
    return hmac.new(key, _SIGNATURE_LABEL + _canonical(payload), hashlib.sha256).hexdigest()


def _storage_root() -> Path:
    return Path(default_storage.location)  # type: ignore[attr-defined]


def _stored_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                yield path


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _tables() -> list[str]:
    return sorted({model._meta.db_table for model in _models()})


def _row_counts(cursor: Any, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - model tables
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _pg_environment(using: str) -> tuple[list[str], dict[str, str]]:
    """libpq arguments and environment for the configured PostgreSQL database."""
    conf = connections[using].settings_dict
    environment = {**os.environ}
    if conf.get("PASSWORD"):
        environment["PGPASSWORD"] = str(conf["PASSWORD"])
    arguments = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if conf.get(key):
            arguments += [option, str(conf[key])]
    return [*arguments, "--dbname", str(conf["NAME"])], environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - fixed PostgreSQL client programs
        command, env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]}: {done.stderr.strip() or done.stdout.strip()}")


# --- backup ---------------------------------------------------------------------------------


def make_backup(target: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write a backup into ``target`` (a new or empty directory); the manifest."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup goes into a new directory.")
    target.mkdir(parents=True, exist_ok=True)
    checkpoints = FileCheckpointStore(target / "audit-checkpoints")
    earlier, _invalid = load_checkpoints()
    for checkpoint in earlier:
        checkpoints.save(checkpoint, to_document(checkpoint))
    written = write_checkpoint(stores=[*configured_stores(), checkpoints], using=using)

    connection = connections[using]
    tables = _tables()
    if connection.vendor == "postgresql":
        # The rows are counted in the very snapshot pg_dump copies: a write that
        # lands meanwhile is in neither.
        database = target / "database.dump"
        arguments, environment = _pg_environment(using)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
            counts = _row_counts(cursor, tables, connection.ops.quote_name)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(database),
                    *arguments,
                ],
                environment,
            )
    elif connection.vendor == "sqlite":
        database = target / "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(database)
        try:
            connection.connection.backup(copy)
            counts = _row_counts(copy.cursor(), tables, connection.ops.quote_name)
        finally:
            copy.close()
    else:  # pragma: no cover - the platform runs on these two
        raise BackupError(f"no backup method for {connection.vendor}")

    root = _storage_root()
    files = []
    for path in _stored_files(root):
        relative = path.relative_to(root).as_posix()
        destination = target / "files" / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        files.append({"path": relative, "size": path.stat().st_size, "sha256": _sha256(path)})

    payload = {
        "version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "vendor": connection.vendor,
        "database": {"file": database.name, "sha256": _sha256(database)},
        "rows": counts,
        "files": files,
        "checkpoint": (
            {"entry_id": written[0].entry_id, "entry_hash": written[0].entry_hash}
            if written
            else None
        ),
    }
    manifest = {**payload, "signature": _signature(payload)}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest if its signature holds; :class:`BackupError` otherwise."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
        signature = str(manifest.pop("signature"))
    except (OSError, ValueError, KeyError) as exc:
        raise BackupError(f"{source / MANIFEST}: unreadable ({exc}).") from exc
    if not hmac.compare_digest(signature, _signature(manifest)):
        raise BackupError(f"{source / MANIFEST}: the signature does not match; altered?")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"{source / MANIFEST}: unknown format {manifest.get('version')}.")
    return dict(manifest)


# --- restore --------------------------------------------------------------------------------


def restore(source: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Load a backup into the configured database and file store, both empty."""
    manifest = read_manifest(source)
    database = source / manifest["database"]["file"]
    if _sha256(database) != manifest["database"]["sha256"]:
        raise BackupError(f"{database}: its checksum is not the manifest's.")
    connection = connections[using]
    if connection.vendor != manifest["vendor"]:
        raise BackupError(
            f"the backup is of a {manifest['vendor']} database; this one is {connection.vendor}."
        )
    if connection.introspection.table_names():
        raise BackupError("the database is not empty: restore into a fresh database.")
    root = _storage_root()
    if next(_stored_files(root), None) is not None:
        raise BackupError(f"{root} holds files: restore into an empty file store.")

    if connection.vendor == "postgresql":
        arguments, environment = _pg_environment(using)
        _run(
            ["pg_restore", "--no-owner", "--exit-on-error", *arguments, str(database)],
            environment,
        )
    else:
        connection.close()
        name = str(connection.settings_dict["NAME"])
        origin = sqlite3.connect(database)
        copy = sqlite3.connect(name)
        try:
            origin.backup(copy)
        finally:
            copy.close()
            origin.close()

    for entry in manifest["files"]:
        destination = root / entry["path"]
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / "files" / entry["path"], destination)
    for store in configured_stores():
        for label, document in FileCheckpointStore(source / "audit-checkpoints").load():
            known = {text for _label, text in store.load()}
            if document not in known:
                store.save(parse_document(document, label), document)
    return manifest


# --- the drill ------------------------------------------------------------------------------


def _file_references(using: str) -> Iterator[tuple[str, str]]:
    """``(model label, stored name)`` of every file a row names."""
    for model in _models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                names = (
                    model._default_manager.using(using)
                    .exclude(**{model_field.attname: ""})
                    .values_list(model_field.attname, flat=True)
                    .iterator(chunk_size=2000)
                )
                for name in names:
                    yield model._meta.label, str(name)


def verify(source: Path, *, using: str = DEFAULT_DB_ALIAS, sample: int = 20) -> Report:
    """Check the installation against the backup in ``source`` (after :func:`restore`)."""
    report = Report()
    try:
        manifest = read_manifest(source)
    except BackupError as exc:
        report.problems.append(str(exc))
        return report

    stored = FileCheckpointStore(source / "audit-checkpoints")
    checkpoints, invalid = load_checkpoints([stored])
    report.problems += invalid + guard_problems(using)
    chain = verify_chain(using=using, checkpoints=checkpoints)
    report.chain = chain.summary()
    if not chain.ok:
        report.problems.append(chain.summary())
    expected = manifest.get("checkpoint")
    if expected and not any(
        c.entry_id == expected["entry_id"] and c.entry_hash == expected["entry_hash"]
        for c in checkpoints
    ):
        report.problems.append("the checkpoint written for the backup is missing from it.")

    root = _storage_root()
    for entry in manifest["files"]:
        path = root / entry["path"]
        if not path.is_file():
            report.problems.append(f"file {entry['path']} is missing.")
        elif path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            report.problems.append(f"file {entry['path']} differs from the backup.")
        else:
            report.files += 1
    for label, name in _file_references(using):
        if not (root / name).is_file():
            report.problems.append(f"{label} names {name}, which is not stored.")

    connection = connections[using]
    with connection.cursor() as cursor:
        counts = _row_counts(cursor, _tables(), connection.ops.quote_name)
    report.tables = len(counts)
    report.rows = sum(counts.values())
    for table, count in manifest["rows"].items():
        if counts.get(table) != count:
            report.problems.append(f"{table}: {counts.get(table)} rows, the backup had {count}.")
    for name, check in _SAMPLE_CHECKS.items():
        problems = check(sample)
        report.samples[name] = sample
        report.problems += [f"{name}: {problem}" for problem in problems]
    return report
