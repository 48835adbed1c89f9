"""The audit log: recording, hash chaining, append-only triggers and verification."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import translation

from egov.core import audit, request_context
from egov.core.audit import (
    GENESIS_HASH,
    ChainProblem,
    compute_hash,
    guard_installed,
    record,
    suspended_append_only_guard,
    verify_chain,
)
from egov.core.models import AuditChainHead, AuditEntry

F = TypeVar("F", bound=Callable[..., Any])


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English."""
    with translation.override("en"):
        yield


def postgres_only(func: F) -> F:
    skip = pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
    )
    return pytest.mark.postgres_only(skip(func))


class Rollback(Exception):
    """Raised on purpose to roll a transaction back."""


@pytest.fixture
def purge_audit_log(transactional_db: None) -> Iterator[None]:
    """Transactional tests end with a flush of every table, which the append-only
    triggers refuse while audit entries exist: remove them first."""
    yield
    with transaction.atomic(), suspended_append_only_guard():
        AuditEntry.objects.all().delete()


def _record(n: int, **kwargs: Any) -> AuditEntry:
    with transaction.atomic():
        return record(
            actor=None,
            action="test.step",
            object_type="test.thing",
            object_id=n,
            object_repr=f"Thing {n}",
            changes={"step": [n - 1, n]},
            **kwargs,
        )


def _chain(length: int) -> list[AuditEntry]:
    return [_record(n) for n in range(1, length + 1)]


def _tamper(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), suspended_append_only_guard(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verify_command() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", "--batch-size", "2", stdout=out, stderr=StringIO())
    return out.getvalue()


# --- recording ---


@pytest.mark.django_db
def test_record_writes_a_sealed_entry_and_moves_the_head(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("cb.lan", "x", full_name="Nguyễn Thị Lan")
    with transaction.atomic():
        entry = record(
            actor=user,
            action="unit.rename",
            object_type="core.unit",
            object_id=7,
            changes={"name": ["Sở Nội vụ", "Sở Nội vụ tỉnh"], "b": {"z": 1, "a": [1, 2]}},
        )
    entry.refresh_from_db()
    assert entry.actor_id == user.pk
    assert entry.actor_repr == "Nguyễn Thị Lan"
    assert entry.object_id == "7"
    assert entry.prev_hash == GENESIS_HASH
    assert entry.entry_hash == compute_hash(entry)  # still valid after a database round trip
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_entry_id, head.last_hash) == (entry.pk, entry.entry_hash)


@pytest.mark.django_db
def test_record_without_actor_is_attributed_to_the_system() -> None:
    entry = _record(1)
    assert entry.actor_id is None
    assert entry.actor_repr == "system"


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        record(actor=None, action="test.step", object_type="t", object_id=1)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_entry_rolls_back_with_the_change_it_describes() -> None:
    first = _record(1)
    with pytest.raises(Rollback), transaction.atomic():
        _record(2)
        raise Rollback
    third = _record(3)
    assert third.prev_hash == first.entry_hash
    assert verify_chain().ok


@pytest.mark.django_db
def test_entries_link_to_their_predecessor() -> None:
    entries = _chain(4)
    assert entries[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.entry_hash
    assert len({e.entry_hash for e in entries}) == 4


@pytest.mark.django_db
def test_ip_address_is_normalised_before_sealing() -> None:
    token = request_context.bind(
        request_context.RequestContext(request_id="req-12345678", ip_address="2001:DB8:0::1")
    )
    try:
        entry = _record(1)
    finally:
        request_context.reset(token)
    entry.refresh_from_db()
    assert entry.ip_address == "2001:db8::1"
    assert entry.request_id == "req-12345678"
    assert verify_chain().ok


def test_diff_lists_changed_fields_only() -> None:
    assert audit.diff({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 5, "d": 4}) == {
        "b": [2, 5],
        "c": [3, None],
        "d": [None, 4],
    }


# --- verification ---


@pytest.mark.django_db
def test_verify_ok_on_a_clean_chain() -> None:
    _chain(5)
    result = verify_chain(batch_size=2)
    assert result.ok
    assert result.checked == 5
    output = _verify_command()
    assert "Entries checked: 5." in output
    assert "OK" in output


@pytest.mark.django_db
def test_verify_ok_on_an_empty_log() -> None:
    result = verify_chain()
    assert result.ok and result.checked == 0
    assert "empty" in _verify_command()


@pytest.mark.django_db
def test_edited_entry_is_detected() -> None:
    entries = _chain(5)
    _tamper("UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["Forged", entries[2].pk])
    result = verify_chain(batch_size=2)
    assert result.problem == ChainProblem.CONTENT_CHANGED
    assert result.entry_id == entries[2].pk
    assert result.checked == 2
    with pytest.raises(CommandError, match=rf"entry #{entries[2].pk}\b.*content was changed"):
        _verify_command()


@pytest.mark.django_db
def test_edited_changes_json_is_detected() -> None:
    entries = _chain(3)
    with transaction.atomic(), suspended_append_only_guard():
        AuditEntry.objects.filter(pk=entries[1].pk).update(changes={"step": [0, 99]})
    result = verify_chain()
    assert (result.problem, result.entry_id) == (ChainProblem.CONTENT_CHANGED, entries[1].pk)


@pytest.mark.django_db
def test_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = _chain(4)
    forged = AuditEntry.objects.get(pk=entries[1].pk)
    forged.object_repr = "Forged"
    forged.entry_hash = compute_hash(forged)
    _tamper(
        "UPDATE core_auditentry SET object_repr = %s, entry_hash = %s WHERE id = %s",
        [forged.object_repr, forged.entry_hash, forged.pk],
    )
    result = verify_chain()
    assert (result.problem, result.entry_id) == (ChainProblem.LINK_BROKEN, entries[2].pk)


@pytest.mark.django_db
def test_deleted_middle_entry_is_detected() -> None:
    entries = _chain(5)
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [entries[2].pk])
    result = verify_chain(batch_size=2)
    assert result.problem == ChainProblem.MISSING_ENTRIES
    assert result.entry_id == entries[3].pk
    with pytest.raises(CommandError, match=rf"entry #{entries[3].pk}\b.*missing"):
        _verify_command()


@pytest.mark.django_db
def test_deleted_first_entry_is_detected() -> None:
    entries = _chain(3)
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [entries[0].pk])
    result = verify_chain()
    assert (result.problem, result.entry_id) == (ChainProblem.MISSING_ENTRIES, entries[1].pk)


@pytest.mark.django_db
def test_deleted_last_entry_is_detected_by_the_head() -> None:
    entries = _chain(4)
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [entries[3].pk])
    result = verify_chain()
    assert result.problem == ChainProblem.HEAD_MISMATCH
    assert result.entry_id == entries[3].pk
    assert result.checked == 3
    with pytest.raises(CommandError, match="chain head"):
        _verify_command()


