"""Anchoring the audit chain outside the database (issue 8, finding 7): the keyed
seal of the chain head, the signed checkpoints, and the check of the append-only
triggers. Each attack is one a person with full rights on the database can carry
out consistently; ``verify_audit`` must exit non-zero and say what it found."""

from __future__ import annotations

import dataclasses
import json
import stat
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation

from egov.core import audit, background
from egov.core.audit import (
    CHECKPOINT_ACTION,
    GENESIS_HASH,
    ChainProblem,
    add_to_seal,
    compute_hash,
    content_digest,
    entry_seal,
    guard_problems,
    record,
    start_seal,
    suspended_append_only_guard,
    verify_chain,
)
from egov.core.audit_checkpoints import (
    CheckpointRefused,
    FileCheckpointStore,
    load_checkpoints,
    to_document,
    write_checkpoint,
    write_checkpoint_if_due,
)
from egov.core.models import AuditChainHead, AuditEntry

F = TypeVar("F", bound=Callable[..., Any])


def postgres_only(func: F) -> F:
    skip = pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
    )
    return pytest.mark.postgres_only(skip(func))


def sqlite_only(func: F) -> F:
    return pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")(func)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _chain(length: int, start: int = 1) -> list[AuditEntry]:
    entries = []
    for n in range(start, start + length):
        with transaction.atomic():
            entries.append(
                record(
                    actor=None,
                    action="test.step",
                    object_type="test.thing",
                    object_id=n,
                    object_repr=f"Thing {n}",
                    changes={"step": [n - 1, n]},
                )
            )
    return entries


def _tamper(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), suspended_append_only_guard(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verify_command() -> str:
    out = StringIO()
    call_command("verify_audit", "--batch-size", "2", stdout=out, stderr=StringIO())
    return out.getvalue()


def _checkpoint_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("audit-checkpoint-*.json"))


# --- the attacks a database administrator can carry out consistently ---


def _truncate_and_move_head_back(keep: AuditEntry) -> None:
    """Remove every entry after ``keep`` and point the head at it: the chain that is
    left is perfect, and the head agrees with it."""
    _tamper("DELETE FROM core_auditentry WHERE id > %s", [keep.pk])
    AuditChainHead.objects.filter(pk=1).update(last_entry_id=keep.pk, last_hash=keep.entry_hash)


def _edit_and_reseal(entry: AuditEntry, object_repr: str) -> None:
    """Rewrite one entry, then recompute the unkeyed hash of it and of every later
    entry and move the head: every link and every content hash holds again."""
    prev_hash = entry.prev_hash
    for current in AuditEntry.objects.filter(id__gte=entry.pk).order_by("id"):
        if current.pk == entry.pk:
            current.object_repr = object_repr
        current.prev_hash = prev_hash
        current.entry_hash = compute_hash(current)
        _tamper(
            "UPDATE core_auditentry SET object_repr = %s, prev_hash = %s, entry_hash = %s "
            "WHERE id = %s",
            [current.object_repr, current.prev_hash, current.entry_hash, current.pk],
        )
        prev_hash = current.entry_hash
        last_id = current.pk
    AuditChainHead.objects.filter(pk=1).update(last_entry_id=last_id, last_hash=prev_hash)


def _seal_as_computed_with_current_key() -> int:
    seal = start_seal(0, GENESIS_HASH)
    for entry in AuditEntry.objects.order_by("id"):
        seal = add_to_seal(seal, entry_seal(content_digest(entry)))
    return seal


@pytest.mark.django_db
def test_truncate_and_move_head_back_breaks_the_keyed_seal() -> None:
    entries = _chain(5)
    _truncate_and_move_head_back(entries[2])
    result = verify_chain()
    assert result.problem == ChainProblem.SEAL_MISMATCH
    assert result.checked == 3  # the chain that is left is consistent in itself
    with pytest.raises(CommandError, match="keyed seal of the chain head does not match"):
        _verify_command()


