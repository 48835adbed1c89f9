"""The operator's page: who may see it, the quarantine's buttons, the switches;
and the outgoing document's page showing the status an outside recipient sent."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import sign_in_verified
from egov.documents.tests.factories import person
from egov.exchange import simulator
from egov.exchange.models import Kind, OutboxItem, Quarantine, QuarantineState
from egov.exchange.services import inbox, outbox
from egov.exchange.tests.conftest import World
from egov.exchange.tests.helpers import outside_axis
from egov.outgoing.services import RecipientIn
from egov.outgoing.tests.factories import issued


def client_for(user: object) -> Client:
    client = Client()
    sign_in_verified(client, user)  # type: ignore[arg-type]
    return client


def test_operators_see_the_page_clerks_do_not(world: World) -> None:
    operator = person("vanhanh", RoleCode.PLATFORM_OPERATOR, world.org.province, "Trần Vận")
    url = reverse("exchange:operations")
    assert client_for(world.staff.clerk).get(url).status_code == 403
    page = client_for(operator).get(url)
    assert page.status_code == 200
    assert "Liên thông văn bản" in page.content.decode()


def test_the_operator_rejects_a_quarantined_message_on_the_page(world: World) -> None:
    operator = person("vanhanh", RoleCode.PLATFORM_OPERATOR, world.org.province, "Trần Vận")
    raw = (
        "<edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganId>000.00.00.G22</OrganId>"
        f"</From><To><OrganId>{world.org.dept.code}</OrganId></To>"
        "<DocumentId>000.00.00.G22,2026/12/01,9/VPCP</DocumentId>"
    ).encode()
    outside_axis().send(
        sender="000.00.00.G22",
        recipient=world.org.dept.code,
        message_type="edoc",
        body=raw,
        send_key="q",
    )
    inbox.poll()
    held = Quarantine.objects.get()
    client = client_for(operator)
    page = client.get(reverse("exchange:operations")).content.decode()
    assert "không đúng định dạng" in page or "not well-formed" in page
    client.post(reverse("exchange:reject", args=[held.pk]), {"reason": ""})
    held.refresh_from_db()
    assert held.state == QuarantineState.HELD  # a reason is required
    client.post(reverse("exchange:reject", args=[held.pk]), {"reason": "Thông điệp bị cắt cụt"})
    held.refresh_from_db()
    assert held.state == QuarantineState.REJECTED
    answer = OutboxItem.objects.get(kind=Kind.STATUS)
    assert (answer.status_code, answer.to_organ) == ("02", "000.00.00.G22")
    assert answer.document_id == "000.00.00.G22,2026/12/01,9/VPCP"
    download = client.get(reverse("exchange:raw", args=[held.pk]))
    assert download.content == raw


def test_switches_are_flipped_by_the_operator(world: World) -> None:
    operator = person("vanhanh", RoleCode.PLATFORM_OPERATOR, world.org.province, "Trần Vận")
    client_for(operator).post(reverse("exchange:switch"), {"name": "refuse", "on": "1"})
    assert simulator.switch_on("refuse")
    client_for(world.staff.clerk).post(reverse("exchange:switch"), {"name": "refuse", "on": "0"})
    assert simulator.switch_on("refuse")  # a clerk cannot


def test_the_outgoing_page_shows_the_outside_recipient_status(world: World) -> None:
    document = issued(
        world.org,
        world.staff,
        recipients=[RecipientIn(name="Sở Tài chính (qua trục)", organ_id=world.org.other.code)],
    )
    outbox.collect()
    outbox.send_due()
    inbox.poll()
    outbox.send_due()  # 01 back to the sender
    inbox.poll()
    page = (
        client_for(world.staff.clerk)
        .get(reverse("outgoing:detail", args=[document.reference]))
        .content.decode()
    )
    assert "Đã đến nơi nhận" in page


def test_the_api_gives_a_document_history_to_operators_only(world: World) -> None:
    operator = person("vanhanh", RoleCode.PLATFORM_OPERATOR, world.org.province, "Trần Vận")
    issued(
        world.org,
        world.staff,
        recipients=[RecipientIn(name="Sở Tài chính (qua trục)", organ_id=world.org.other.code)],
    )
    outbox.collect()
    outbox.send_due()
    inbox.poll()
    document_id = OutboxItem.objects.get(kind=Kind.DOCUMENT).document_id
    url = "/api/v1/exchange/messages"
    refused = client_for(world.staff.clerk).get(url, {"document_id": document_id})
    assert refused.status_code == 403 and refused.json()["code"]
    answer = client_for(operator).get(url, {"document_id": document_id})
    assert answer.status_code == 200
    rows = answer.json()
    assert {(r["direction"], r["kind"]) for r in rows} == {("out", "document"), ("in", "document")}
    assert {r["signature"] for r in rows if r["direction"] == "in"} == {"valid"}
    held = client_for(operator).get("/api/v1/exchange/quarantine")
    assert held.status_code == 200 and held.json() == []
