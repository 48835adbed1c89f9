"""Batch receipts (services.receive_batch) give the rows one-by-one receipts give.

Each test receives the same items twice in one database: one by one (then rolled
back, sequences and audit head included) and as a batch; the rows they leave —
dossiers, papers, events, notifications, the national portal's outbox, audit
entries — must be the same, item for item, and the audit chain must verify.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from egov.core.audit import verify_chain
from egov.core.models import AuditEntry
from egov.dossiers import services
from egov.dossiers.models import Channel, Dossier, DossierEvent, DossierPaper, Status
from egov.dossiers.services import ReceiptIn, batch
from egov.dossiers.tests.factories import FrozenClock, World, applicant, at, build_world
from egov.notifications.models import Notification
from egov.quality.models import DossierSync

pytestmark = pytest.mark.django_db

_VOLATILE = {"id", "dossier", "created_at", "updated_at", "added_at", "dossier_event"}


class _Rollback(Exception):
    pass


def _items(world: World) -> list[ReceiptIn]:
    org = world.org
    papers = [
        services.PaperIn(required_paper=paper.pk, copies=paper.copies, form=paper.form)
        for paper in world.papers
        if not paper.is_optional
    ]
    items: list[ReceiptIn] = []
    moments = [
        at("2026-03-02", "08:00"),
        at("2026-03-02", "09:30"),
        at("2026-03-03", "08:15"),  # another day: another period of the daily series
    ]
    for number in range(9):
        items.append(
            ReceiptIn(
                version=world.version,
                agency=org.district,
                channel=Channel.POST if number % 2 else Channel.DESK,
                applicant=applicant(
                    name=f"Người nộp {number}",
                    id_number=f"0911900{number:05d}",
                    phone="0912 345 678" if number % 3 else "",
                ),
                papers=papers[: len(papers) - 1] if number == 4 else papers,  # 4: incomplete
                received_at=moments[number % 3],
                note=f"Gửi qua bưu điện, túi {number}" if number % 2 else "",
                reference=f"line-{number}",
            )
        )
    # No permission there: the clerk belongs to the district's desk.
    items.append(
        ReceiptIn(
            version=world.version,
            agency=org.other_district,
            applicant=applicant(),
            papers=papers,
            received_at=moments[0],
            reference="elsewhere",
        )
    )
    return items


def _one_by_one(world: World, items: list[ReceiptIn]) -> list[dict[str, Any] | str]:
    outcome: list[dict[str, Any] | str] = []
    for item in items:
        try:
            dossier = services.receive_dossier(
                world.staff.clerk,
                version=item.version,
                agency=item.agency,
                channel=item.channel,
                applicant=item.applicant,
                papers=item.papers,
                received_at=item.received_at,
                fee_inputs=item.fee_inputs,
                note=item.note,
            )
        except Exception as exc:
            outcome.append(batch.error_of(exc)["code"])
        else:
            outcome.append(_rows(dossier))
    return outcome


def _row(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in model_to_dict(obj).items() if k not in _VOLATILE}


def _rows(dossier: Dossier) -> dict[str, Any]:
    dossier = Dossier.objects.get(pk=dossier.pk)
    audit_rows = AuditEntry.objects.filter(
        object_type="dossiers.dossier", object_id=str(dossier.pk)
    )
    return {
        "dossier": _row(dossier),
        "papers": [_row(p) for p in DossierPaper.objects.filter(dossier=dossier).order_by("pk")],
        "events": [_row(e) for e in DossierEvent.objects.filter(dossier=dossier).order_by("pk")],
        "notifications": sorted(
            (n.channel, n.event, n.recipient, n.subject, n.body, n.status)
            for n in Notification.objects.filter(dossier=dossier)
        ),
        "sync": [(s.wanted_version, s.state) for s in DossierSync.objects.filter(dossier=dossier)],
        "audit": [
            (a.action, a.actor_id, a.unit_id, a.object_repr, a.changes)
            for a in audit_rows.order_by("pk")
        ],
    }


def _freeze(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FrozenClock(at("2026-03-03", "10:00"))
    monkeypatch.setattr(services.inputs, "now", clock)


def test_batch_gives_the_rows_of_one_by_one_receipts(monkeypatch: pytest.MonkeyPatch) -> None:
    _freeze(monkeypatch)
    world = build_world()
    items = _items(world)
    with pytest.raises(_Rollback), transaction.atomic():
        expected = _one_by_one(world, items)
        raise _Rollback
    assert Dossier.objects.count() == 0

    results = services.receive_batch(world.staff.clerk, items, chunk_size=4)

    assert [r.index for r in results] == list(range(len(items)))
    assert [r.reference for r in results] == [item.reference for item in items]
    got = [_rows(r.dossier) if r.dossier else (r.error or {})["code"] for r in results]
    assert got == expected
    assert [r.ok for r in results] == [i not in (4, 9) for i in range(10)]
    assert results[4].error is not None and results[4].error["code"] == "incomplete_dossier"
    assert results[9].error is not None and results[9].error["code"] == "forbidden"
    codes = [r.dossier.code for r in results if r.dossier]
    # Gap-free per agency and day, in the order of the items.
    assert codes[:3] == [
        "000.00.33.H33-260302-0001",
        "000.00.33.H33-260302-0002",
        "000.00.33.H33-260303-0001",
    ]
    assert sorted(c.rsplit("-", 1)[1] for c in codes if "-260303-" in c) == ["0001", "0002", "0003"]
    assert all(r.dossier.status == Status.RECEIVED for r in results if r.dossier)
    assert Notification.objects.count() > 0  # mobile numbers: the SMS notices were queued
    assert verify_chain().ok


def test_a_failing_chunk_falls_back_to_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    _freeze(monkeypatch)
    world = build_world()
    items = [item for item in _items(world) if item.reference not in ("line-4", "elsewhere")]

    def broken(entries: Any) -> Any:
        raise RuntimeError("audit append failed")

    monkeypatch.setattr(batch.audit_batch, "record_many", broken)
    results = services.receive_batch(world.staff.clerk, items, chunk_size=100)

    assert all(r.ok for r in results), [r.error for r in results]
    assert Dossier.objects.count() == len(items)
    assert len({r.dossier.code for r in results if r.dossier}) == len(items)
    # Received one by one: one audit entry each, the chain intact, no number lost.
    assert AuditEntry.objects.filter(action="dossier.receive").count() == len(items)
    assert verify_chain().ok
    assert Dossier.objects.filter(code="000.00.33.H33-260302-0005").exists()


def test_results_say_what_happened(monkeypatch: pytest.MonkeyPatch) -> None:
    _freeze(monkeypatch)
    world = build_world()
    results = services.receive_batch(world.staff.clerk, _items(world))
    ok = results[0].as_dict()
    assert ok["ok"] and ok["code"] == "000.00.33.H33-260302-0001" and ok["error"] is None
    assert isinstance(datetime.fromisoformat(ok["due_at"]), datetime)
    refused = results[4].as_dict()
    assert not refused["ok"] and refused["code"] is None
    assert refused["error"]["code"] == "incomplete_dossier"
    assert refused["error"]["message"]  # the people's message (Vietnamese by default)


def test_numbers_come_as_one_block_per_agency_and_day(
    monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    _freeze(monkeypatch)
    world = build_world()
    items = [item for item in _items(world) if item.reference not in ("line-4", "elsewhere")]
    services.receive_batch(world.staff.clerk, items[:1])  # warm the caches
    statements: list[str] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        services.receive_batch(world.staff.clerk, items[1:])
    upserts = [s for s in statements if "core_sequence" in s]
    assert len(upserts) == 2  # two days at one agency, whatever the number of items
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) <= 10


def test_the_command_receives_a_file_line_by_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import io
    import json

    from django.core.management import call_command

    _freeze(monkeypatch)
    world = build_world()
    papers = [
        {"required_paper": p.pk, "copies": p.copies} for p in world.papers if not p.is_optional
    ]
    body = {
        "procedure": world.version.procedure.national_code,
        "agency": world.org.district.code,
        "channel": 3,
        "applicant": {"name": "Trần Văn Bình", "id_number": "091190004322"},
        "papers": papers,
        "received_at": "2026-03-02T08:00:00+07:00",
    }
    lines = [
        json.dumps({**body, "reference": "EMS-1"}),
        "not json",
        "",
        json.dumps({**body, "procedure": "9.999999"}),
        json.dumps({**body, "papers": papers[:1], "reference": "EMS-4"}),
        json.dumps({**body, "channel": 2}),
        json.dumps({**body, "reference": "EMS-6"}),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "receive_batch", str(path), clerk=world.staff.clerk.username, stdout=out, stderr=err
    )

    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["line"] for a in answers] == [1, 2, 4, 5, 6, 7]
    assert [a["ok"] for a in answers] == [True, False, False, False, False, True]
    assert answers[0]["code"] == "000.00.33.H33-260302-0001"
    assert answers[0]["reference"] == "EMS-1"
    assert answers[5]["code"] == "000.00.33.H33-260302-0002"  # no number lost in between
    assert [a["error"]["code"] for a in answers[1:5]] == [
        "invalid",
        "unknown_procedure",
        "incomplete_dossier",
        "invalid",
    ]
    assert answers[4]["error"]["field"] == "channel"
    assert "Received 2 of 6" in err.getvalue()
    assert Dossier.objects.filter(channel=Channel.POST).count() == 2


def test_a_listener_that_knows_nothing_of_batches_still_hears_every_dossier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from egov.dossiers.signals import dossier_changed

    _freeze(monkeypatch)
    world = build_world()
    items = [item for item in _items(world) if item.reference not in ("line-4", "elsewhere")]
    heard: list[tuple[str, str, bool]] = []

    def listener(sender: Any, *, dossier: Dossier, action: str, **kwargs: Any) -> None:
        heard.append((dossier.code, action, bool(kwargs.get("in_batch"))))

    dossier_changed.connect(listener, dispatch_uid="tests.batch_listener")
    try:
        results = services.receive_batch(world.staff.clerk, items, chunk_size=3)
    finally:
        dossier_changed.disconnect(dispatch_uid="tests.batch_listener")
    assert heard == [(r.dossier.code, "receive", True) for r in results if r.dossier]
    assert len(heard) == len(items)
