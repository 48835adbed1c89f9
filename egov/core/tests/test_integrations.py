"""The shared client of outside systems: transports, retries, signing, call log.

The HTTP transport is exercised against a real server on the loopback address
(its answers scripted per test), the in-process one against this application.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from egov.core import request_context
from egov.core.integrations import (
    HeaderSigner,
    HmacSha256Signer,
    HttpTransport,
    InProcessTransport,
    OutsideSystem,
    Request,
    RetryPolicy,
    TransportError,
    transport_for,
)
from egov.core.integrations.calllog import mask
from egov.core.models import IntegrationCall


class Script:
    """What the loopback server answers: a queue of (status, body, delay)."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, bytes, float]] = []
        self.seen: list[dict[str, Any]] = []


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.script.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": self.rfile.read(length) if length else b"",
            }
        )
        status, body, delay = (
            self.script.answers.pop(0) if self.script.answers else (200, b'{"ok":true}', 0.0)
        )
        time.sleep(delay)
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()
    handler = type("Handler", (_Handler,), {"script": script})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def system(sleeps: list[float], attempts: int = 3, timeout: float = 2) -> OutsideSystem:
    return OutsideSystem(
        "test",
        transport=HttpTransport(),
        timeout=timeout,
        retry=RetryPolicy(attempts=attempts, backoff=0.01, backoff_max=0.02),
        sleep=sleeps.append,
    )


# --- the HTTP transport -------------------------------------------------------------


def test_http_get_and_post(server: tuple[str, Script], db: None) -> None:
    base, script = server
    script.answers = [(200, b'{"a":1}', 0), (201, '{"tên":"Hòa"}'.encode(), 0)]
    client = system([])
    assert client.get("read", base + "/x", {"q": "có dấu", "n": 3}).json() == {"a": 1}
    assert script.seen[0]["path"] == "/x?q=c%C3%B3+d%E1%BA%A5u&n=3"
    answer = client.post_json("write", base + "/y", {"tên": "Hòa"}, headers={"X-Key": "k"})
    assert answer.status == 201 and answer.json() == {"tên": "Hòa"}
    sent = script.seen[1]
    assert json.loads(sent["body"]) == {"tên": "Hòa"}
    assert sent["headers"]["x-key"] == "k"
    assert sent["headers"]["content-type"].startswith("application/json")


def test_http_errors_and_redirects_are_answers(server: tuple[str, Script], db: None) -> None:
    base, script = server
    script.answers = [(404, b'{"code":"nf"}', 0), (302, b"", 0)]
    client = system([], attempts=1)
    assert client.get("read", base + "/a").status == 404
    # A back-channel call answers where it was sent: a redirect is not followed.
    assert client.get("read", base + "/b").status == 302
    assert [s["path"] for s in script.seen] == ["/a", "/b"]


def test_timeout_and_refused_connection(server: tuple[str, Script]) -> None:
    base, script = server
    script.answers = [(200, b"{}", 1.0)]
    with pytest.raises(TransportError) as slow:
        HttpTransport().send(Request("GET", base + "/slow"), timeout=0.2)
    assert slow.value.timeout
    with pytest.raises(TransportError) as refused:
        HttpTransport().send(Request("POST", f"http://127.0.0.1:{closed_port()}/"), timeout=1)
    assert not refused.value.timeout and not refused.value.sent


# --- retries ------------------------------------------------------------------------


def test_reads_are_retried_with_growing_backoff(server: tuple[str, Script], db: None) -> None:
    base, script = server
    script.answers = [(503, b"{}", 0), (502, b"{}", 0), (200, b'{"ok":1}', 0)]
    sleeps: list[float] = []
    answer = system(sleeps).get("read", base + "/r")
    assert answer.status == 200 and len(script.seen) == 3
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0]  # 0.01 then 0.02, less jitter
    rows = IntegrationCall.objects.order_by("attempt")
    assert [(r.attempt, r.status, r.outcome) for r in rows] == [
        (1, 503, "http_error"),
        (2, 502, "http_error"),
        (3, 200, "ok"),
    ]


def test_the_last_answer_is_returned_when_attempts_run_out(
    server: tuple[str, Script], db: None
) -> None:
    base, script = server
    script.answers = [(503, b"{}", 0)] * 3
    assert system([], attempts=2).get("read", base + "/r").status == 503
    assert len(script.seen) == 2


def test_a_post_is_not_repeated_unless_idempotent(server: tuple[str, Script], db: None) -> None:
    base, script = server
    script.answers = [(503, b"{}", 0), (503, b"{}", 0), (200, b"{}", 0)]
    sleeps: list[float] = []
    assert system(sleeps).post_json("pay", base + "/p", {}).status == 503
    assert len(script.seen) == 1 and sleeps == []
    # The other side deduplicates (e.g. on our reference): the caller says so.
    assert system(sleeps).post_json("pay", base + "/p", {}, idempotent=True).status == 200
    assert len(script.seen) == 3


def test_a_timed_out_post_is_not_repeated(server: tuple[str, Script], db: None) -> None:
    base, script = server
    script.answers = [(200, b"{}", 1.0), (200, b"{}", 0)]
    with pytest.raises(TransportError):
        system([], timeout=0.2).post_json("pay", base + "/p", {})
    time.sleep(1)
    assert len(script.seen) == 1
    assert IntegrationCall.objects.get().outcome == "timeout"


