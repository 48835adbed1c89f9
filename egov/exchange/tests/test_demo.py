"""The demo loader: runs on the demo's data through the simulated axis, twice."""

from __future__ import annotations

from egov.documents.models import IncomingDocument, Source
from egov.exchange.demo import load_demo_exchange
from egov.exchange.models import ExchangeMessage, Quarantine
from egov.exchange.tests.conftest import World
from egov.outgoing.services import RecipientIn
from egov.outgoing.tests.factories import issued


def test_the_demo_loader_exchanges_and_is_idempotent(world: World) -> None:
    issued(
        world.org,
        world.staff,
        recipients=[RecipientIn(name="Văn phòng Chính phủ", organ_id="000.00.00.G22")],
    )
    summary = load_demo_exchange()
    assert "1 sent" in summary or "2 sent" in summary
    arrived = IncomingDocument.objects.get(source=Source.EXCHANGE)
    assert arrived.recipient_agency == world.org.province
    assert Quarantine.objects.count() == 1
    count = ExchangeMessage.objects.count()
    load_demo_exchange()
    assert IncomingDocument.objects.filter(source=Source.EXCHANGE).count() == 1
    assert Quarantine.objects.count() == 1
    assert ExchangeMessage.objects.count() >= count
