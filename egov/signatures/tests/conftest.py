"""Fixtures of the signature tests: one test PKI per test process (keys in SoftHSM2
tokens, in a temporary directory), and per test the organisation, a leader and the
PKI's rows (anchors, sources, keys) made by the real ``make_test_pki`` code."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test.utils import override_settings

from egov.accounts import services as account_services
from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.core.models import Unit, UnitLevel

#: The PIN of every test token. The SoftHSM2 store is one per test process and the
#: factories of several apps name the same people, whose tokens keep the PIN they
#: were made with: a second PIN in another module fails with WrongPin, depending on
#: which test a worker happened to run first.
USER_PIN = "246810"


#: One PKI folder per test process: modules of other apps import ``pki_settings``,
#: which makes a fixture per module, but the PKCS#11 library loaded in the process
#: reads one SoftHSM2 store: a second folder would hide the first one's tokens.
_FOLDER: list[Any] = []


@pytest.fixture(scope="session")
def pki_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not _FOLDER:
        _FOLDER.append(tmp_path_factory.mktemp("pki"))
    folder = _FOLDER[0]
    os.environ["SOFTHSM2_CONF"] = str(folder / "softhsm2.conf")
    values = {
        "EGOV_SIGNATURES_PKI_DIR": str(folder),
        "EGOV_SIGNATURES_SOFTHSM_CONF": "",
        "EGOV_SIGNATURES_TRANSPORT": "inprocess",
        "EGOV_SIGNATURES_DEMO_PKI": True,
        "EGOV_SIMULATORS": True,
        "EGOV_SIGNATURES_AGENCY_PIN_SECRET": "agency-pin-for-tests-only",
    }
    with override_settings(**values):
        yield values


@dataclass
class World:
    province: Unit
    agency: Unit
    leader: User
    operator: User


@pytest.fixture
def world(db: None, pki_settings: dict[str, Any], settings: Any) -> World:
    from egov.signatures import testpki

    province = Unit.objects.add_root(
        {"code": "000.00.00.H33", "name": "UBND tỉnh Kiên Giang", "level": UnitLevel.PROVINCE}
    )
    agency = Unit.objects.add_child(
        province,
        {
            "code": "000.00.15.H33",
            "name": "Sở Thông tin và Truyền thông",
            "level": UnitLevel.PROVINCIAL_AGENCY,
        },
    )
    leader = account_services.create_staff_account(
        None,
        username="giamdoc.stttt",
        full_name="Nguyễn Văn Bình",
        unit=agency,
        role_codes=[RoleCode.AGENCY_LEADER],
        password="Sao8Mai9Sang",
    )
    operator = account_services.create_staff_account(
        None,
        username="vanhanh",
        full_name="Trần Thị Vận",
        unit=province,
        role_codes=[RoleCode.PLATFORM_OPERATOR],
        password="Sao8Mai9Sang",
    )
    testpki.make(user_pin=USER_PIN)
    return World(province=province, agency=agency, leader=leader, operator=operator)


def one_page_pdf(pages: int = 1, text: str = "Quyết định") -> bytes:
    """A small A4 PDF (fpdf2, the platform's PDF writer) in Be Vietnam Pro."""
    from fpdf import FPDF

    from egov.signatures.appearance import REGULAR

    pdf = FPDF(format="A4")
    pdf.add_font("BVP", "", str(REGULAR))
    pdf.set_font("BVP", size=12)
    for number in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"{text} — trang {number + 1}")
    return bytes(pdf.output())
