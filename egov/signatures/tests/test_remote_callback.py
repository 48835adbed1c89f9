"""The remote-signing service's callback: the signer's answer on the phone is posted
to the platform (HMAC-signed) and the waiting signing completes without querying
the service's status; polling stays the fallback when the callback is lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from egov.core.integrations.signing import HmacSha256Signer
from egov.signatures import callbacks, errors, services, simulator
from egov.signatures.models import KeyKind, RemoteAnswer, SimulatedRemoteRequest
from egov.signatures.outside import RemoteSigningService, RemoteStatus
from egov.signatures.tests.conftest import World, one_page_pdf
from egov.signatures.tests.pdfsig import assert_independently_valid
from egov.signatures.verification import verify_pdf

SECRET = "callback-secret-for-tests-only"
URL = "/chu-ky-so/ky-tu-xa/ket-qua"


class CountingService(RemoteSigningService):
    def __init__(self) -> None:
        super().__init__()
        self.status_queries = 0

    def status(self, request_id: str) -> RemoteStatus:
        self.status_queries += 1
        return super().status(request_id)


@pytest.fixture
def pushed(settings: Any) -> None:
    settings.EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET = SECRET


def _holder(world: World, service: RemoteSigningService, *, accept: bool) -> Any:
    def signer_answers_on_the_phone(_seconds: float) -> None:
        pending = SimulatedRemoteRequest.objects.filter(status="pending").first()
        if pending is not None:
            simulator.confirm(pending, accept=accept)

    return services.holder_for_person(
        world.leader,
        kind=KeyKind.REMOTE,
        description="Quyết định 15/QĐ-STTTT",
        service=service,
        sleep=signer_answers_on_the_phone,
    )


def test_the_callback_completes_the_signing_without_polling(
    world: World, pushed: None, tmp_path: Path
) -> None:
    service = CountingService()
    signed = services.sign_pdf(
        one_page_pdf(), holder=_holder(world, service, accept=True), actor=world.leader
    )
    assert service.status_queries == 0
    request = SimulatedRemoteRequest.objects.get()
    assert request.callback_url.endswith(URL)
    answer = RemoteAnswer.objects.get(pk=str(request.pk))
    assert answer.status == "confirmed" and bytes(answer.signature) == bytes(request.signature)
    assert verify_pdf(signed).ok
    assert_independently_valid(signed, tmp_path, 1)


def test_a_refusal_arrives_by_callback(world: World, pushed: None) -> None:
    service = CountingService()
    with pytest.raises(errors.RemoteRefused):
        services.sign_pdf(
            one_page_pdf(), holder=_holder(world, service, accept=False), actor=world.leader
        )
    assert service.status_queries == 0
    assert RemoteAnswer.objects.get().status == "refused"


def test_a_lost_callback_falls_back_to_polling(world: World, pushed: None, settings: Any) -> None:
    settings.EGOV_SIGNATURES_REMOTE_CALLBACK_URL = "http://127.0.0.1:8000/khong-co-trang-nay"
    service = CountingService()
    signed = services.sign_pdf(
        one_page_pdf(), holder=_holder(world, service, accept=True), actor=world.leader
    )
    assert service.status_queries == 1
    assert not RemoteAnswer.objects.exists()
    assert verify_pdf(signed).ok


def test_without_a_secret_no_callback_is_asked_for(world: World, settings: Any) -> None:
    settings.EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET = ""
    service = CountingService()
    services.sign_pdf(
        one_page_pdf(), holder=_holder(world, service, accept=True), actor=world.leader
    )
    assert SimulatedRemoteRequest.objects.get().callback_url == ""
    assert service.status_queries == 2  # pending, then confirmed: polled
    assert Client().post(URL, b"{}", content_type="application/json").status_code == 503


def test_the_endpoint_checks_the_hmac_and_keeps_the_first_answer(
    world: World, pushed: None
) -> None:
    client = Client()
    body = json.dumps({"id": "abc", "status": "refused", "signature": ""}).encode()
    forged = HmacSha256Signer("another-secret").sign(body)
    answer = client.post(URL, body, content_type="application/json", HTTP_X_SIGNATURE=forged)
    assert answer.status_code == 403 and not RemoteAnswer.objects.exists()
    unsigned = client.post(URL, body, content_type="application/json")
    assert unsigned.status_code == 403

    waiting = callbacks.expect("abc")
    good = HmacSha256Signer(SECRET).sign(body)
    answer = client.post(URL, body, content_type="application/json", HTTP_X_SIGNATURE=good)
    assert answer.status_code == 204 and waiting.is_set()  # the waiting signing wakes up
    callbacks.forget("abc")

    later = json.dumps({"id": "abc", "status": "confirmed", "signature": "AAAA"}).encode()
    again = client.post(
        URL,
        later,
        content_type="application/json",
        HTTP_X_SIGNATURE=HmacSha256Signer(SECRET).sign(later),
    )
    assert again.status_code == 204
    assert RemoteAnswer.objects.get().status == "refused"  # the first answer stays

    bad = json.dumps({"id": "xyz", "status": "maybe"}).encode()
    refused = client.post(
        URL,
        bad,
        content_type="application/json",
        HTTP_X_SIGNATURE=HmacSha256Signer(SECRET).sign(bad),
    )
    assert refused.status_code == 400