@pytest.mark.django_db
def test_edit_and_unkeyed_reseal_breaks_the_keyed_seal() -> None:
    entries = _chain(5)
    _edit_and_reseal(entries[1], "Forged")
    result = verify_chain()
    assert result.problem == ChainProblem.SEAL_MISMATCH
    assert result.checked == 5
    with pytest.raises(CommandError, match="re-sealed without the audit key"):
        _verify_command()


@pytest.mark.django_db
def test_reseal_with_a_guessed_key_still_fails() -> None:
    """A forger who also recomputes the head's seal, but without our key."""
    entries = _chain(4)
    _edit_and_reseal(entries[0], "Forged")
    with override_settings(EGOV_AUDIT_KEY="attacker-guess"):
        forged_seal = _seal_as_computed_with_current_key()
    AuditChainHead.objects.filter(pk=1).update(seal=forged_seal)
    assert verify_chain().problem == ChainProblem.SEAL_MISMATCH


@pytest.mark.django_db
def test_the_key_is_what_the_seal_depends_on() -> None:
    """Whoever holds EGOV_AUDIT_KEY can re-seal (which is why it stays out of the
    database); before any checkpoint, the truncated log then verifies. This is the
    control for the two tests above: the seal check is not failing for another reason."""
    entries = _chain(4)
    _truncate_and_move_head_back(entries[1])
    AuditChainHead.objects.filter(pk=1).update(seal=_seal_as_computed_with_current_key())
    assert verify_chain().ok


@pytest.mark.django_db
def test_another_key_than_the_sealing_one_is_reported() -> None:
    _chain(2)
    with override_settings(EGOV_AUDIT_KEY="a-different-key"):
        result = verify_chain()
    assert result.problem == ChainProblem.SEAL_MISMATCH
    assert "EGOV_AUDIT_KEY" in result.detail


@pytest.mark.django_db
def test_truncation_below_a_checkpoint_is_caught_by_the_checkpoint() -> None:
    entries = _chain(4)
    checkpoint, _locations = write_checkpoint() or pytest.fail("no checkpoint")
    assert checkpoint.entry_id == entries[3].pk
    _chain(2, start=5)
    _truncate_and_move_head_back(entries[1])  # cuts below the checkpointed entry
    checkpoints, problems = load_checkpoints()
    assert problems == []
    result = verify_chain(checkpoints=checkpoints)
    assert result.problem == ChainProblem.CHECKPOINT_MISMATCH
    assert result.entry_id == entries[3].pk
    with pytest.raises(CommandError, match=r"entries were removed and the head moved back"):
        _verify_command()


@pytest.mark.django_db
def test_emptying_the_log_and_its_head_is_caught_by_the_checkpoint() -> None:
    entries = _chain(2)
    write_checkpoint()
    _tamper("DELETE FROM core_auditentry", [])
    AuditChainHead.objects.all().delete()
    checkpoints, _problems = load_checkpoints()
    assert verify_chain().ok  # without the checkpoint it looks like a new database
    result = verify_chain(checkpoints=checkpoints)
    assert (result.problem, result.entry_id) == (ChainProblem.CHECKPOINT_MISMATCH, entries[1].pk)
    with pytest.raises(CommandError, match="entries were removed"):
        _verify_command()


@pytest.mark.django_db
def test_edit_below_a_checkpoint_is_caught_by_the_checkpoint_even_with_the_key() -> None:
    """Even re-sealed with the right key (a stolen key), an edit before a checkpoint
    no longer matches the checkpoint's hash."""
    entries = _chain(4)
    write_checkpoint()
    _edit_and_reseal(entries[1], "Forged")
    AuditChainHead.objects.filter(pk=1).update(seal=_seal_as_computed_with_current_key())
    checkpoints, _problems = load_checkpoints()
    result = verify_chain(checkpoints=checkpoints)
    assert (result.problem, result.entry_id) == (ChainProblem.CHECKPOINT_MISMATCH, entries[3].pk)
    with pytest.raises(
        CommandError, match=r"no longer matches signed checkpoint .*audit-checkpoint-"
    ):
        _verify_command()


