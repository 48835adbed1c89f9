"""The message log: every call logged and chained; verification finds edits,
removals and changed bodies; bodies purged after the retention time."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from egov.lgsp import messagelog
from egov.lgsp.models import MessageLogEntry, MessageLogHead
from egov.lgsp.tests.conftest import PROVINCE, Caller

pytestmark = pytest.mark.django_db


def _calls(caller: Caller, other_caller: Caller) -> None:
    caller.get(f"{PROVINCE}/CATEGORY-DOSSIER-STATUSES/v1")
    caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/091085001234")
    other_caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/091085001234")
    caller.client.get(f"/lgsp/r1/{PROVINCE}/CATEGORY-UNITS/v1")


def test_every_call_is_logged_and_the_chain_verifies(caller: Caller, other_caller: Caller) -> None:
    _calls(caller, other_caller)
    rows = list(MessageLogEntry.objects.order_by("id"))
    assert [row.status for row in rows] == [200, 200, 403, 401]
    assert rows[0].prev_hash == messagelog.GENESIS_HASH
    assert rows[1].prev_hash == rows[0].entry_hash
    assert rows[1].consumer == caller.ident and rows[1].duration_ms > 0
    assert "Nguyễn Văn An" in rows[1].response_body
    result = messagelog.verify()
    assert result.ok, result.problems
    out = StringIO()
    call_command("verify_lgsp_log", stdout=out)
    assert "4 rows" in out.getvalue()


def test_an_edited_row_is_detected(caller: Caller, other_caller: Caller) -> None:
    _calls(caller, other_caller)
    forbidden = MessageLogEntry.objects.get(status=403)
    MessageLogEntry.objects.filter(pk=forbidden.pk).update(status=200, outcome="ok")
    result = messagelog.verify()
    assert [problem.entry_id for problem in result.problems] == [forbidden.pk]
    with pytest.raises(CommandError):
        call_command("verify_lgsp_log", stdout=StringIO(), stderr=StringIO())


def test_an_edited_body_is_detected(caller: Caller, other_caller: Caller) -> None:
    _calls(caller, other_caller)
    row = MessageLogEntry.objects.exclude(response_body="").order_by("id")[1]
    MessageLogEntry.objects.filter(pk=row.pk).update(
        response_body=row.response_body.replace("Nguyễn", "Lê")
    )
    assert [p.reason for p in messagelog.verify().problems] == ["response body changed"]


def test_removed_rows_are_detected(caller: Caller, other_caller: Caller) -> None:
    _calls(caller, other_caller)
    rows = list(MessageLogEntry.objects.order_by("id"))
    MessageLogEntry.objects.filter(pk=rows[1].pk).delete()
    problems = messagelog.verify().problems
    assert problems and problems[0].entry_id == rows[2].pk
    # Removing the last row is seen at the head.
    MessageLogEntry.objects.filter(pk=rows[-1].pk).delete()
    assert any(p.entry_id is None for p in messagelog.verify().problems)


def test_rehashing_an_edited_row_still_breaks_the_next_link(
    caller: Caller, other_caller: Caller
) -> None:
    _calls(caller, other_caller)
    row = MessageLogEntry.objects.order_by("id")[1]
    row.consumer = "VN/GOV/000.00.99.H33/khac"
    row.entry_hash = messagelog.link_hash(row.prev_hash, messagelog.content_digest(row))
    MessageLogEntry.objects.filter(pk=row.pk).update(
        consumer=row.consumer, entry_hash=row.entry_hash
    )
    problems = messagelog.verify().problems
    assert problems and problems[0].entry_id == row.pk + 1


def test_bodies_are_purged_after_the_retention_time(
    caller: Caller, other_caller: Caller, settings: object
) -> None:
    _calls(caller, other_caller)
    old = MessageLogEntry.objects.order_by("id").first()
    assert old is not None
    MessageLogEntry.objects.filter(pk=old.pk).update(at=old.at - timedelta(days=31))
    # The time is in the chain: move it back the way the log would have written it.
    old.refresh_from_db()
    assert messagelog.purge_bodies() == 1
    old.refresh_from_db()
    assert old.bodies_purged and old.request_body == "" and old.response_body == ""
    assert MessageLogEntry.objects.filter(bodies_purged=False).count() == 3
    assert messagelog.purge_bodies(now=timezone.now()) == 0


def test_purge_keeps_the_chain_verifiable(caller: Caller, other_caller: Caller) -> None:
    _calls(caller, other_caller)
    assert messagelog.purge_bodies(now=timezone.now() + timedelta(days=400)) == 4
    assert messagelog.verify().ok
    head = MessageLogHead.objects.get(pk=1)
    assert head.entries == 4


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_linear_chain() -> None:
    """Writers in several threads: the head row lock keeps one linear chain."""
    import threading

    errors: list[BaseException] = []

    def write(worker: int) -> None:
        from django.db import connections

        try:
            for index in range(10):
                messagelog.append(
                    messagelog.Message(
                        request_id=f"w{worker}-{index}",
                        consumer="c",
                        service="s",
                        method="GET",
                        path="/p",
                        status=200,
                        outcome="ok",
                        duration_ms=1.0,
                    )
                )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert MessageLogEntry.objects.count() == 80
    assert messagelog.verify().ok


def test_a_group_of_appends_is_one_chain_in_order() -> None:
    """What the group commit's leader writes for the threads waiting on it."""
    rows = [
        messagelog._entry(
            messagelog.Message(
                request_id=f"g{n}",
                consumer="c",
                service="s",
                method="GET",
                path=f"/p/{n}",
                status=200,
                outcome="ok",
                duration_ms=1.0,
            )
        )
        for n in range(3)
    ]
    messagelog._write([messagelog._Pending(r, messagelog.content_digest(r)) for r in rows])
    stored = list(MessageLogEntry.objects.order_by("id"))
    assert [row.request_id for row in stored] == ["g0", "g1", "g2"]
    assert stored[0].prev_hash == messagelog.GENESIS_HASH
    assert stored[2].prev_hash == stored[1].entry_hash
    assert MessageLogHead.objects.get(pk=1).entries == 3
    assert messagelog.verify().ok
    MessageLogEntry.objects.filter(pk=stored[1].pk).update(path="/p/x")
    assert [p.entry_id for p in messagelog.verify().problems] == [stored[1].pk]