def test_a_request_that_never_left_is_tried_again(db: None) -> None:
    sleeps: list[float] = []
    with pytest.raises(TransportError):
        system(sleeps).post_json("pay", f"http://127.0.0.1:{closed_port()}/p", {})
    assert len(sleeps) == 2
    assert list(IntegrationCall.objects.values_list("outcome", flat=True)) == ["unreachable"] * 3


# --- the call log ---------------------------------------------------------------------


def test_call_log_keeps_no_body_query_or_personal_data(
    server: tuple[str, Script], db: None
) -> None:
    base, _script = server
    token = request_context.bind(request_context.RequestContext(request_id="req-42"))
    try:
        system([]).post_json(
            "book",
            base + "/parcels?key=secret-key",
            {"phone": "0912345678", "cccd": "091090001234"},
        )
    finally:
        request_context.reset(token)
    row = IntegrationCall.objects.get()
    assert (row.system, row.operation, row.method, row.host) == (
        "test",
        "book",
        "POST",
        "127.0.0.1",
    )
    assert row.request_id == "req-42" and row.duration_ms >= 0
    stored = " ".join(str(v) for v in IntegrationCall.objects.values().get().values())
    assert "secret-key" not in stored and "0912345678" not in stored and "/parcels" not in stored


def test_mask_cuts_queries_and_long_numbers() -> None:
    text = mask("GET https://idp.example/token?code=abc&cccd=091090001234 failed for 0912345678")
    assert "code=abc" not in text and "091090001234" not in text and "0912345678" not in text
    assert "https://idp.example/token" in text


def test_a_call_without_database_still_works(server: tuple[str, Script]) -> None:
    # No db fixture: the log cannot be written, the call is answered all the same.
    base, _script = server
    assert system([]).get("read", base + "/r").status == 200


# --- in-process transport, transport choice, signing -----------------------------------


def test_in_process_transport_reaches_this_application(db: None) -> None:
    transport = InProcessTransport()
    answer = transport.send(Request("GET", "http://testserver/healthz"), timeout=60)
    assert answer.status == 200 and transport.calls == 1


def test_in_process_timeout_is_judged_after_the_call(db: None) -> None:
    with pytest.raises(TransportError) as late:
        InProcessTransport().send(Request("GET", "http://testserver/healthz"), timeout=0)
    assert late.value.timeout


def test_transport_for_understands_every_setting_form() -> None:
    assert isinstance(transport_for("http"), HttpTransport)
    assert isinstance(transport_for("inprocess"), InProcessTransport)
    assert isinstance(transport_for(True), InProcessTransport)
    assert isinstance(transport_for(False), HttpTransport)
    # The dotted paths the payment setting used to name.
    assert isinstance(transport_for("egov.payments.transport.HttpTransport"), HttpTransport)
    assert isinstance(
        transport_for("egov.payments.transport.DjangoClientTransport"), InProcessTransport
    )
    assert isinstance(
        transport_for("egov.core.integrations.transport.InProcessTransport"), InProcessTransport
    )
    with pytest.raises(ValueError):
        transport_for("carrier-pigeon")


def test_hmac_signer_and_header_signer() -> None:
    signer = HmacSha256Signer("bí mật")
    signature = signer.sign(b"body")
    assert len(signature) == 64 and signature == signature.lower()
    assert signer.verify(b"body", signature.upper())
    assert not signer.verify(b"body!", signature)
    assert not signer.verify(b"body", "")
    assert not HmacSha256Signer("other").verify(b"body", signature)
    header = HeaderSigner(signer, "X-Signature", prefix="sha256=")
    signed = header.apply(Request("POST", "http://x/", {"A": "1"}, b"body"))
    assert signed.headers["X-Signature"] == "sha256=" + signature
    assert header.verify(b"body", signed.headers["X-Signature"])
    assert not header.verify(b"body", signature)  # the prefix is part of the format
    assert not header.verify(b"body", None)


# --- the admin page -----------------------------------------------------------------


def test_call_log_is_read_only_in_the_admin_for_platform_operators(db: None) -> None:
    from django.test import Client

    from egov.accounts.models import Role, RoleAssignment, User
    from egov.accounts.permissions import Perm
    from egov.accounts.tests.helpers import sign_in_verified
    from egov.core.integrations.calllog import record_call
    from egov.core.services.units import create_unit

    province = create_unit(None, None, code="000.00.00.H33", name="UBND tỉnh", level="province")
    record_call(
        system="postal",
        operation="book",
        method="POST",
        url="http://buudien.example/api/parcels",
        outcome="ok",
        duration=0.2,
        attempt=1,
        status=201,
    )
    operator = User.objects.create_user(
        username="vanhanh",
        password="Mat-khau-2026",
        full_name="Vận hành",
        kind="staff",
        is_staff=True,
    )
    role = Role.objects.create(code="t_ops", name="Vận hành", permissions=[Perm.OPERATE_PLATFORM])
    RoleAssignment.objects.create(user=operator, role=role, unit=province)
    clerk = User.objects.create_user(
        username="motcua",
        password="Mat-khau-2026",
        full_name="Một cửa",
        kind="staff",
        is_staff=True,
    )

    client = Client()
    sign_in_verified(client, operator)
    page = client.get("/admin/core/integrationcall/")
    assert page.status_code == 200
    assert "buudien.example" in page.content.decode()
    assert client.get("/admin/core/integrationcall/add/").status_code == 403
    row = IntegrationCall.objects.get()
    assert (
        client.post(f"/admin/core/integrationcall/{row.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert IntegrationCall.objects.count() == 1

    other = Client()
    sign_in_verified(other, clerk)
    assert other.get("/admin/core/integrationcall/").status_code == 403
