"""The portal's JSON API for the mobile app and the SMS gateway."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from egov.dossiers.tests.test_lookup import PRIVATE_CODE, build_lookup_world, forbidden
from egov.portal.sms import normalise_sender, parse
from egov.portal.tests.conftest import many
from egov.procedures.models import ProcedureVersion
from egov.procedures.tests.factories import Org

API = "/api/v1/portal"


def get(client: Client, path: str, **params: Any) -> tuple[int, Any]:
    response = client.get(API + path, params)
    return response.status_code, response.json()


def sms(client: Client, text: str, sender: str = "+84912345678", **headers: Any) -> Any:
    return client.post(
        API + "/sms",
        json.dumps({"from": sender, "text": text}),
        content_type="application/json",
        **headers,
    )


@pytest.mark.django_db
def test_search_procedures(client: Client, catalogue: dict[str, ProcedureVersion]) -> None:
    status, body = get(client, "/procedures", q="dang ky ket hon")
    assert status == 200
    assert body["items"][0]["national_code"] == "1.000894"
    first = body["items"][0]
    assert first["online_service"] == "một phần"
    assert first["url"] == "/dich-vu-cong/thu-tuc/1.000894/"
    assert first["field"] == {"code": "ho-tich", "name": "Hộ tịch"}
    assert first["level_groups"] == ["commune"]
    _, by_code = get(client, "/procedures", q="2.000488")
    assert [item["national_code"] for item in by_code["items"]] == ["2.000488"]
    _, typo = get(client, "/procedures", q="khai sihn")
    assert typo["items"][0]["national_code"] == "1.001193"


@pytest.mark.django_db
def test_filters_and_pages(
    client: Client, catalogue: dict[str, ProcedureVersion], org: Org
) -> None:
    many(org, 5)
    _, body = get(client, "/procedures", field="ho-tich", level="commune", page_size="3", page="2")
    assert body["count"] == 7 and body["pages"] == 3 and body["page"] == 2
    assert len(body["items"]) == 3
    _, agency = get(client, "/procedures", agency=org.justice.code)
    assert [item["national_code"] for item in agency["items"]] == ["2.000488"]
    _, province = get(client, "/procedures", level="provincial_agency")
    assert province["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"level": "village"}, "level"),
        ({"field": "khong-co"}, "field"),
        ({"agency": "999.99.99.H33"}, "agency"),
    ],
)
def test_bad_parameters_answer_400_naming_the_field(
    client: Client, catalogue: dict[str, ProcedureVersion], params: dict[str, str], field: str
) -> None:
    status, body = get(client, "/procedures", **params)
    assert status == 400
    assert body["code"] == "invalid" and body["field"] == field and body["message"]


@pytest.mark.django_db
def test_very_long_query_is_cut(client: Client, catalogue: dict[str, ProcedureVersion]) -> None:
    status, body = get(client, "/procedures", q="khai sinh " * 2000)
    assert status == 200
    assert body["truncated"] is True
    assert body["items"][0]["national_code"] == "1.001193"


@pytest.mark.django_db
def test_procedure_detail(client: Client, catalogue: dict[str, ProcedureVersion], org: Org) -> None:
    status, body = get(client, "/procedures/1.000894")
    assert status == 200
    assert body["fee_total"] == 1000000
    assert re.match(r"1[.,]000[.,]000 đ", body["fee_total_text"])
    assert body["submit_url"] == "/nop-ho-so/1.000894/"
    assert [paper["name"] for paper in body["papers"]] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    desk = next(a for a in body["agencies"] if a["agency_code"] == org.vinh_thanh.code)
    assert desk["desk_name"] == org.vinh_thanh_desk.name
    status, copy = get(client, "/procedures/2.000815")
    assert copy["submit_url"] == "" and copy["online_service"] is None


@pytest.mark.django_db
def test_unknown_procedure_is_404_json(
    client: Client, catalogue: dict[str, ProcedureVersion]
) -> None:
    status, body = get(client, "/procedures/9.999999")
    assert status == 404
    assert body["code"] == "not_found" and body["field"] == "national_code"


@pytest.mark.django_db
def test_fields(client: Client, catalogue: dict[str, ProcedureVersion]) -> None:
    status, body = get(client, "/fields")
    assert status == 200
    counts = {item["code"]: item["count"] for item in body}
    assert counts == {"ho-tich": 2, "ly-lich-tu-phap": 1, "chung-thuc": 1}


# --- SMS -----------------------------------------------------------------------------------


def test_parse_commands() -> None:
    assert parse("HS 000.00.31.H33-260301-0042") == ("hs", "000.00.31.H33-260301-0042")
    assert parse("hs 000.00.31.h33-260301-0042") == ("hs", "000.00.31.H33-260301-0042")
    assert parse("TRACUU 000.00.31.H33-260301-0042")[0] == "tracuu"
    # spaces inside the code are dropped, as in the lookup page
    assert parse("Tra cứu 000.00.31.H33-260301-00 42") == ("tracuu", "000.00.31.H33-260301-0042")
    assert parse("tracứu: 000.00.31.H33-260301-0042")[1] == "000.00.31.H33-260301-0042"
    assert parse("xin chào") == (None, "")
    assert parse("") == (None, "")
    assert normalise_sender(" +84 912-345 678 ") == "+84912345678"


@pytest.mark.django_db
def test_sms_lookup_answers_status_and_appointment_without_personal_data(client: Client) -> None:
    world = build_lookup_world()
    response = sms(client, f"hs {PRIVATE_CODE.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "found"
    assert PRIVATE_CODE in body["reply"]
    assert "06/03/2026" in body["reply"]
    assert re.search("Đã xử lý xong|Result ready", body["reply"])
    for secret in forbidden(world):
        assert secret not in body["reply"]
    assert len(body["reply"]) <= 160
    tracuu = sms(client, f"TRA CỨU {PRIVATE_CODE}").json()
    assert tracuu["outcome"] == "found"


@pytest.mark.django_db
def test_sms_unknown_command_and_unknown_code(client: Client) -> None:
    build_lookup_world()
    helpful = sms(client, "Xin chào").json()
    assert helpful["outcome"] == "help" and "HS" in helpful["reply"]
    missing = sms(client, "HS").json()
    assert missing["outcome"] == "help"
    unknown = sms(client, "HS 000.00.31.H33-260301-9999").json()
    assert unknown["outcome"] == "not_found"
    assert "000.00.31.H33-260301-9999" in unknown["reply"]


@pytest.mark.django_db
def test_sms_rate_limit_is_per_sender(client: Client, settings: Any) -> None:
    build_lookup_world()
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 2
    for _ in range(2):
        sms(client, "HS 000.00.31.H33-260301-9999", sender="+84900000001")
    refused = sms(client, f"HS {PRIVATE_CODE}", sender="+84 900 000 001").json()
    assert refused["outcome"] == "throttled"
    other = sms(client, f"HS {PRIVATE_CODE}", sender="+84900000002").json()
    assert other["outcome"] == "found"


@pytest.mark.django_db
def test_sms_ascii_replies(client: Client, settings: Any) -> None:
    build_lookup_world()
    settings.EGOV_PORTAL_SMS_ASCII = True
    reply = sms(client, "chào").json()["reply"]
    assert reply.isascii()


@pytest.mark.django_db
def test_sms_token_and_body_errors(client: Client, settings: Any) -> None:
    settings.EGOV_PORTAL_SMS_TOKEN = "bi-mat"
    refused = sms(client, "HS 1")
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthenticated"
    allowed = sms(client, "xin chao", HTTP_AUTHORIZATION="Bearer bi-mat")
    assert allowed.status_code == 200
    bad = client.post(
        API + "/sms",
        json.dumps({"text": "HS 1"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer bi-mat",
    )
    assert bad.status_code == 422
    assert set(bad.json()) == {"code", "message", "field"}
