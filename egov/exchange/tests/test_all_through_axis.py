"""The operator's switch EGOV_EXCHANGE_ALL_THROUGH_AXIS: a recipient on the platform
gets the document through the national axis (once), not directly."""

from __future__ import annotations

from typing import Any

import pytest

from egov.documents import services as incoming
from egov.documents.models import IncomingDocument, Source
from egov.exchange.models import Channel, Kind, OutboxItem, SimEnvelope
from egov.exchange.services import inbox, outbox
from egov.exchange.tests.conftest import World
from egov.outgoing.models import DeliveryStatus
from egov.outgoing.tests.factories import issued

pytestmark = pytest.mark.django_db


def test_off_by_default(settings: Any) -> None:
    assert settings.EGOV_EXCHANGE_ALL_THROUGH_AXIS is False


def test_a_platform_recipient_goes_through_the_axis_when_switched_on(
    world: World, settings: Any
) -> None:
    settings.EGOV_EXCHANGE_ALL_THROUGH_AXIS = True
    other = world.org.other
    document = issued(world.org, world.staff)  # to Sở Tài chính, on the platform
    assert not IncomingDocument.objects.exists()  # not delivered directly
    recipient = document.recipients.get(agency=other)
    assert recipient.delivery == DeliveryStatus.WAITING_EXCHANGE
    assert outbox.collect() == 1
    item = OutboxItem.objects.get(kind=Kind.DOCUMENT)
    assert item.channel == Channel.AXIS and item.to_organ == other.code
    assert outbox.send_due().sent == 1
    assert SimEnvelope.objects.filter(to_organ=other.code, message_type="edoc").count() == 1
    assert [o.kind for o in inbox.poll().outcomes] == ["imported"]
    arrived = IncomingDocument.objects.get(recipient_agency=other)
    assert arrived.source == Source.EXCHANGE
    # Its statuses travel back on the axis too.
    incoming.register(arrived, actor=world.staff.other_clerk)
    assert set(
        OutboxItem.objects.filter(kind=Kind.STATUS).values_list("channel", "status_code")
    ) == {(Channel.AXIS, "01"), (Channel.AXIS, "03")}
