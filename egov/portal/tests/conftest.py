"""Fixtures of the portal tests: a small Kiên Giang tree and a few procedures
published through the procedure services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from egov.procedures.models import ProcedureVersion
from egov.procedures.tests.factories import (
    Org,
    birth_content,
    build_org,
    ensure_fields,
    publish,
    record_content,
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db: None) -> Org:
    return build_org()


@pytest.fixture
def catalogue(org: Org) -> dict[str, ProcedureVersion]:
    """Birth registration (commune, level 4, free), marriage registration (commune,
    level 3), criminal record (province, level 4, fees) and certification of a copy
    (district and commune, level 2)."""
    ensure_fields()
    marriage = birth_content(
        org,
        name="Đăng ký kết hôn",
        online_level=3,
        time_limit="5",
        fees=[{"name": "Lệ phí đăng ký kết hôn", "amount": 1000000}],
    )
    copy = birth_content(
        org,
        name="Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        field="chung-thuc",
        levels=["district", "commune"],
        online_level=2,
        time_limit="4",
        time_limit_unit="working_hours",
        fees=[{"name": "Phí chứng thực bản sao", "amount": 2000}],
        agencies=[org.rach_gia, org.vinh_thanh],
    )
    return {
        "birth": publish("1.001193", birth_content(org)),
        "marriage": publish("1.000894", marriage),
        "record": publish("2.000488", record_content(org)),
        "copy": publish("2.000815", copy),
    }


def many(org: Org, count: int) -> list[ProcedureVersion]:
    """``count`` more procedures named "Thủ tục thử nghiệm số N" (field hộ tịch)."""
    ensure_fields()
    return [
        publish(f"9.{n:06d}", birth_content(org, name=f"Thủ tục thử nghiệm số {n}"))
        for n in range(1, count + 1)
    ]


def text(response: Any) -> str:
    return response.content.decode()
