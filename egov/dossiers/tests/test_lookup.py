"""Public lookup by code: the selector, the JSON API and rate limiting of guessing.

Above all: nothing personal ever comes out, checked with an applicant whose name,
ID number, phone, e-mail and address are distinctive strings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from egov.dossiers.models import DossierEvent, DossierPaper, Status
from egov.dossiers.public.limits import NetworkThrottle
from egov.dossiers.public.lookup import normalise_code, public_view
from egov.dossiers.tests.test_forms_pdf import CODE, World, at, build_world, make_dossier

pytestmark = pytest.mark.django_db

API = "/api/v1/public/dossiers/"

#: Personal data of the applicant (and internal notes, staff names) that must
#: never appear in a public answer.
SECRETS = {
    "applicant_name": "Quách Thị Xuyến Huyền",
    "applicant_id_number": "079188012345",
    "applicant_phone": "0987123456",
    "applicant_email": "xuyenhuyen.bimat@example.vn",
    "applicant_address": "Ấp Rạch Sỏi Bí Mật, số nhà 77",
}
PRIVATE_CODE = "000.00.31.H33-260301-0042"
PAPER = "Giấy chứng nhận quyền sử dụng đất số BM 123456"
NOTE = "Ghi chú nội bộ: chờ xác minh hộ khẩu"


@pytest.fixture(autouse=True)
def _fresh_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    return build_lookup_world()


def build_lookup_world() -> World:
    """The shared world plus a dossier whose applicant has distinctive personal data,
    a paper, internal notes and three steps, its result ready."""
    world = build_world()
    private = make_dossier(
        world.version,
        world.district,
        world.desk,
        code=PRIVATE_CODE,
        status=Status.RESULT_READY,
        received=at("2026-03-01", "09:15"),
        due_at=at("2026-03-06", "16:30"),
        resolved_at=at("2026-03-05", "10:00"),
        current_unit=world.desk,
        **SECRETS,
    )
    DossierPaper.objects.create(dossier=private, name=PAPER, copies=1, form="original")
    DossierEvent.objects.create(
        dossier=private,
        at=at("2026-03-01", "09:15"),
        action="receive",
        to_status=Status.RECEIVED,
        to_unit=world.desk,
        actor=world.clerk,
        note=NOTE,
        data={"applicant": SECRETS["applicant_name"]},
    )
    DossierEvent.objects.create(
        dossier=private,
        at=at("2026-03-02", "08:00"),
        action="forward",
        from_status=Status.RECEIVED,
        to_status=Status.PROCESSING,
        from_unit=world.desk,
        to_unit=world.office,
        actor=world.clerk,
        to_user=world.specialist,
        note=NOTE,
    )
    DossierEvent.objects.create(
        dossier=private,
        at=at("2026-03-05", "10:00"),
        action="approve",
        from_status=Status.PROCESSING,
        to_status=Status.RESULT_READY,
        from_unit=world.office,
        to_unit=world.desk,
        actor=world.specialist,
    )
    return world


def forbidden(world: World) -> list[str]:
    return [
        *SECRETS.values(),
        PAPER,
        NOTE,
        world.clerk.full_name,
        world.specialist.full_name,
    ]


# --- selector -------------------------------------------------------------------------


def test_public_view_shows_where_the_dossier_is(world: World) -> None:
    with translation.override("en"):
        found = public_view(PRIVATE_CODE)
    assert found is not None
    assert found.code == PRIVATE_CODE
    assert found.procedure_name == "Đăng ký khai sinh"
    assert found.procedure_code == "1.001193"
    assert found.agency == "UBND thành phố Rạch Giá"
    assert found.status_code == Status.RESULT_READY
    assert found.result_ready
    assert world.desk.name in found.notice
    assert found.received_at is not None and found.received_at.strftime("%d/%m/%Y %H:%M") == (
        "01/03/2026 09:15"
    )
    assert str(found.received_at.tzinfo) == "Asia/Ho_Chi_Minh"
    assert [(s.unit, s.status_code) for s in found.steps] == [
        (world.desk.name, Status.RECEIVED),
        (world.office.name, Status.PROCESSING),
        (world.desk.name, Status.RESULT_READY),
    ]


def test_a_dossier_without_recorded_steps_is_found_with_no_steps(world: World) -> None:
    make_dossier(world.version, world.district, world.desk, code="000.00.31.H33-260302-0001")
    found = public_view("000.00.31.H33-260302-0001")
    assert found is not None
    assert found.steps == ()
    assert found.procedure_name == "Đăng ký khai sinh"


def test_public_view_contains_no_personal_data(world: World) -> None:
    found = public_view(PRIVATE_CODE)
    text = repr(found)
    for secret in forbidden(world):
        assert secret not in text


def test_codes_are_normalised_and_garbage_is_not_looked_up(world: World) -> None:
    assert normalise_code(" 000.00.31.h33-260301 -0042 ") == PRIVATE_CODE
    assert public_view(" 000.00.31.h33-260301-0042") is not None
    assert public_view("") is None
    assert public_view("' OR 1=1 --") is None
    assert public_view("x" * 500) is None
    assert public_view("000.00.31.H33-260301-9999") is None


# --- API ------------------------------------------------------------------------------


def test_api_returns_the_public_view(world: World, client: Client) -> None:
    response = client.get(API + PRIVATE_CODE)
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == PRIVATE_CODE
    assert body["status_code"] == 9
    assert body["result_ready"] is True
    assert body["received_at"] == "2026-03-01T09:15:00+07:00"
    assert body["due_at"] == "2026-03-06T16:30:00+07:00"
    assert [step["unit"] for step in body["steps"]] == [
        world.desk.name,
        world.office.name,
        world.desk.name,
    ]
    assert set(body) == {
        "code",
        "procedure_name",
        "procedure_code",
        "agency",
        "status_code",
        "status",
        "received_at",
        "due_at",
        "resolved_at",
        "returned_at",
        "result_ready",
        "notice",
        "steps",
    }


def test_api_answer_contains_no_personal_data(world: World, client: Client) -> None:
    raw = client.get(API + PRIVATE_CODE).content.decode()
    decoded = json.dumps(json.loads(raw), ensure_ascii=False)
    for secret in forbidden(world):
        assert secret not in raw and secret not in decoded


def test_api_unknown_code_is_404_with_a_clear_message(world: World, client: Client) -> None:
    response = client.get(API + "000.00.31.H33-260301-9999")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert "000.00.31.H33-260301-9999" in body["message"]
    assert body["field"] == "code"


def test_api_message_is_vietnamese_by_default(world: World, client: Client) -> None:
    # Without the catalogue entry yet, Django falls back to the English message id;
    # with it, the Vietnamese text starts "Không tìm thấy hồ sơ có mã".
    message = client.get(API + "000.00.31.H33-260301-9999").json()["message"]
    assert message.startswith(("Không tìm thấy hồ sơ có mã", "No dossier has the code"))


def test_api_is_in_the_openapi_document(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/public/dossiers/{code}"]["get"]
    assert set(operation["responses"]) == {"200", "404", "429"}


# --- rate limiting --------------------------------------------------------------------


def test_repeated_unknown_codes_are_refused_with_429(
    world: World, client: Client, settings: Any
) -> None:
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 3
    for number in range(3):
        assert client.get(f"{API}000.00.31.H33-260301-{9990 + number}").status_code == 404
    refused = client.get(API + "000.00.31.H33-260301-9999")
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_lookups"
    assert int(refused["Retry-After"]) > 0
    # Once refused, a real code is refused too: otherwise the guesser still learns.
    assert client.get(API + PRIVATE_CODE).status_code == 429
    # Another address is not affected.
    assert client.get(API + PRIVATE_CODE, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_known_codes_are_limited_more_loosely(world: World, client: Client, settings: Any) -> None:
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 3
    settings.EGOV_LOOKUP_LIMIT = 8
    for _ in range(8):
        assert client.get(API + PRIVATE_CODE).status_code == 200
    assert client.get(API + PRIVATE_CODE).status_code == 429


def test_the_window_ends(world: World, settings: Any) -> None:
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 2
    settings.EGOV_LOOKUP_WINDOW_SECONDS = 60
    first = NetworkThrottle("192.0.2.1", now=1_000_020.0)
    first.count(found=False)
    first.count(found=False)
    assert NetworkThrottle("192.0.2.1", now=1_000_030.0).retry_after() == 50
    assert NetworkThrottle("192.0.2.1", now=1_000_081.0).retry_after() is None


def test_lookups_of_known_codes_do_not_count_as_guesses(world: World, settings: Any) -> None:
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 1
    throttle = NetworkThrottle("192.0.2.7")
    for _ in range(5):
        throttle.count(found=True)
    assert throttle.retry_after() is None
    throttle.count(found=False)
    assert throttle.retry_after() is not None


def test_the_receipt_slip_code_can_be_looked_up(world: World, client: Client) -> None:
    # The dossier of the shared test world, the one whose slip the PDF tests print.
    assert client.get(API + CODE).json()["status_code"] == Status.PROCESSING
