from __future__ import annotations

import pytest

from egov.core.models import Unit, UnitLevel
from egov.lgsp.tests.conftest import PROVINCE, Caller

pytestmark = pytest.mark.django_db


def test_units_category_reads_the_organisation_tree(caller: Caller) -> None:
    province = Unit.objects.add_root(
        dict(code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level=UnitLevel.PROVINCE)
    )
    Unit.objects.add_child(
        province, dict(code="000.00.05.H33", name="Sở Tư pháp", level=UnitLevel.PROVINCIAL_AGENCY)
    )
    body = caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1").json()
    assert body["category"] == "units" and body["count"] == 2
    child = next(item for item in body["items"] if item["code"] == "000.00.05.H33")
    assert child["parent_code"] == "000.00.00.H33"
    one = caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1/000.00.05.H33")
    assert one.json()["name"] == "Sở Tư pháp"
    assert caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1/999").status_code == 404


def test_document_types_category(caller: Caller) -> None:
    from egov.documents.doctypes import ensure_document_types

    ensure_document_types()
    body = caller.get(f"{PROVINCE}/CATEGORY-DOCUMENT-TYPES/v1").json()
    assert body["count"] >= 20
    decision = {"code": "quyet-dinh", "name": "Quyết định (cá biệt)", "abbreviation": "QĐ"}
    assert decision in body["items"]
