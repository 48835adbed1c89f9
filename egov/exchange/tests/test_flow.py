"""End to end through the simulated axis: issue → axis → the other agency's queue
→ registered → statuses back to the sender's page; misbehaving axis; crashes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from egov.documents import services as incoming
from egov.documents.models import IncomingDocument, Source
from egov.exchange import simulator
from egov.exchange.axis import Axis
from egov.exchange.models import (
    Channel,
    Direction,
    ExchangeMessage,
    Kind,
    OutboxItem,
    OutboxState,
    Quarantine,
    QuarantineState,
    SignatureState,
    SimEnvelope,
)
from egov.exchange.services import common, inbox, outbox
from egov.exchange.tests.conftest import MemoryPki, World
from egov.exchange.tests.helpers import message, outside_axis, signed, signed_status, status
from egov.outgoing import selectors as outgoing_selectors
from egov.outgoing.services import RecipientIn
from egov.outgoing.tests.factories import issued


def _issue_to_outside(world: World, organ_id: str, name: str = "Sở Tài chính (qua trục)") -> Any:
    return issued(world.org, world.staff, recipients=[RecipientIn(name=name, organ_id=organ_id)])


def _later(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    moment = common.now() + dt.timedelta(seconds=seconds)
    monkeypatch.setattr(common, "now", lambda: moment)


def _row(document: Any, organ: str) -> Any:
    return next(
        r for r in outgoing_selectors.recipient_rows(document) if r.name and (r.kind == "outside")
    )


def test_round_trip_issue_axis_register_statuses_back(world: World) -> None:
    other = world.org.other
    document = _issue_to_outside(world, other.code)
    assert outbox.collect() == 1
    assert outbox.collect() == 0  # idempotent
    sent = outbox.send_due()
    assert sent.sent == 1
    item = OutboxItem.objects.get(kind=Kind.DOCUMENT)
    assert item.state == OutboxState.SENT and item.channel == Channel.AXIS
    assert SimEnvelope.objects.filter(to_organ=other.code, message_type="edoc").count() == 1

    polled = inbox.poll()
    assert [o.kind for o in polled.outcomes] == ["imported"]
    arrived = IncomingDocument.objects.get(recipient_agency=other)
    assert arrived.source == Source.EXCHANGE
    assert arrived.subject == document.subject
    assert arrived.issuing_agency_code == world.org.dept.code
    assert arrived.files.count() >= 1
    received = ExchangeMessage.objects.get(direction=Direction.IN, kind=Kind.DOCUMENT)
    assert received.signature == SignatureState.VALID
    assert received.incoming_document == arrived.uuid

    # Arrival (01) went back by itself; now the clerk registers (03).
    incoming.register(arrived, actor=world.staff.other_clerk)
    codes = set(OutboxItem.objects.filter(kind=Kind.STATUS).values_list("status_code", flat=True))
    assert codes == {"01", "03"}
    assert outbox.send_due().sent == 2
    polled = inbox.poll()
    assert sorted(o.kind for o in polled.outcomes) == ["status", "status"]
    row = _row(document, other.code)
    assert row.status == "03"
    assert row.status_label == "Đã được nơi nhận vào sổ"


def test_duplicate_delivery_makes_one_incoming_document(world: World) -> None:
    _issue_to_outside(world, world.org.other.code)
    outbox.collect()
    outbox.send_due()
    simulator.set_switch("twice", True)
    first = inbox.poll()
    assert first.listed == 2  # the axis lists it twice …
    second = inbox.poll()  # … and delivers it again after the first acknowledgement
    assert second.listed == 2 and second.count("duplicate") == 1
    assert IncomingDocument.objects.filter(recipient_agency=world.org.other).count() == 1
    assert ExchangeMessage.objects.filter(direction=Direction.IN, kind=Kind.DOCUMENT).count() == 1
    assert inbox.poll().listed == 0


def test_the_same_document_id_sent_again_under_another_key_is_not_doubled(
    world: World, pki: MemoryPki
) -> None:
    key, cert = pki.key_of("000.00.00.G22")
    data = signed(message(world.org.dept.code), key, [cert, pki.root])
    axis = outside_axis()
    for send_key in ("first", "second"):  # a resend by the other side's own retry
        axis.send(
            sender="000.00.00.G22",
            recipient=world.org.dept.code,
            message_type="edoc",
            body=data,
            send_key=send_key,
        )
    polled = inbox.poll()
    assert sorted(o.kind for o in polled.outcomes) == ["duplicate", "imported"]
    assert IncomingDocument.objects.filter(recipient_agency=world.org.dept).count() == 1


def test_timeout_then_resend_with_the_same_key_is_not_doubled(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _issue_to_outside(world, world.org.other.code)
    outbox.collect()
    settings.EGOV_EXCHANGE_TIMEOUT_SECONDS = "0.3"
    simulator.set_switch("timeout", True)
    result = outbox.send_due()
    assert result.sent == 0 and result.retried == 1
    item = OutboxItem.objects.get(kind=Kind.DOCUMENT)
    assert item.state == OutboxState.PENDING and "no answer" in item.last_error
    assert SimEnvelope.objects.count() == 1  # it did arrive; we just never heard
    simulator.set_switch("timeout", False)
    assert outbox.send_due().sent == 0  # waits for its backoff
    _later(monkeypatch, 3600)
    result = outbox.send_due()
    assert result.sent == 1 and result.duplicates == 1
    assert SimEnvelope.objects.count() == 1


def test_refusal_backs_off_and_gives_up(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _issue_to_outside(world, world.org.other.code)
    outbox.collect()
    settings.EGOV_EXCHANGE_MAX_ATTEMPTS = 2
    simulator.set_switch("refuse", True)
    assert outbox.send_due().retried == 1
    _later(monkeypatch, 3600)
    assert outbox.send_due().failed == 1
    item = OutboxItem.objects.get(kind=Kind.DOCUMENT)
    assert item.state == OutboxState.FAILED and "refused" in item.last_error
    assert SimEnvelope.objects.count() == 0


def test_worker_killed_after_claim_is_taken_up_after_its_lease(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _issue_to_outside(world, world.org.other.code)
    outbox.collect()
    claimed = outbox.claim()  # the worker takes the row … and dies (kill -9)
    assert len(claimed) == 1
    assert outbox.send_due().sent == 0  # another worker leaves it alone during the lease
    _later(monkeypatch, 600)
    assert outbox.send_due().sent == 1
    assert SimEnvelope.objects.count() == 1


def test_worker_killed_after_the_axis_took_it_does_not_double(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _issue_to_outside(world, world.org.other.code)
    outbox.collect()
    [pk] = outbox.claim()
    # The worker built, signed and sent … and died before writing "sent".
    with pytest.raises(KeyboardInterrupt):
        outbox._send_one(pk, _DyingAxis(), outbox.SendResult())
    assert SimEnvelope.objects.count() == 1
    assert OutboxItem.objects.get(pk=pk).state == OutboxState.SENDING
    _later(monkeypatch, 600)
    result = outbox.send_due()
    assert result.sent == 1 and result.duplicates == 1
    assert SimEnvelope.objects.count() == 1
    assert ExchangeMessage.objects.filter(direction=Direction.OUT, kind=Kind.DOCUMENT).count() == 1


class _DyingAxis(Axis):
    """The axis takes the message, then the worker is killed before it hears back."""

    def send(self, **kwargs: Any) -> Any:
        super().send(**kwargs)
        raise KeyboardInterrupt("kill -9")


def test_statuses_out_of_order_keep_the_latest(world: World, pki: MemoryPki) -> None:
    document = _issue_to_outside(world, "000.00.00.G22", "Văn phòng Chính phủ")
    outbox.collect()
    outbox.send_due()
    item = OutboxItem.objects.get(kind=Kind.DOCUMENT)
    key, cert = pki.key_of("000.00.00.G22")
    axis = outside_axis()
    base = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    for minutes, code in ((0, "01"), (5, "03"), (30, "06")):
        data = signed_status(
            status(
                item.document_id,
                sender="000.00.00.G22",
                to=world.org.dept.code,
                code=code,
                at=base + dt.timedelta(minutes=minutes),
            ),
            key,
            [cert, pki.root],
        )
        axis.send(
            sender="000.00.00.G22",
            recipient=world.org.dept.code,
            message_type="status",
            body=data,
            send_key=f"s{code}",
        )
    simulator.set_switch("reorder", True)  # newest first: 06, 03, 01
    polled = inbox.poll()
    assert polled.count("status") == 3
    row = _row(document, "000.00.00.G22")
    assert row.status == "06"


def test_wrongly_addressed_is_answered_with_02(world: World, pki: MemoryPki) -> None:
    from egov.exchange.models import SimAgency

    SimAgency.objects.filter(organ_id="000.00.00.H29").update(system_id="egov.h33")
    key, cert = pki.key_of("000.00.00.G22")
    data = signed(message("000.00.00.H29"), key, [cert, pki.root])
    outside_axis().send(
        sender="000.00.00.G22",
        recipient="000.00.00.H29",
        message_type="edoc",
        body=data,
        send_key="k",
    )
    assert inbox.poll().count("misaddressed") == 1
    answer = OutboxItem.objects.get(kind=Kind.STATUS)
    assert answer.status_code == "02" and answer.to_organ == "000.00.00.G22"
    assert IncomingDocument.objects.count() == 0


def test_tampered_message_is_refused_and_kept(world: World, pki: MemoryPki) -> None:
    key, cert = pki.key_of("000.00.00.G22")
    data = signed(message(world.org.dept.code), key, [cert, pki.root])
    tampered = data.replace("đẩy mạnh".encode(), "dừng".encode())
    outside_axis().send(
        sender="000.00.00.G22",
        recipient=world.org.dept.code,
        message_type="edoc",
        body=tampered,
        send_key="t",
    )
    polled = inbox.poll()
    assert polled.outcomes[0].kind == "refused"
    assert "Digest mismatch" in polled.outcomes[0].reason
    kept = Quarantine.objects.get()
    assert bytes(kept.raw) == tampered and kept.state == QuarantineState.REJECTED
    assert IncomingDocument.objects.count() == 0
    assert OutboxItem.objects.get(kind=Kind.STATUS).status_code == "02"


def test_unparseable_is_quarantined_byte_for_byte_then_rejected(world: World) -> None:
    broken = "<edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganId>vxp.saas.03</OrganId>"
    raw = broken.encode("utf-16")  # even bytes that are not UTF-8 are kept as they came
    outside_axis().send(
        sender="vxp.saas.03",
        recipient=world.org.dept.code,
        message_type="edoc",
        body=raw,
        send_key="b",
    )
    polled = inbox.poll()
    assert polled.outcomes[0].kind == "quarantined"
    held = Quarantine.objects.get()
    assert bytes(held.raw) == raw and held.state == QuarantineState.HELD
    assert inbox.poll().listed == 0  # acknowledged: not fetched again
    outcome = inbox.retry_quarantined(held.pk, actor=world.staff.clerk)
    assert outcome.kind == "quarantined"
    inbox.reject_quarantined(held.pk, actor=world.staff.clerk, reason="Không đọc được")
    held.refresh_from_db()
    assert held.state == QuarantineState.REJECTED


def test_vendor_message_imports_with_its_warnings(world: World) -> None:
    from egov.exchange.tests.test_edxml import vendor_message

    outcome = inbox.receive(
        vendor_message(docid="vxp.saas.03,2026/12/01,45/SNV-VP"), recipient=world.org.dept.code
    )
    # Unsigned: refused, kept, answered with 02 (signing is required on the axis).
    assert outcome.kind == "refused"


def test_revoke_withdraws_the_unregistered_copy(world: World) -> None:
    from egov.outgoing import services as outgoing_services

    document = _issue_to_outside(world, world.org.other.code)
    outbox.collect()
    outbox.send_due()
    inbox.poll()
    assert IncomingDocument.objects.get(recipient_agency=world.org.other).status == "received"
    outgoing_services.recall_document(
        world.staff.clerk, document, reason="Ban hành nhầm", expected_version=document.lock_version
    )
    assert outbox.collect() == 1
    outbox.send_due()
    polled = inbox.poll()
    assert "revoked" in [o.kind for o in polled.outcomes]
    assert IncomingDocument.objects.get(recipient_agency=world.org.other).status == "withdrawn"


def test_in_province_delivery_records_the_same_edxml_and_statuses(world: World) -> None:
    document = issued(world.org, world.staff)  # to Sở Tài chính, on the platform
    outbox.collect()
    assert outbox.send_due().sent == 2  # the document, and its arrival (01)
    recorded = ExchangeMessage.objects.get(kind=Kind.DOCUMENT)
    assert recorded.channel == Channel.PLATFORM and recorded.to_organ == world.org.other.code
    assert SimEnvelope.objects.count() == 0  # nothing went to the national axis
    arrived = IncomingDocument.objects.get(recipient_agency=world.org.other)
    incoming.register(arrived, actor=world.staff.other_clerk)
    outbox.send_due()
    codes = set(
        ExchangeMessage.objects.filter(kind=Kind.STATUS, channel=Channel.PLATFORM).values_list(
            "status_code", flat=True
        )
    )
    assert codes == {"01", "03"}
    ids = set(
        ExchangeMessage.objects.filter(kind=Kind.STATUS).values_list("document_id", flat=True)
    )
    assert ids == {recorded.document_id}
    assert str(document.reference) == recorded.outgoing_reference


def test_every_step_of_handling_reports_its_status_to_the_outside_sender(
    world: World, pki: MemoryPki
) -> None:
    org, staff = world.org, world.staff
    key, cert = pki.key_of("000.00.00.G22")
    data = signed(message(org.dept.code), key, [cert, pki.root])
    outside_axis().send(
        sender="000.00.00.G22",
        recipient=org.dept.code,
        message_type="edoc",
        body=data,
        send_key="full",
    )
    inbox.poll()
    document = IncomingDocument.objects.get(recipient_agency=org.dept)
    document = incoming.register(document, actor=staff.clerk)
    document = incoming.assign(document, actor=staff.leader, lead_unit=org.dept_legal)
    lead = document.assignments.get(unit=org.dept_legal)
    incoming.hand_out(lead, person=staff.specialist, actor=staff.head)
    incoming.add_progress_note(document, actor=staff.specialist, text="Đang dự thảo trả lời")
    incoming.resolve(document, actor=staff.specialist, resolution="Đã trả lời")
    statuses = OutboxItem.objects.filter(kind=Kind.STATUS).order_by("pk")
    assert [s.status_code for s in statuses] == ["01", "03", "04", "05", "06"]
    assert {(s.from_organ, s.to_organ) for s in statuses} == {(org.dept.code, "000.00.00.G22")}
    assert outbox.send_due().sent == 5
    # The other province's system receives them, each signed by Sở Tư pháp.
    envelopes = SimEnvelope.objects.filter(to_organ="000.00.00.G22", message_type="status")
    assert envelopes.count() == 5
    from egov.exchange.edxml import dsig, parse

    codes = []
    for envelope in envelopes.order_by("pk"):
        assert dsig.verify(bytes(envelope.body)).valid
        read = parse.parse(bytes(envelope.body))
        assert read.status is not None and read.warnings == []
        codes.append(read.status.code)
    assert codes == ["01", "03", "04", "05", "06"]


def test_returning_an_exchanged_document_sends_02_with_the_reason(
    world: World, pki: MemoryPki
) -> None:
    key, cert = pki.key_of("000.00.00.G22")
    data = signed(message(world.org.dept.code), key, [cert, pki.root])
    outside_axis().send(
        sender="000.00.00.G22",
        recipient=world.org.dept.code,
        message_type="edoc",
        body=data,
        send_key="ret",
    )
    inbox.poll()
    document = IncomingDocument.objects.get(recipient_agency=world.org.dept)
    incoming.return_to_sender(document, actor=world.staff.clerk, reason="Không thuộc thẩm quyền")
    answer = OutboxItem.objects.get(kind=Kind.STATUS, status_code="02")
    assert answer.description == "Không thuộc thẩm quyền"


def test_in_province_records_stay_unsigned_without_a_key_but_the_axis_needs_one(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import contextmanager

    from egov.exchange import keys
    from egov.signatures.errors import NoSigningKey

    @contextmanager
    def no_key(organ_id: str) -> Any:
        raise NoSigningKey(organ_id)
        yield

    monkeypatch.setattr(keys, "provider", no_key)
    issued(world.org, world.staff)  # to Sở Tài chính, on the platform
    _issue_to_outside(world, "000.00.00.G22", "Văn phòng Chính phủ")
    outbox.collect()
    result = outbox.send_due()
    recorded = ExchangeMessage.objects.get(kind=Kind.DOCUMENT, channel=Channel.PLATFORM)
    assert recorded.signature == SignatureState.UNSIGNED
    axis_item = OutboxItem.objects.get(kind=Kind.DOCUMENT, channel=Channel.AXIS)
    assert axis_item.state == OutboxState.PENDING and result.retried == 1
    assert SimEnvelope.objects.count() == 0  # nothing unsigned leaves for the axis


def test_agency_sync_and_the_hmac_signed_requests(world: World) -> None:
    from egov.exchange.axis import AxisError
    from egov.exchange.models import AxisAgency

    assert AxisAgency.objects.filter(organ_id="000.00.00.G22").exists()  # the national list
    assert AxisAgency.objects.filter(organ_id=world.org.dept.code).exists()  # ours, registered
    with pytest.raises(AxisError, match="refused \\(401\\)"):
        Axis(secret="not-the-shared-secret").received()
    with pytest.raises(AxisError, match="refused \\(401\\)"):
        Axis(system="unknown.system").received()
    assert Axis().received() == []
