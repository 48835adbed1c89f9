from __future__ import annotations

import pytest

from egov.exchange.models import ExchangeMessage
from egov.lgsp.models import Service
from egov.lgsp.tests.conftest import PROVINCE, make_caller

pytestmark = pytest.mark.django_db

DOC = "000.00.05.H33,2026/12/07,12/UBND-VP"


def _message(kind: str, direction: str, status: str = "") -> ExchangeMessage:
    return ExchangeMessage.objects.create(
        direction=direction,
        channel="axis",
        kind=kind,
        document_id=DOC,
        business_type=0,
        from_organ="000.00.05.H33",
        to_organ="G01.01.01.H33",
        status_code=status,
        raw=b"<edXML/>",
        sha256="0" * 64,
    )


def test_the_trace_of_a_document_is_published_to_consumers_with_the_right(
    platform_services: dict[str, Service],
) -> None:
    caller = make_caller("000.00.05.H33", "qlvb", [platform_services["DOCUMENT-TRACE"]])
    _message("document", "out")
    _message("status", "in", "01")
    _message("status", "in", "03")

    body = caller.get(f"{PROVINCE}/DOCUMENT-TRACE/v1/{DOC}").json()
    assert body["document_id"] == DOC
    assert [(m["kind"], m["status_code"]) for m in body["messages"]] == [
        ("document", ""),
        ("status", "01"),
        ("status", "03"),
    ]
    missing = caller.get(f"{PROVINCE}/DOCUMENT-TRACE/v1/khong-co")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"

    # A consumer without the right is refused before the exchange is asked anything.
    other = make_caller("000.00.33.H33", "motcua", [platform_services["CATEGORY-UNITS"]])
    refused = other.get(f"{PROVINCE}/DOCUMENT-TRACE/v1/{DOC}")
    assert refused.status_code == 403