@pytest.mark.django_db
def test_the_key_never_reaches_the_database() -> None:
    from django.conf import settings

    with CaptureQueriesContext(connection) as queries:
        _chain(2)
        verify_chain()
    assert queries.captured_queries
    for query in queries.captured_queries:
        assert settings.EGOV_AUDIT_KEY not in query["sql"]


@pytest.mark.django_db
def test_a_flushed_log_starts_a_fresh_sealed_chain() -> None:
    _chain(2)
    _tamper("DELETE FROM core_auditentry", [])
    AuditChainHead.objects.all().delete()
    _chain(2)
    head = AuditChainHead.objects.get(pk=1)
    assert head.sealed_from_id == 0
    assert verify_chain().ok


@pytest.mark.django_db
def test_migration_seals_an_existing_head_from_its_last_entry() -> None:
    """A log written before the keyed seal (seal fields at their defaults) is
    adopted by core migration 0003: the seal starts at its last entry."""
    import importlib

    migration = importlib.import_module("egov.core.migrations.0003_audit_keyed_seal")
    entries = _chain(3)
    AuditChainHead.objects.filter(pk=1).update(seal=0, sealed_from_id=0)
    assert verify_chain().problem == ChainProblem.SEAL_MISMATCH
    migration.seal_existing_head(django_apps, SimpleNamespace(connection=connection))
    head = AuditChainHead.objects.get(pk=1)
    assert head.sealed_from_id == entries[2].pk
    assert head.seal == start_seal(entries[2].pk, entries[2].entry_hash)
    _chain(1, start=4)
    assert verify_chain().ok
    # Moving the start of the seal forward (to cover fewer entries) is caught.
    AuditChainHead.objects.filter(pk=1).update(sealed_from_id=entries[2].pk + 1)
    assert verify_chain().problem == ChainProblem.SEAL_MISMATCH


# --- the append-only triggers ---


@pytest.mark.django_db
def test_intact_triggers_report_no_problem() -> None:
    assert guard_problems() == []


@sqlite_only
@pytest.mark.django_db
def test_dropped_sqlite_trigger_fails_verify_audit_by_name() -> None:
    _chain(2)
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER core_auditentry_no_delete")
    assert guard_problems() == ["trigger core_auditentry_no_delete is missing"]
    with pytest.raises(CommandError, match="trigger core_auditentry_no_delete is missing"):
        _verify_command()


@sqlite_only
@pytest.mark.django_db
def test_neutered_sqlite_trigger_is_reported() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER core_auditentry_no_update")
        cursor.execute(
            "CREATE TRIGGER core_auditentry_no_update AFTER INSERT ON core_auditentry "
            "BEGIN SELECT 1; END"
        )
    assert guard_problems() == [
        "trigger core_auditentry_no_update was altered: it no longer fires on the changes it "
        "must refuse"
    ]


def _postgres_ddl(*statements: str) -> None:
    with connection.cursor() as cursor:
        # ALTER TABLE refuses to run with deferred FK checks pending (see audit.py).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in statements:
            cursor.execute(sql)


@postgres_only
@pytest.mark.django_db
def test_dropped_postgresql_trigger_fails_verify_audit_by_name() -> None:
    _chain(2)
    _postgres_ddl("DROP TRIGGER core_auditentry_no_truncate ON core_auditentry")
    assert guard_problems() == ["trigger core_auditentry_no_truncate is missing"]
    with pytest.raises(CommandError, match="trigger core_auditentry_no_truncate is missing"):
        _verify_command()


@postgres_only
@pytest.mark.django_db
def test_disabled_postgresql_triggers_are_reported() -> None:
    _postgres_ddl(
        "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only",
        # REPLICA triggers only fire on replicas: as good as disabled here.
        "ALTER TABLE core_auditentry ENABLE REPLICA TRIGGER core_auditentry_no_truncate",
    )
    assert guard_problems() == [
        "trigger core_auditentry_append_only is disabled",
        "trigger core_auditentry_no_truncate is disabled",
    ]


