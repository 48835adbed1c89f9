"""Delivery of results by public post: the parcel queued when the result is ready,
booked through the real HTTP client against the simulator (in process, over
Django's test Client), signed callbacks, duplicates, and "delivered"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import sign_in_verified
from egov.applicants import postal, services, simulator
from egov.applicants.models import (
    DeliveryMethod,
    Parcel,
    ParcelEvent,
    ParcelState,
    SimulatedParcel,
)
from egov.applicants.tests.helpers import client_for, own_dossier, result_ready
from egov.core.models import AuditEntry
from egov.dossiers.models import Dossier, Status
from egov.dossiers.tests.factories import FrozenClock, World, dossier_in_status, staff_member

pytestmark = pytest.mark.django_db

CALLBACK = "/api/v1/me/postal/callback"
ADDRESS = "12 Trần Phú, Phường Vĩnh Thanh Vân, Rạch Giá, Kiên Giang"


def choose_post(world: World, dossier: Dossier) -> None:
    services.choose_delivery(
        world.staff.citizen,
        dossier,
        method=DeliveryMethod.POST,
        recipient_name="Nguyễn Văn An",
        address=ADDRESS,
        phone="0912345678",
    )


def post_dossier_ready(world: World) -> Dossier:
    """Chose post while processing; the result then became ready (status 9)."""
    dossier = own_dossier(world)
    choose_post(world, dossier)
    assert not Parcel.objects.exists()  # nothing to send yet
    staff = world.staff
    from egov.dossiers import services as dossier_services

    dossier_services.forward(staff.clerk, dossier, expected_version=1, to_user=staff.specialist)
    dossier_services.forward(staff.specialist, dossier, expected_version=2, to_user=staff.head)
    dossier_services.forward(staff.head, dossier, expected_version=3, to_user=staff.leader)
    dossier_services.mark_result_ready(staff.leader, dossier, expected_version=4)
    return dossier


def signed_post(client: Client, payload: dict[str, Any], secret: str | None = None) -> Any:
    body = json.dumps(payload).encode()
    return client.post(
        CALLBACK,
        data=body,
        content_type="application/json",
        headers={postal.SIGNATURE_HEADER: postal.sign(body, secret)},
    )


def booked(world: World) -> Parcel:
    dossier = post_dossier_ready(world)
    report = services.book_pending_parcels()
    assert report.booked == [dossier.code]
    return Parcel.objects.get(dossier=dossier)


# --- queueing and booking -------------------------------------------------------------------


def test_result_ready_queues_a_parcel_inside_the_transaction(
    world: World, clock: FrozenClock
) -> None:
    dossier = post_dossier_ready(world)
    parcel = Parcel.objects.get(dossier=dossier)
    assert parcel.state == ParcelState.TO_BOOK
    assert parcel.address == ADDRESS
    assert parcel.tracking_number == ""
    assert AuditEntry.objects.filter(action="applicants.parcel_queued").count() == 1


def test_desk_choice_queues_nothing(world: World, clock: FrozenClock) -> None:
    result_ready(world)
    assert not Parcel.objects.exists()


def test_choosing_post_once_the_result_is_ready_queues_the_parcel(
    world: World, clock: FrozenClock
) -> None:
    dossier = result_ready(world)
    choose_post(world, dossier)
    assert Parcel.objects.get(dossier=dossier).state == ParcelState.TO_BOOK
    # Back to the desk before booking: the parcel is cancelled, nothing gets booked.
    services.choose_delivery(world.staff.citizen, dossier, method=DeliveryMethod.DESK)
    assert Parcel.objects.get(dossier=dossier).state == ParcelState.CANCELLED
    assert services.book_pending_parcels().booked == []


def test_book_parcels_through_http_client_and_simulator(
    world: World, clock: FrozenClock, inprocess_postal: None
) -> None:
    parcel = booked(world)
    assert parcel.state == ParcelState.BOOKED
    assert parcel.tracking_number.startswith("EG") and parcel.tracking_number.endswith("VN")
    sim = SimulatedParcel.objects.get(tracking_number=parcel.tracking_number)
    assert sim.client_reference == parcel.reference
    assert sim.address == ADDRESS
    assert sim.sender == world.org.desk.name
    assert sim.callback_url == "http://testserver/api/v1/me/postal/callback"
    assert AuditEntry.objects.filter(action="applicants.parcel_booked").count() == 1
    # Nothing left to book; a second run books nothing twice.
    assert services.book_pending_parcels().booked == []
    assert SimulatedParcel.objects.count() == 1


def test_booking_is_idempotent_at_the_post_office(
    world: World, clock: FrozenClock, inprocess_postal: None
) -> None:
    """A retry after an answer was lost sends the same reference: same number."""
    dossier = post_dossier_ready(world)
    parcel = Parcel.objects.get(dossier=dossier)
    client = postal.get_adapter()
    assert client is not None
    booking = services._booking(parcel)
    first = client.book(booking)
    again = client.book(booking)
    assert first == again
    assert SimulatedParcel.objects.count() == 1


def test_booking_retries_with_back_off_then_gives_up(
    world: World, clock: FrozenClock, settings: Any
) -> None:
    settings.APPLICANTS_POSTAL_MAX_ATTEMPTS = 2
    settings.APPLICANTS_POSTAL_INPROCESS = True
    settings.APPLICANTS_POSTAL_API_URL = "http://testserver/ca-nhan/mo-phong/buu-dien/api"
    settings.EGOV_SIMULATORS = False  # the post office is "down": its API answers 404
    post_dossier_ready(world)
    parcel = Parcel.objects.get()
    # 404 is a refusal, not an outage: no retry.
    report = services.book_pending_parcels()
    assert report.failed == [parcel.dossier.code]
    parcel.refresh_from_db()
    assert parcel.state == ParcelState.BOOKING_FAILED
    assert parcel.attempts == 1
    assert parcel.last_error


def test_outage_is_retried_later(world: World, clock: FrozenClock, settings: Any) -> None:
    settings.APPLICANTS_POSTAL_MAX_ATTEMPTS = 2
    settings.APPLICANTS_POSTAL_API_URL = "http://127.0.0.1:9/unreachable"
    settings.APPLICANTS_POSTAL_TIMEOUT_SECONDS = 2
    post_dossier_ready(world)
    parcel = Parcel.objects.get()
    assert services.book_pending_parcels().retrying == [parcel.dossier.code]
    parcel.refresh_from_db()
    assert parcel.state == ParcelState.TO_BOOK
    assert parcel.next_attempt_at is not None
    # Not due yet: a run now skips it.
    assert services.book_pending_parcels().retrying == []
    later = parcel.next_attempt_at + services.retry_delay(1)
    assert services.book_pending_parcels(now=later).failed == [parcel.dossier.code]
    parcel.refresh_from_db()
    assert parcel.state == ParcelState.BOOKING_FAILED
    assert parcel.attempts == 2


def test_the_choice_cannot_change_once_booked(
    world: World, clock: FrozenClock, inprocess_postal: None
) -> None:
    parcel = booked(world)
    with pytest.raises(services.ValidationError):
        services.choose_delivery(world.staff.citizen, parcel.dossier, method=DeliveryMethod.DESK)
    owner = client_for(world.staff.citizen)
    url = reverse("applicants:delivery", kwargs={"code": parcel.dossier.code})
    assert owner.post(url, {"method": "desk"}).status_code == 302
    parcel.refresh_from_db()
    assert parcel.state == ParcelState.BOOKED


def test_book_parcels_command(world: World, clock: FrozenClock, inprocess_postal: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    post_dossier_ready(world)
    out = StringIO()
    call_command("book_parcels", stdout=out)
    assert "booked 1" in out.getvalue()


# --- callbacks --------------------------------------------------------------------------------


def operator_client(world: World) -> Client:
    """A client signed in as the platform's operator (the simulator's operator page)."""
    client = Client()
    operator = staff_member(
        "vanhanh", RoleCode.PLATFORM_OPERATOR, world.org.province, "Nguyễn Văn Vận"
    )
    sign_in_verified(client, operator)
    return client


def test_simulator_pushes_signed_callbacks_that_update_the_parcel(
    world: World, clock: FrozenClock, inprocess_postal: None
) -> None:
    parcel = booked(world)
    sim = SimulatedParcel.objects.get(tracking_number=parcel.tracking_number)
    answer = simulator.push_status(sim, "picked_up")
    assert answer.startswith("HTTP 200"), answer
    parcel.refresh_from_db()
    assert parcel.state == ParcelState.PICKED_UP
    # Through the operator page too, which only a platform operator may use.
    push_url = reverse("applicants:postal-simulator-push", kwargs={"number": sim.tracking_number})
    anonymous = Client()
    assert anonymous.get(reverse("applicants:postal-simulator")).status_code == 302
    assert anonymous.post(push_url, {"status": "delivered"}).status_code == 302
    clerk = Client()
    sign_in_verified(clerk, world.staff.clerk)
    assert clerk.get(reverse("applicants:postal-simulator")).status_code == 403
    assert clerk.post(push_url, {"status": "delivered"}).status_code == 403
    parcel.refresh_from_db()
    assert parcel.state == ParcelState.PICKED_UP
    operator = operator_client(world)
    response = operator.post(
        reverse("applicants:postal-simulator-push", kwargs={"number": sim.tracking_number}),
        {"status": "in_transit"},
    )
    assert response.status_code == 302
    parcel.refresh_from_db()
    assert parcel.state == ParcelState.IN_TRANSIT
    page = operator.get(reverse("applicants:postal-simulator"))
    assert sim.tracking_number in page.content.decode()


def test_bad_signature_is_refused_and_changes_nothing(
    world: World, clock: FrozenClock, inprocess_postal: None
) -> None:
    parcel = booked(world)
    payload = {"event_id": "e1", "tracking_number": parcel.tracking_number, "status": "delivered"}
    client = Client()
    wrong = signed_post(client, payload, secret="not-the-secret")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "bad_signature"
    unsigned = client.post(CALLBACK, data=json.dumps(payload), content_type="application/json")
    assert unsigned.status_code == 401
    # A body changed after signing.
    body = json.dumps(payload).encode()
    tampered = client.post(
        CALLBACK,
        data=body.replace(b"delivered", b"failed"),
        content_type="application/json",
        headers={postal.SIGNATURE_HEADER: postal.sign(body)},
    )
    assert tampered.status_code == 401
    parcel.refresh_from_db()
    assert parcel.state == ParcelState.BOOKED
    assert not ParcelEvent.objects.exists()


def test_duplicate_callback_is_recorded_once(
    world: World, clock: FrozenClock, inprocess_postal: None
) -> None:
    parcel = booked(world)
    payload = {
        "event_id": "evt-1",
        "tracking_number": parcel.tracking_number,
        "status": "failed",
        "reason": "Không có người nhận",
    }
    # The post office has no session and no CSRF token: the signature is enough.
    client = Client(enforce_csrf_checks=True)
    first = signed_post(client, payload)
    second = signed_post(client, payload)
    assert first.status_code == second.status_code == 200
    assert first.json() == {"recorded": True, "state": "failed"}
    assert second.json() == {"recorded": False, "state": "failed"}
    assert ParcelEvent.objects.filter(event_id="evt-1").count() == 1
    assert AuditEntry.objects.filter(action="applicants.parcel_status").count() == 1
    parcel.refresh_from_db()
    assert parcel.failure_reason == "Không có người nhận"
    # The simulator's "send again" repeats the last callback: still once.
    sim = SimulatedParcel.objects.get(tracking_number=parcel.tracking_number)
    simulator.push_status(sim, "in_transit")
    operator_client(world).post(
        reverse("applicants:postal-simulator-push", kwargs={"number": sim.tracking_number}),
        {"again": "1"},
    )
    assert ParcelEvent.objects.filter(parcel=parcel).count() == 2


def test_unknown_parcel_and_bad_status(world: World, inprocess_postal: None) -> None:
    client = Client()
    unknown = signed_post(
        client, {"event_id": "x", "tracking_number": "EG000000000VN", "status": "delivered"}
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_parcel"
    bad = signed_post(client, {"event_id": "y", "tracking_number": "EG1", "status": "lost"})
    assert bad.status_code == 400


def test_delivered_returns_the_result_when_the_platform_may(
    world: World, clock: FrozenClock, inprocess_postal: None
) -> None:
    """The platform may return a result (a PLATFORM grant on RETURN_RESULT):
    delivery by post records the return (9 → 10)."""
    parcel = booked(world)
    sim = SimulatedParcel.objects.get(tracking_number=parcel.tracking_number)
    simulator.push_status(sim, "delivered")
    parcel.refresh_from_db()
    assert parcel.result_returned is True
    dossier = Dossier.objects.get(pk=parcel.dossier_id)
    assert dossier.status == Status.RETURNED
    event = dossier.events.get(action="return_result")
    assert event.actor is None
    assert parcel.tracking_number in event.note


def test_simulator_is_off_without_the_setting(settings: Any, db: Any) -> None:
    settings.EGOV_SIMULATORS = False
    assert Client().get(reverse("applicants:postal-simulator")).status_code == 404


def test_simulator_api_needs_the_key(db: Any, inprocess_postal: None) -> None:
    response = Client().post(
        reverse("applicants:postal-api-book"),
        data=json.dumps({"reference": "r", "recipient": {"name": "A", "address": "B"}}),
        content_type="application/json",
    )
    assert response.status_code == 401


def test_final_status_dossiers_get_no_parcel(world: World) -> None:
    dossier = dossier_in_status(world, Status.RESULT_READY)
    with pytest.raises(services.PermissionDenied):
        services.choose_delivery(
            world.staff.clerk, dossier, method=DeliveryMethod.DESK
        )  # not the owner


def test_a_callback_forged_with_the_old_published_default_is_refused(
    world: World, clock: FrozenClock, inprocess_postal: None, settings: Any
) -> None:
    settings.APPLICANTS_POSTAL_CALLBACK_SECRET = "a-real-secret-agreed-with-the-post"
    parcel = booked(world)
    payload = {"event_id": "f1", "tracking_number": parcel.tracking_number, "status": "delivered"}
    forged = signed_post(Client(), payload, secret="dev-postal-callback-secret")
    assert forged.status_code == 401
    parcel.refresh_from_db()
    assert parcel.state == ParcelState.BOOKED