@pytest.mark.django_db
def test_head_moved_back_is_detected() -> None:
    entries = _chain(3)
    AuditChainHead.objects.filter(pk=1).update(
        last_entry_id=entries[1].pk, last_hash=entries[1].entry_hash
    )
    result = verify_chain()
    assert result.problem == ChainProblem.HEAD_MISMATCH


@pytest.mark.django_db
def test_missing_head_with_entries_is_detected() -> None:
    _chain(2)
    AuditChainHead.objects.all().delete()
    result = verify_chain()
    assert result.problem == ChainProblem.HEAD_MISMATCH
    assert result.summary().startswith("Audit log BROKEN: the chain head record is missing")


# --- append-only triggers ---


@pytest.mark.django_db
def test_guard_triggers_are_installed_by_the_migration() -> None:
    assert guard_installed() is True


@pytest.mark.django_db
def test_update_through_the_orm_is_refused() -> None:
    entry = _record(1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    entry.action = "forged"
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.step"


@pytest.mark.django_db
def test_delete_through_the_orm_is_refused() -> None:
    entry = _record(1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        entry.delete()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@postgres_only
@pytest.mark.django_db
def test_truncate_is_refused_on_postgresql() -> None:
    _record(1)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Run the deferred FK checks of the insert above, or TRUNCATE refuses anyway.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE core_auditentry")
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db
def test_guard_comes_back_after_suspension() -> None:
    entry = _record(1)
    with transaction.atomic(), suspended_append_only_guard():
        assert guard_installed() is False
    assert guard_installed() is True
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_guard_cannot_be_suspended_outside_a_transaction() -> None:
    with (
        pytest.raises(RuntimeError, match=r"transaction\.atomic"),
        suspended_append_only_guard(),
    ):
        pass  # pragma: no cover
    assert guard_installed() is True


@pytest.mark.django_db
def test_verify_audit_fails_when_the_guard_is_suspended() -> None:
    _chain(1)
    with (
        pytest.raises(CommandError, match="Append-only guard: trigger core_auditentry_"),
        transaction.atomic(),
        suspended_append_only_guard(),
    ):
        _verify_command()


@pytest.mark.django_db
def test_head_row_stays_updatable() -> None:
    _chain(2)
    with transaction.atomic():
        AuditChainHead.objects.filter(pk=1).update(last_hash="f" * 64)
    assert AuditChainHead.objects.get(pk=1).last_hash == "f" * 64


# --- concurrency ---


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_linear_chain(purge_audit_log: None) -> None:
    threads_count, per_thread = 8, 15
    errors: list[BaseException] = []
    committed = 0
    lock = threading.Lock()
    start = threading.Barrier(threads_count)

    def worker(index: int) -> None:
        nonlocal committed
        try:
            start.wait()
            for n in range(per_thread):
                try:
                    with transaction.atomic():
                        record(actor=None, action="test.parallel", object_type="t", object_id=n)
                        if (index + n) % 5 == 0:
                            raise Rollback
                except Rollback:
                    continue
                with lock:
                    committed += 1
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AuditEntry.objects.count() == committed
    result = verify_chain(batch_size=7)
    assert result.ok, result.summary()
    assert result.checked == committed
    prev_hashes = list(AuditEntry.objects.order_by("id").values_list("prev_hash", flat=True))
    assert len(set(prev_hashes)) == len(prev_hashes), "two entries share a predecessor (fork)"