@postgres_only
@pytest.mark.django_db
def test_rewritten_postgresql_guard_function_is_reported() -> None:
    _postgres_ddl(
        "CREATE OR REPLACE FUNCTION core_auditentry_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END; $$"
    )
    problems = guard_problems()
    assert len(problems) == 2
    assert all("function was replaced or rewritten" in p for p in problems)


@postgres_only
@pytest.mark.django_db
def test_replica_session_role_is_reported() -> None:
    _postgres_ddl("SET LOCAL session_replication_role = replica")
    assert guard_problems() == [
        "session_replication_role is 'replica' for this database's sessions, so the "
        "append-only triggers do not fire"
    ]


# --- checkpoints ---


@pytest.mark.django_db
def test_checkpoint_is_written_signed_and_recorded(_audit_checkpoints_in_tmp: Path) -> None:
    entries = _chain(3)
    expected_seal = _seal_as_computed_with_current_key()
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    files = _checkpoint_files(_audit_checkpoints_in_tmp)
    assert len(files) == 1
    assert f"Checkpoint of entry #{entries[2].pk} (3 entries)" in out.getvalue()
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o440
    data = json.loads(files[0].read_text())
    assert data["entry_id"] == entries[2].pk
    assert data["entry_hash"] == entries[2].entry_hash
    assert data["entries"] == 3
    assert data["seal"] == expected_seal
    assert data["key_id"] == audit.key_id()
    assert len(data["signature"]) == 64
    # The log itself says that a checkpoint was made, and of what.
    last = AuditEntry.objects.order_by("-id").first()
    assert last is not None
    assert (last.action, last.object_id) == (CHECKPOINT_ACTION, str(entries[2].pk))
    assert "Signed checkpoints matched: 1." in _verify_command()


@pytest.mark.django_db
def test_tampered_checkpoint_file_is_detected(_audit_checkpoints_in_tmp: Path) -> None:
    entries = _chain(3)
    write_checkpoint()
    path = _checkpoint_files(_audit_checkpoints_in_tmp)[0]
    data = json.loads(path.read_text())
    # Move the checkpoint back to an earlier entry, keeping the signature.
    data.update(entry_id=entries[1].pk, entry_hash=entries[1].entry_hash, entries=2)
    path.chmod(0o640)
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"audit-checkpoint-.*fails its signature"):
        _verify_command()


@pytest.mark.django_db
def test_checkpoint_signed_with_another_key_is_detected(_audit_checkpoints_in_tmp: Path) -> None:
    _chain(2)
    written = write_checkpoint()
    assert written is not None
    with override_settings(EGOV_AUDIT_KEY="forger-key"):
        forged = to_document(dataclasses.replace(written[0], key_id=audit.key_id()))
    path = _checkpoint_files(_audit_checkpoints_in_tmp)[0]
    path.chmod(0o640)
    path.write_text(forged)
    with pytest.raises(CommandError, match="signed with another key than EGOV_AUDIT_KEY"):
        _verify_command()


@pytest.mark.django_db
def test_removed_checkpoint_file_is_detected(_audit_checkpoints_in_tmp: Path) -> None:
    entries = _chain(2)
    write_checkpoint()
    _checkpoint_files(_audit_checkpoints_in_tmp)[0].unlink()
    checkpoints, _problems = load_checkpoints()
    result = verify_chain(checkpoints=checkpoints)
    assert result.problem == ChainProblem.CHECKPOINT_MISSING
    with pytest.raises(CommandError, match=rf"checkpoint of entry #{entries[1].pk} that none"):
        _verify_command()


@pytest.mark.django_db
def test_no_checkpoint_of_a_broken_chain(_audit_checkpoints_in_tmp: Path) -> None:
    entries = _chain(3)
    _truncate_and_move_head_back(entries[0])
    with pytest.raises(CommandError, match=r"No checkpoint written: .*keyed seal"):
        call_command("audit_checkpoint", stdout=StringIO())
    assert _checkpoint_files(_audit_checkpoints_in_tmp) == []
    assert not AuditEntry.objects.filter(action=CHECKPOINT_ACTION).exists()


@sqlite_only
@pytest.mark.django_db
def test_no_checkpoint_without_the_triggers(_audit_checkpoints_in_tmp: Path) -> None:
    _chain(1)
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER core_auditentry_no_update")
    with pytest.raises(CheckpointRefused, match="core_auditentry_no_update is missing"):
        write_checkpoint()
    assert _checkpoint_files(_audit_checkpoints_in_tmp) == []


@pytest.mark.django_db
def test_no_checkpoint_of_an_empty_log(_audit_checkpoints_in_tmp: Path) -> None:
    assert write_checkpoint() is None
    assert _checkpoint_files(_audit_checkpoints_in_tmp) == []


@pytest.mark.django_db
def test_every_store_receives_the_checkpoint(tmp_path: Path) -> None:
    first, second = FileCheckpointStore(tmp_path / "a"), FileCheckpointStore(tmp_path / "b")
    _chain(1)
    written = write_checkpoint(stores=[first, second])
    assert written is not None
    assert len(written[1]) == 2
    assert len(first.load()) == len(second.load()) == 1
    assert first.load()[0][1] == second.load()[0][1]


@pytest.mark.django_db
def test_daily_job_writes_only_when_a_checkpoint_is_due(
    settings: Any, _audit_checkpoints_in_tmp: Path
) -> None:
    assert "core.audit_checkpoint" in {job.name for job in background.jobs()}
    _chain(2)
    assert "checkpoint of entry" in write_checkpoint_if_due()
    assert write_checkpoint_if_due() == ""  # the newest is younger than a day
    assert len(_checkpoint_files(_audit_checkpoints_in_tmp)) == 1
    settings.EGOV_AUDIT_CHECKPOINT_HOURS = 0
    assert "checkpoint of entry" in write_checkpoint_if_due()
    assert len(_checkpoint_files(_audit_checkpoints_in_tmp)) == 2
    assert "Signed checkpoints matched: 2." in _verify_command()


@pytest.mark.django_db
def test_failing_job_is_reported_by_the_runner(_audit_checkpoints_in_tmp: Path) -> None:
    entries = _chain(2)
    _truncate_and_move_head_back(entries[0])
    job = next(job for job in background.jobs() if job.name == "core.audit_checkpoint")
    assert background.run_job(job) is False
    assert _checkpoint_files(_audit_checkpoints_in_tmp) == []


# --- repairing the guard ---


@sqlite_only
@pytest.mark.django_db
def test_audit_guard_reports_and_reinstalls_a_dropped_trigger() -> None:
    _chain(2)
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER core_auditentry_no_delete")
    with pytest.raises(CommandError, match="core_auditentry_no_delete is missing"):
        call_command("audit_guard", stdout=StringIO())
    out = StringIO()
    call_command("audit_guard", "--install", stdout=out)
    assert "Repaired: trigger core_auditentry_no_delete is missing" in out.getvalue()
    assert guard_problems() == []
    repaired = AuditEntry.objects.get(action="audit.guard_installed")
    assert repaired.changes == {"problems": [["trigger core_auditentry_no_delete is missing"], []]}
    assert "OK" in _verify_command()


@postgres_only
@pytest.mark.django_db
def test_audit_guard_reinstalls_disabled_triggers_and_the_function() -> None:
    _chain(1)
    _postgres_ddl(
        "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only",
        "CREATE OR REPLACE FUNCTION core_auditentry_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END; $$",
    )
    assert guard_problems()
    call_command("audit_guard", "--install", stdout=StringIO())
    assert guard_problems() == []
    assert "OK" in _verify_command()
